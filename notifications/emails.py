"""Notification emails: one per event for members who want each, one digest a day for those
who want a digest. Each notification is emailed at most once: it is claimed (emailed_at set,
conditionally) before the message is sent, so two workers never send it twice."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification


def _claim(notifications) -> list[Notification]:
    with transaction.atomic():
        rows = list(
            notifications.filter(emailed_at__isnull=True)
            .select_related("idea", "recipient")
            .select_for_update(skip_locked=True, of=("self",))
        )
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=timezone.now())
    return rows


def _wants_email(frequency: str):
    return Q(
        recipient__email_frequency=frequency,
        recipient__is_active=True,
        recipient__deleted_at__isnull=True,
    ) & ~Q(recipient__email="")


def emails_send_each(*, since: dt.datetime | None = None) -> int:
    """Send the unsent notifications of members who want an email per event."""
    pending = Notification.objects.filter(_wants_email(User.EmailFrequency.EACH))
    if since is not None:
        pending = pending.filter(created_at__gte=since)
    sent = 0
    for notification in _claim(pending):
        context = {"notification": notification, "site_url": settings.IDEASTORM_SITE_URL}
        send_mail(
            subject=f"[IdeaStorm] {notification.message}",
            message=render_to_string("notifications/email_each.txt", context),
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
        sent += 1
    return sent


def emails_send_digests() -> int:
    """One email per digest member with everything not yet emailed."""
    pending = _claim(Notification.objects.filter(_wants_email(User.EmailFrequency.DAILY)))
    by_member: dict[int, list[Notification]] = {}
    for notification in pending:
        by_member.setdefault(notification.recipient_id, []).append(notification)
    for items in by_member.values():
        member = items[0].recipient
        context = {
            "member": member,
            "notifications": items,
            "site_url": settings.IDEASTORM_SITE_URL,
        }
        send_mail(
            subject=f"[IdeaStorm] {len(items)} update(s) on ideas you follow",
            message=render_to_string("notifications/email_digest.txt", context),
            from_email=None,
            recipient_list=[member.email],
        )
    return len(by_member)
