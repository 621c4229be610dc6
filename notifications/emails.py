"""Notification emails: one per event for members who want each, one digest a day for those
who want a digest. Each notification is emailed at most once: it is claimed (emailed_at set,
conditionally) before the message is sent, so two workers never send it twice; a send that
fails gives its claim back, so the next run tries again."""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import User
from notifications.models import Notification

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
    return Q(
        recipient__email_frequency=frequency,
        recipient__is_active=True,
        recipient__deleted_at__isnull=True,
    ) & ~Q(recipient__email="")


def _one_line(text: str) -> str:
    # A line break in a subject is refused (header injection): titles are user input.
    return " ".join(text.split())


def _context(**values) -> dict:
    return {"site_url": settings.IDEASTORM_SITE_URL, **values}


def emails_send_each(*, since: dt.datetime | None = None) -> int:
    """Send the unsent notifications of members who want an email per event."""
    pending = Notification.objects.filter(_wants_email(User.EmailFrequency.EACH))
    if since is not None:
        pending = pending.filter(created_at__gte=since)
    claimed = _claim(pending)
    for index, notification in enumerate(claimed):
        try:
            send_mail(
                subject=_one_line(f"[IdeaStorm] {notification.message}"),
                message=render_to_string(
                    "notifications/email_each.txt", _context(notification=notification)
                ),
                from_email=None,
                recipient_list=[notification.recipient.email],
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
            "[IdeaStorm] %(count)d update on ideas you follow",
            "[IdeaStorm] %(count)d updates on ideas you follow",
            len(items),
        ) % {"count": len(items)}
        try:
            send_mail(
                subject=subject,
                message=render_to_string(
                    "notifications/email_digest.txt",
                    _context(member=member, notifications=items),
                ),
                from_email=None,
                recipient_list=[member.email],
            )
        except Exception:  # as above: the unsent digests go out on the next run
            _release([n for rest in digests[index:] for n in rest])
            log.exception("Digest email failed; %d left for the next run.", len(digests) - index)
            raise
    return len(digests)
