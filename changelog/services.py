"""Writing changelog entries. Publishing (marking ideas, telling people) is the use case's:
actions.changelog.entry_publish."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from changelog.models import Entry
from core.audit import audit_record
from core.markdown import render_markdown
from core.pagecache import board_changed
from core.roles import ensure_product_manager
from ideas.models import Idea

MAX_IDEAS = 50
DOUBLE_SUBMIT_WINDOW = dt.timedelta(minutes=2)


def entry_ideas_check(ideas) -> list[Idea]:
    """The ideas an entry may ship: ones everyone sees (not hidden, held, withdrawn or merged)."""
    ideas = list(ideas)
    if len(ideas) > MAX_IDEAS:
        raise ValidationError({"ideas": f"Link {MAX_IDEAS} ideas at most."})
    ids = [idea.pk for idea in ideas]
    visible = set(Idea.objects.visible().filter(pk__in=ids).values_list("pk", flat=True))
    hidden = [idea for idea in ideas if idea.pk not in visible]
    if hidden:
        numbers = ", ".join(f"#{idea.pk}" for idea in hidden)
        raise ValidationError(
            {
                "ideas": f"Only ideas on the board can be linked; {numbers} is not (hidden, "
                "withdrawn, waiting for review or merged)."
            }
        )
    return ideas


def _when_check(publish_at: dt.datetime | None, now: dt.datetime) -> None:
    if publish_at is not None and publish_at > now + dt.timedelta(days=366):
        raise ValidationError({"publish_at": "Schedule it within a year."})


@transaction.atomic
def entry_save(
    *,
    actor,
    entry: Entry | None = None,
    title: str,
    body: str,
    ideas,
    publish_at: dt.datetime | None,
) -> Entry:
    """Create or edit an entry. `publish_at`: None keeps it a draft; a time schedules it (now
    or earlier means publish at once: the caller then publishes). A published entry's text may
    change, its ideas and date may not (their people were told)."""
    ensure_product_manager(actor, "Only product managers write the changelog.")
    now = timezone.now()
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "Give the entry a title."})
    if entry is not None:
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
    else:
        # A double click, or Back and submit again: the same author's entry of the same title
        # written a moment ago is the one. The author's row lock makes two requests take turns.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        same = Entry.objects.filter(
            author=actor, title=title, created_at__gte=now - DOUBLE_SUBMIT_WINDOW
        ).first()
        if same is not None:
            return same
    published = entry is not None and entry.is_published
    if not published:
        ideas = entry_ideas_check(ideas)
        _when_check(publish_at, now)
    if entry is None:
        entry = Entry(author=actor, created_at=now)
    before = {"title": entry.title} if entry.pk else {}
    entry.title, entry.body, entry.body_html = title, body.strip(), render_markdown(body)
    entry.updated_at = now
    if not published:
        entry.publish_at = publish_at
    entry.save()
    if not published:
        entry.ideas.set(ideas)
    else:
        board_changed()  # the visitors' cached /changelog/ shows the corrected text
    audit_record(
        actor=actor,
        action="changelog.saved",
        target=entry,
        before=before,
        after={"title": entry.title, "state": entry_state(entry)},
    )
    return entry


def entry_state(entry: Entry) -> str:
    if entry.is_published:
        return "published"
    return "scheduled" if entry.publish_at else "draft"


@transaction.atomic
def entry_delete(*, actor, entry: Entry) -> None:
    """Drafts and scheduled entries may be deleted; a published one stays (it told people)."""
    ensure_product_manager(actor, "Only product managers write the changelog.")
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if entry.is_published:
        raise ValidationError("A published entry can't be deleted: its readers were told.")
    audit_record(actor=actor, action="changelog.deleted", target=entry)
    entry.delete()
