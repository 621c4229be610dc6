import logging

from django.db import transaction
from django.utils import timezone

from accounts.services import user_email_frequency_set
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


def notifications_create(*, kind: str, now, items: list[tuple[int, int, str]]) -> int:
    """One notification per (recipient id, idea id, message), emailed after commit as each
    recipient chooses. For events told to named people (an author) rather than followers."""
    rows = [
        Notification(
            recipient_id=recipient, idea_id=idea, kind=kind, message=message[:300], created_at=now
        )
        for recipient, idea, message in items
    ]
    Notification.objects.bulk_create(rows, batch_size=1000)
    if rows:
        transaction.on_commit(lambda: enqueue_emails(now))
    return len(rows)


def notifications_mark_emailed(*, recipient) -> int:
    """Treat what waits for this member as emailed: a backlog is never sent on the day they
    start wanting email (a claimed account, email switched back on)."""
    return Notification.objects.filter(recipient=recipient, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )


@transaction.atomic
def email_frequency_set(*, user, frequency: str) -> None:
    """How often the member is emailed about ideas they follow, set from the signed link in
    an email (no log-in). As in Settings, switching email back on doesn't send the backlog."""
    if user_email_frequency_set(user=user, frequency=frequency):
        notifications_mark_emailed(recipient=user)


def user_notifications_forget(*, user) -> None:
    """A deleted account's follows and notifications go."""
    Follow.objects.filter(user=user).delete()
    Notification.objects.filter(recipient=user).delete()
