"""Notification emails: one per event for members who want each, one digest a day for those
who want a digest.

Each notification is claimed before its email is sent (email_claimed_until, by the database's
clock, with SKIP LOCKED), so two workers never send it at once, and marked emailed once the
mail server took it. A send that fails gives its claim back, so the next run tries again; a
worker that dies mid-send leaves a claim that runs out after CLAIM_FOR, and the next run sends
it then. So a notification is emailed at least once, and twice only if the worker died between
the mail server accepting it and the mark: the resend carries the same Message-ID (derived from
the notifications), which mail systems use to show it once. Every email goes through
core.mail.mail_send with the member's signed unsubscribe link (notifications.unsubscribe)."""

import datetime as dt
import hashlib
import logging

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import User
from core.mail import mail_absolute, mail_send, site_name
from notifications.models import Notification
from notifications.unsubscribe import unsubscribe_url

log = logging.getLogger(__name__)

# Longer than the task may run (core.jobs.TASK_OPTIONS' time limit, 10 minutes), so a claim
# that ran out belongs to a worker that is gone, never to one still sending.
CLAIM_FOR = dt.timedelta(minutes=11)
BATCH = 50


def _claim(notifications, *, limit: int | None = None) -> list[Notification]:
    with transaction.atomic():
        rows = (
            notifications.filter(emailed_at__isnull=True)
            .filter(Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lt=Now()))
            .select_related("idea", "recipient")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("created_at", "id")
        )
        rows = list(rows[:limit] if limit else rows)
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
            email_claimed_until=Now() + CLAIM_FOR
        )
    return rows


def _sent(notifications: list[Notification]) -> None:
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
        emailed_at=timezone.now(), email_claimed_until=None
    )


def _release(notifications: list[Notification]) -> None:
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
        email_claimed_until=None
    )


def _message_key(kind: str, notifications: list[Notification]) -> str:
    ids = ",".join(str(n.pk) for n in sorted(notifications, key=lambda n: n.pk))
    return f"{kind}.{hashlib.sha256(ids.encode()).hexdigest()[:32]}"


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


def _send(*, member: User, subject: str, template: str, context: dict, key: str) -> None:
    mail_send(
        to=member.email,
        subject=f"[{site_name()}] {subject}",
        template=template,
        context={"member": member, **context},
        unsubscribe_url=unsubscribe_url(member),
        message_key=key,
    )


def emails_send_each(*, since: dt.datetime | None = None) -> int:
    """Send the unsent notifications of members who want an email per event, BATCH at a time."""
    pending = Notification.objects.filter(_wants_email(User.EmailFrequency.EACH))
    if since is not None:
        pending = pending.filter(created_at__gte=since)
    sent = 0
    while claimed := _claim(pending, limit=BATCH):
        for index, notification in enumerate(claimed):
            try:
                _send(
                    member=notification.recipient,
                    subject=notification.message,
                    template="notifications/email_each",
                    context={"notification": notification, "url": _link(notification)},
                    key=_message_key("notification", [notification]),
                )
            except Exception:  # SMTP or network failure: give back what was not sent
                _release(claimed[index:])
                log.exception(
                    "Notification email failed; %d left for the next run.", len(claimed) - index
                )
                raise
            _sent([notification])
            sent += 1
    return sent


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
                key=_message_key("digest", items),
            )
        except Exception:  # as above: the unsent digests go out on the next run
            _release([n for rest in digests[index:] for n in rest])
            log.exception("Digest email failed; %d left for the next run.", len(digests) - index)
            raise
        _sent(items)
    return len(digests)
