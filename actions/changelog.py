"""Publishing a changelog entry closes the loop: its ideas become Implemented (webhooks told),
and everyone who voted on or follows one of them is told once, in the app and by email as
they choose, however many of the entry's ideas they backed. Safe to run twice: the entry's row
is locked and published_at is set in the same transaction."""

import logging

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from changelog.models import Entry
from core.audit import audit_record
from core.pagecache import board_changed
from ideas.models import Idea, Status
from ideas.services import idea_status_record
from notifications.models import Notification
from notifications.selectors import followers
from notifications.services import notifications_create
from votes.models import Vote
from webhooks.models import Event
from webhooks.services import idea_event_emit

log = logging.getLogger(__name__)


def _recipients(ideas: list[Idea], actor) -> dict[int, Idea]:
    """Each person to tell (voters and followers), with the first of the entry's ideas they
    backed."""
    told: dict[int, Idea] = {}
    for idea in ideas:
        voters = User.objects.filter(
            is_active=True,
            deleted_at__isnull=True,
            pk__in=Vote.objects.filter(idea=idea).values("voter_id"),
        ).values_list("pk", flat=True)
        for user_id in [*voters, *followers(idea).values_list("pk", flat=True)]:
            told.setdefault(user_id, idea)
    if actor is not None:
        told.pop(actor.pk, None)
    return told


@transaction.atomic
def entry_publish(*, entry: Entry, actor=None, now=None) -> int:
    """Publish the entry now (or return 0 if it already is). Returns how many people were
    told. `actor` is the product manager, or None for the scheduled job (the entry's author
    then marks the ideas)."""
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if entry.is_published:
        return 0
    now = now or timezone.now()
    by = actor or entry.author
    # Locked: a product manager setting one of them Implemented meanwhile waits, then is seen.
    ideas = list(
        Idea.objects.visible()
        .filter(changelog_entries=entry)
        .order_by("-score", "id")
        .select_for_update(of=("self",))
    )
    for idea in ideas:
        if idea.status != Status.IMPLEMENTED:
            change = idea_status_record(idea=idea, actor=by, status=Status.IMPLEMENTED)
            idea_event_emit(
                event=Event.IDEA_STATUS_CHANGED,
                idea=change.idea,
                old_status=change.old_status,
                new_status=Status.IMPLEMENTED,
                response="",
            )
    told = _recipients(ideas, actor)
    notifications_create(
        kind=Notification.Kind.SHIPPED,
        now=now,
        items=[
            (user_id, idea.pk, f"“{idea.title}” shipped: {entry.title}")
            for user_id, idea in told.items()
        ],
    )
    entry.published_at = now
    if entry.publish_at is None or entry.publish_at > now:
        entry.publish_at = now
    entry.notified = len(told)
    entry.save(update_fields=["published_at", "publish_at", "notified"])
    audit_record(
        actor=actor,
        action="changelog.published",
        target=entry,
        after={"ideas": [idea.pk for idea in ideas], "told": len(told)},
    )
    board_changed()
    return len(told)


def entries_publish_due(*, now=None) -> dict:
    """The scheduled job: publish every entry whose time has come, each in its own
    transaction, so one that fails doesn't hold back the others (it is tried again next run)."""
    now = now or timezone.now()
    published = told = failed = 0
    for entry in list(Entry.objects.due(now).order_by("publish_at", "id")):
        try:
            told += entry_publish(entry=entry, now=now)
            published += 1
        except Exception:
            failed += 1
            log.exception("changelog entry %s could not be published", entry.pk)
    return {"published": published, "told": told, "failed": failed}
