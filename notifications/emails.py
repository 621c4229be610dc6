"""Notification emails: one per event for members who want each, one digest a day for those
who want a digest. Each notification is emailed at most once: it is claimed (emailed_at set,
conditionally) before the message is sent, so two workers never send it twice; a send that
fails gives its claim back, so the next run tries again. Every email goes through
core.mail.mail_send with the member's signed unsubscribe link (notifications.unsubscribe)."""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import User
from core.mail import mail_absolute, mail_send, site_name
from notifications.models import Notification
from notifications.unsubscribe import unsubscribe_url

log = logging.getLogger(__name__)


def _claim(notifications) -> list[Notification]:
    with transaction.atomic():
        rows = list(
            notifications.filter(emailed_at__isnull=True)
            .select_related("idea", "recipient")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("created_at", "id")
        )
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=timezone.now())
    return rows


def _release(notifications: list[Notification]) -> None:
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=None)


def _wants_email(frequency: str) -> Q:
    """Active members with this frequency and a verified address. Unverified addresses get
    nothing, so nobody can be mailed at an address they never proved."""
    return Q(
        recipient__email_frequency=frequency,
        recipient__is_active=True,
        recipient__deleted_at__isnull=True,
        recipient__email_verified_at__isnull=False,
    ) & ~Q(recipient__email="")


def _link(notification: Notification) -> str:
    url = mail_absolute(notification.idea.get_absolute_url())
    return f"{url}#comment-{notification.comment_id}" if notification.comment_id else url


def _send(*, member: User, subject: str, template: str, context: dict) -> None:
    mail_send(
        to=member.email,
        subject=f"[{site_name()}] {subject}",
        template=template,
        context={"member": member, **context},
        unsubscribe_url=unsubscribe_url(member),
    )


def emails_send_each(*, since: dt.datetime | None = None) -> int:
    """Send the unsent notifications of members who want an email per event."""
    pending = Notification.objects.filter(_wants_email(User.EmailFrequency.EACH))
    if since is not None:
        pending = pending.filter(created_at__gte=since)
    claimed = _claim(pending)
    for index, notification in enumerate(claimed):
        try:
            _send(
                member=notification.recipient,
                subject=notification.message,
                template="notifications/email_each",
                context={"notification": notification, "url": _link(notification)},
            )
        except Exception:  # SMTP or network failure: give back what was not sent, retry later
            _release(claimed[index:])
            log.exception(
                "Notification email failed; %d left for the next run.", len(claimed) - index
            )
            raise
    return len(claimed)


def emails_send_digests() -> int:
    """One email per digest member with everything not yet emailed."""
    by_member: dict[int, list[Notification]] = {}
    for notification in _claim(
        Notification.objects.filter(_wants_email(User.EmailFrequency.DAILY))
    ):
        by_member.setdefault(notification.recipient_id, []).append(notification)
    digests = list(by_member.values())
    for index, items in enumerate(digests):
        member = items[0].recipient
        subject = ngettext(
            "%(count)d update on ideas you follow",
            "%(count)d updates on ideas you follow",
            len(items),
        ) % {"count": len(items)}
        try:
            _send(
                member=member,
                subject=subject,
                template="notifications/email_digest",
                context={"items": [(n, _link(n)) for n in items]},
            )
        except Exception:  # as above: the unsent digests go out on the next run
            _release([n for rest in digests[index:] for n in rest])
            log.exception("Digest email failed; %d left for the next run.", len(digests) - index)
            raise
    return len(digests)
