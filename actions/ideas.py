"""An idea's life across apps: submitted (held or not, announced to webhooks), its status set
by a product manager (followers and webhooks told), archived when stale (its author told)."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from comments.models import Comment
from ideas.models import Category, Idea, Status, StatusChange
from ideas.services import idea_create, idea_status_record, idea_update, ideas_archive
from moderation.holds import hold_reason
from notifications.models import Notification
from notifications.services import followers_notify, notifications_create
from webhooks.models import Event
from webhooks.services import idea_event_emit, ideas_event_emit


@transaction.atomic
def idea_submit(
    *,
    author,
    title: str,
    description: str,
    category: Category,
    tags: list[str] = (),
    session=None,
) -> Idea:
    """A member submits an idea: held for review when moderation.holds says so, announced to
    webhooks (which skip a held idea until it is released)."""
    held = hold_reason(author=author, text=f"{title}\n{description}")
    idea = idea_create(
        author=author,
        title=title,
        description=description,
        category=category,
        tags=tags,
        session=session,
        held=held,
    )
    idea_event_emit(event=Event.IDEA_CREATED, idea=idea)
    return idea


@transaction.atomic
def idea_revise(
    *, idea: Idea, user, title: str, description: str, category: Category, tags: list[str] = ()
) -> Idea:
    """The author edits the idea. The spam rules apply to the new text as to a new idea's: an
    edit that adds blocked words, blocked domains or too many links waits for review."""
    held = hold_reason(author=user, text=f"{title}\n{description}", edit=True)
    return idea_update(
        idea=idea,
        user=user,
        title=title,
        description=description,
        category=category,
        tags=tags,
        held=held,
    )


@transaction.atomic
def idea_status_set(*, idea: Idea, actor, status: str, response: str = "") -> StatusChange:
    """A product manager moves the idea to a status, optionally with an official response.
    Declining needs a reason. Followers are notified and webhooks told."""
    change = idea_status_record(idea=idea, actor=actor, status=status, response=response)
    idea = change.idea
    label = Status(status).label
    if change.old_status != status:
        kind = Notification.Kind.STATUS
        message = f"“{idea.title}” is now {label}."
        if response.strip():
            message = f"“{idea.title}” is now {label}, with an official response."
    else:
        kind = Notification.Kind.RESPONSE
        message = f"“{idea.title}” has an official response."
    followers_notify(idea=idea, kind=kind, actor=actor, message=message)
    if change.old_status != status:
        idea_event_emit(
            event=Event.IDEA_STATUS_CHANGED,
            idea=idea,
            old_status=change.old_status,
            new_status=status,
            response=change.response,
        )
    if change.response:
        idea_event_emit(event=Event.IDEA_OFFICIAL_RESPONSE, idea=idea, response=change.response)
    return change


# The stale-ideas job archives at most STALE_BATCH_SIZE * STALE_MAX_BATCHES ideas a run, one
# short transaction per batch; the rest wait for the next day.
STALE_BATCH_SIZE = 500
STALE_MAX_BATCHES = 10
UNTOUCHED = "without votes or comments"


def _stale_period(days: float) -> str:
    months = round(days / 30.5)
    if months >= 1 and abs(days / 30.5 - months) < 0.1:
        return "1 month" if months == 1 else f"{months} months"
    return f"{days:g} days"


def stale_ideas(*, cutoff: dt.datetime):
    """New ideas on the board, created before `cutoff`, with no vote and no comment since.
    Ideas under review, planned or in progress are never stale. A status change since the
    cutoff (a product manager reopening an archived idea) keeps it too, so a reopen sticks."""
    recent_comment = Comment.objects.filter(
        idea=OuterRef("pk"), created_at__gte=cutoff, hidden_at__isnull=True
    )
    recent_change = StatusChange.objects.filter(idea=OuterRef("pk"), created_at__gte=cutoff)
    return (
        Idea.objects.visible()
        .filter(status=Status.NEW, created_at__lt=cutoff)
        .filter(Q(last_voted_at__isnull=True) | Q(last_voted_at__lt=cutoff))
        .exclude(Exists(recent_comment))
        .exclude(Exists(recent_change))
    )


def ideas_archive_stale(
    *,
    now: dt.datetime | None = None,
    batch_size: int = STALE_BATCH_SIZE,
    max_batches: int = STALE_MAX_BATCHES,
) -> dict:
    """Archive the stale ideas (stale_ideas: IDEAS_STALE_AFTER_DAYS without votes or
    comments), as idea_status_set would, with no actor: a StatusChange with the reason, and a
    notification to each author. Only the author is told: the followers of an idea nobody
    touched for months are its author and the few who voted long ago, and this is bookkeeping,
    not a product decision. Set-based, in batches; running it again archives nothing twice."""
    now = now or timezone.now()
    days = settings.IDEAS_STALE_AFTER_DAYS
    cutoff = now - dt.timedelta(days=days)
    period = _stale_period(days)
    response = f"Archived after {period} {UNTOUCHED}. A product manager can reopen it."
    archived = batches = 0
    more = False
    for _ in range(max_batches):
        with transaction.atomic():
            # Locked, so a PM's status change or a vote waits; SKIP LOCKED leaves busy ones.
            rows = list(
                stale_ideas(cutoff=cutoff)
                .order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", "author_id", "title")[:batch_size]
            )
            if not rows:
                break
            ideas_archive(ids=[pk for pk, _, _ in rows], now=now, response=response)
            ideas_event_emit(
                event=Event.IDEA_ARCHIVED, ids=[pk for pk, _, _ in rows], reason=response
            )
            authors = set(
                User.objects.filter(
                    pk__in={author for _, author, _ in rows if author}, deleted_at__isnull=True
                ).values_list("pk", flat=True)
            )
            notifications_create(
                kind=Notification.Kind.STATUS,
                now=now,
                items=[
                    (
                        author,
                        pk,
                        f"“{title}” was archived after {period} without votes or comments.",
                    )
                    for pk, author, title in rows
                    if author in authors
                ],
            )
        archived += len(rows)
        batches += 1
        more = len(rows) == batch_size
        if not more:
            break
    return {"archived": archived, "batches": batches, "more": more, "cutoff": cutoff.isoformat()}
