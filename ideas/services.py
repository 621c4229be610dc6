import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify

from core.audit import audit_record
from core.markdown import render_markdown
from core.pagecache import board_changed
from core.roles import ensure_not_banned
from ideas.models import Category, Idea, Status, StatusChange, Tag
from ideas.search import search_documents_refresh
from moderation.holds import hold_reason
from storms.services import storm_submission_check
from webhooks.models import Event
from webhooks.services import idea_event_emit

# The author may edit an idea until someone else votes on it, or for this long.
EDIT_WINDOW = dt.timedelta(minutes=30)
MAX_TAGS = 5


def tags_for(names: list[str]) -> list[Tag]:
    """The tags with these names, made on first use (by slug, so "Battery" and "battery" are
    one tag)."""
    tags, seen = [], set()
    for name in names:
        name = " ".join(name.split())[:40]
        slug = slugify(name)[:40]
        if not slug or slug in seen:
            continue
        seen.add(slug)
        tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
        tags.append(tag)
    return tags[:MAX_TAGS]


@transaction.atomic
def idea_create(
    *,
    author,
    title: str,
    description: str,
    category: Category,
    tags: list[str] = (),
    session=None,
) -> Idea:
    """Create an idea. It starts at score 0: the author may promote it like anyone else. It
    is held for review (shown to its author and the moderators only) when moderation.holds
    says so. With a Storm Session, only while it runs and in one of its categories."""
    ensure_not_banned(author)
    if session is not None:
        storm_submission_check(session=session, category=category)
    now = timezone.now()
    held = hold_reason(author=author, text=f"{title}\n{description}")
    board_changed()
    idea = Idea.objects.create(
        author=author,
        title=title.strip(),
        description=description.strip(),
        description_html=render_markdown(description),
        category=category,
        session=session,
        created_at=now,
        held_at=now if held else None,
    )
    if tags:
        idea.tags.set(tags_for(list(tags)))
    search_documents_refresh([idea.pk])
    if held:
        audit_record(actor=None, action="idea.held", target=idea, reason=held)
    idea_event_emit(event=Event.IDEA_CREATED, idea=idea)
    return idea


def idea_is_editable(idea: Idea, user, *, now: dt.datetime | None = None) -> bool:
    """The author may edit until the first vote by someone else or EDIT_WINDOW, whichever
    comes first."""
    if not user.is_authenticated or idea.author_id != user.pk or idea.withdrawn_at:
        return False
    now = now or timezone.now()
    if now - idea.created_at > EDIT_WINDOW:
        return False
    return not idea.votes.exclude(voter=user).exists()


@transaction.atomic
def idea_update(
    *, idea: Idea, user, title: str, description: str, category: Category, tags: list[str] = ()
) -> Idea:
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if not idea_is_editable(idea, user):
        raise PermissionDenied("This idea can no longer be edited.")
    idea.title = title.strip()
    idea.description = description.strip()
    idea.description_html = render_markdown(description)
    idea.category = category
    idea.save(update_fields=["title", "description", "description_html", "category", "updated_at"])
    idea.tags.set(tags_for(list(tags)))
    search_documents_refresh([idea.pk])
    board_changed()
    return idea


@transaction.atomic
def idea_withdraw(*, idea: Idea, user) -> Idea:
    """The author takes the idea down. It is kept, with its votes, and shown to nobody."""
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if not user.is_authenticated or idea.author_id != user.pk:
        raise PermissionDenied("Only the author can withdraw an idea.")
    if idea.withdrawn_at is None:
        idea.withdrawn_at = timezone.now()
        idea.save(update_fields=["withdrawn_at", "updated_at"])
        board_changed()
    return idea


@transaction.atomic
def idea_status_set(*, idea: Idea, actor, status: str, response: str = "") -> StatusChange:
    """A product manager moves the idea to a status, optionally with an official response.
    Declining needs a reason. Followers are notified."""
    from notifications.models import Notification
    from notifications.services import followers_notify

    if status not in Status.values:
        raise ValidationError({"status": "Choose one of the statuses."})
    response = response.strip()
    if status == Status.DECLINED and not response:
        raise ValidationError({"response": "Say why the idea is declined."})
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if status == idea.status and not response:
        raise ValidationError({"status": "The idea already has this status."})
    now = timezone.now()
    change = StatusChange.objects.create(
        idea=idea,
        actor=actor,
        old_status=idea.status,
        new_status=status,
        response=response,
        response_html=render_markdown(response) if response else "",
        created_at=now,
    )
    fields = ["status", "updated_at"]
    idea.status = status
    if response:
        idea.response, idea.response_html = response, change.response_html
        idea.responded_at, idea.responded_by = now, actor
        fields += ["response", "response_html", "responded_at", "responded_by"]
    idea.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="idea.status_set",
        target=idea,
        reason=response,
        before={"status": change.old_status},
        after={"status": status, "official_response": bool(response)},
    )
    label = Status(status).label
    if change.old_status != status:
        kind = Notification.Kind.STATUS
        message = f"“{idea.title}” is now {label}."
        if response:
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
            response=response,
        )
    if response:
        idea_event_emit(event=Event.IDEA_OFFICIAL_RESPONSE, idea=idea, response=response)
    board_changed()
    return change


# The stale-ideas job archives at most STALE_BATCH_SIZE * STALE_MAX_BATCHES ideas a run, one
# short transaction per batch; the rest wait for the next day.
STALE_BATCH_SIZE = 500
STALE_MAX_BATCHES = 10


def _stale_period(days: float) -> str:
    months = round(days / 30.5)
    if months >= 1 and abs(days / 30.5 - months) < 0.1:
        return "1 month" if months == 1 else f"{months} months"
    return f"{days:g} days"


def stale_ideas(*, cutoff: dt.datetime):
    """New ideas on the board, created before `cutoff`, with no vote and no comment since.
    Ideas under review, planned or in progress are never stale. A status change since the
    cutoff (a product manager reopening an archived idea) keeps it too, so a reopen sticks."""
    from comments.models import Comment

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
    from accounts.models import User
    from notifications.models import Notification
    from notifications.services import enqueue_emails

    now = now or timezone.now()
    days = settings.IDEAS_STALE_AFTER_DAYS
    cutoff = now - dt.timedelta(days=days)
    period = _stale_period(days)
    response = (
        f"Archived after {period} without votes or comments. A product manager can reopen it."
    )
    response_html = render_markdown(response)
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
            ids = [pk for pk, _, _ in rows]
            Idea.objects.filter(pk__in=ids).update(status=Status.ARCHIVED, updated_at=now)
            StatusChange.objects.bulk_create(
                StatusChange(
                    idea_id=pk,
                    actor=None,
                    old_status=Status.NEW,
                    new_status=Status.ARCHIVED,
                    response=response,
                    response_html=response_html,
                    created_at=now,
                )
                for pk in ids
            )
            authors = set(
                User.objects.filter(
                    pk__in={author for _, author, _ in rows if author}, deleted_at__isnull=True
                ).values_list("pk", flat=True)
            )
            Notification.objects.bulk_create(
                Notification(
                    recipient_id=author,
                    idea_id=pk,
                    kind=Notification.Kind.STATUS,
                    message=f"“{title}” was archived after {period} without votes or comments."[
                        :300
                    ],
                    created_at=now,
                )
                for pk, author, title in rows
                if author in authors
            )
            if authors:
                transaction.on_commit(lambda: enqueue_emails(now))
            board_changed()
        archived += len(rows)
        batches += 1
        more = len(rows) == batch_size
        if not more:
            break
    return {"archived": archived, "batches": batches, "more": more, "cutoff": cutoff.isoformat()}
