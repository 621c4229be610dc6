import logging

from django.db import transaction
from django.utils import timezone

from core.roles import ensure_not_banned
from notifications.models import Follow, Notification
from notifications.selectors import followers

log = logging.getLogger(__name__)


def follow_set(*, user, idea, following: bool) -> Follow:
    """Follow or unfollow an idea explicitly; this overrides the implicit follow of voters
    and commenters either way."""
    ensure_not_banned(user)
    follow, _ = Follow.objects.update_or_create(
        user=user, idea=idea, defaults={"following": following}
    )
    return follow


@transaction.atomic
def followers_notify(*, idea, kind: str, actor, message: str, comment=None) -> int:
    """An in-app notification for every follower but the actor, in one INSERT; emails for
    those who want each event go out from a Celery task once the transaction commits."""
    now = timezone.now()
    recipients = followers(idea)
    if actor is not None:
        recipients = recipients.exclude(pk=actor.pk)
    rows = [
        Notification(
            recipient_id=user_id,
            idea=idea,
            kind=kind,
            actor=actor,
            comment=comment,
            message=message[:300],
            created_at=now,
        )
        for user_id in recipients.values_list("pk", flat=True)
    ]
    Notification.objects.bulk_create(rows, batch_size=1000)
    if rows:
        transaction.on_commit(lambda: enqueue_emails(now))
    return len(rows)


def enqueue_emails(since) -> None:
    """Ask the worker to send the waiting emails. The broker may be down: the periodic
    email job then sends them a few minutes later, and the request never fails for it."""
    from notifications.tasks import email_notifications

    try:
        email_notifications.delay(since.isoformat())
    except Exception:  # any broker error: the periodic job is the fallback
        log.warning("Could not enqueue notification emails; the periodic job will send them.")


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications (these ids, or all) read."""
    unread = user.notifications.filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
