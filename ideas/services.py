import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core.audit import audit_record
from core.markdown import render_markdown
from core.pagecache import board_changed
from core.roles import ensure_may_post
from ideas.models import Category, Idea, Status, StatusChange, Tag
from ideas.search import search_documents_refresh
from storms.services import storm_submission_check

# The author may edit an idea until someone else votes on it, or for this long.
EDIT_WINDOW = dt.timedelta(minutes=30)
MAX_TAGS = 5


def category_open_check(category: Category) -> None:
    """A retired category takes no new ideas (an idea already in it may stay)."""
    if category.retired_at is not None:
        raise ValidationError(
            {"category": f"“{category.name}” no longer takes new ideas. Choose another category."}
        )


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
    held: str | None = None,
) -> Idea:
    """Create an idea. It starts at score 0: the author may promote it like anyone else. With
    `held` (the reason), it waits for review, shown to its author and the moderators only. With
    a Storm Session, only while it runs and in one of its categories. The use case that also
    decides the hold and tells webhooks is actions.ideas.idea_submit."""
    ensure_may_post(author)
    # Locked: a merge or retirement of the category meanwhile waits, or is seen here.
    category = Category.objects.select_for_update().get(pk=category.pk)
    category_open_check(category)
    if session is not None:
        storm_submission_check(session=session, category=category)
    now = timezone.now()
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
    *,
    idea: Idea,
    user,
    title: str,
    description: str,
    category: Category,
    tags: list[str] = (),
    held: str | None = None,
) -> Idea:
    """The author's edit. With `held` (the reason), the idea waits for review again, as a new
    one would (actions.ideas.idea_revise decides)."""
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if not idea_is_editable(idea, user):
        raise PermissionDenied("This idea can no longer be edited.")
    if category.pk != idea.category_id:
        category = Category.objects.select_for_update().get(pk=category.pk)
        category_open_check(category)
    idea.title = title.strip()
    idea.description = description.strip()
    idea.description_html = render_markdown(description)
    idea.category = category
    fields = ["title", "description", "description_html", "category", "updated_at"]
    newly_held = bool(held) and idea.held_at is None
    if newly_held:
        idea.held_at = timezone.now()
        fields.append("held_at")
    idea.save(update_fields=fields)
    idea.tags.set(tags_for(list(tags)))
    search_documents_refresh([idea.pk])
    if newly_held:
        audit_record(actor=None, action="idea.held", target=idea, reason=held)
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
def idea_restore(*, idea: Idea, user) -> Idea:
    """The author's undo of idea_withdraw, at any time: withdrawing changed only withdrawn_at
    (votes, comments, follows and search rows stayed), so clearing it puts the idea back as it
    was. Not for a merged or hidden idea: those are staff's to restore."""
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if not user.is_authenticated or idea.author_id != user.pk:
        raise PermissionDenied("Only the author can restore a withdrawn idea.")
    if idea.merged_into_id or idea.hidden_at:
        raise PermissionDenied("This idea was merged or hidden: staff restore it.")
    if idea.withdrawn_at is not None:
        idea.withdrawn_at = None
        idea.save(update_fields=["withdrawn_at", "updated_at"])
        board_changed()
    return idea


@transaction.atomic
def idea_status_record(*, idea: Idea, actor, status: str, response: str = "") -> StatusChange:
    """A product manager moves the idea to a status, optionally with an official response, in
    the audit log too. Declining needs a reason. Telling followers and webhooks is the use
    case's (actions.ideas.idea_status_set)."""
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
    board_changed()
    return change


# The stale-ideas job archives at most STALE_BATCH_SIZE * STALE_MAX_BATCHES ideas a run, one
# short transaction per batch; the rest wait for the next day.
STALE_BATCH_SIZE = 500
STALE_MAX_BATCHES = 10


@transaction.atomic
def ideas_archive(*, ids: list[int], now: dt.datetime, response: str) -> None:
    """Archive these new ideas as the stale-ideas job does: no actor, the reason as the
    response of each StatusChange. The caller holds their rows locked."""
    Idea.objects.filter(pk__in=ids).update(status=Status.ARCHIVED, updated_at=now)
    response_html = render_markdown(response)
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
    board_changed()


def idea_hide_if_shown(idea: Idea, *, now: dt.datetime) -> bool:
    """Hide the idea pending review unless it is hidden already; True if this call hid it (of
    two callers at once, one does)."""
    if not Idea.objects.filter(pk=idea.pk, hidden_at__isnull=True).update(hidden_at=now):
        return False
    idea.hidden_at = now
    return True
