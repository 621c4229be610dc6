"""Writes for moderation: members flag ideas and comments for a moderator to look at."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_hide_if_shown
from core.audit import audit_record
from core.pagecache import board_changed, votes_changed
from core.roles import ensure_not_banned
from ideas.models import Idea
from ideas.services import idea_hide_if_shown
from moderation.models import NOTE_MAX_LENGTH, Flag
from moderation.selectors import has_flagged

ALREADY_FLAGGED = "You have already flagged this."


def _kind(target: Idea | Comment) -> str:
    if isinstance(target, Idea):
        return "idea"
    if isinstance(target, Comment):
        return "comment"
    raise TypeError(f"Only ideas and comments can be flagged, not {type(target).__name__}.")


@transaction.atomic
def flag_create(*, flagger, target: Idea | Comment, reason: str, note: str = "") -> Flag:
    """Flag an idea or a comment for the moderators. Refuses, with a ValidationError a member
    can read: an unknown reason, "other" without a note, one's own content, a withdrawn idea or
    a deleted comment, and a second flag on the same target. Enough unresolved flags
    (IDEAS_FLAGS_TO_HIDE) hide the target until a moderator reviews it."""
    ensure_not_banned(flagger)
    kind = _kind(target)
    idea = target if kind == "idea" else target.idea
    if kind == "comment" and target.deleted_at:
        raise ValidationError("This comment was deleted.")
    if idea.withdrawn_at:
        raise ValidationError("This idea was withdrawn.")
    if target.author_id == flagger.pk:
        raise ValidationError(f"You can't flag your own {kind}.")
    if has_flagged(user=flagger, target=target):
        raise ValidationError(ALREADY_FLAGGED)
    note = note.strip()
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": "Choose one of the reasons."})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Keep the note to {NOTE_MAX_LENGTH} characters."})
    if reason == Flag.Reason.OTHER and not note:
        raise ValidationError({"note": "Say what is wrong when the reason is Other."})
    try:
        # The unique constraint settles two flags sent at once; the savepoint keeps the
        # transaction usable after the refused insert.
        with transaction.atomic():
            flag = Flag.objects.create(
                flagger=flagger,
                reason=reason,
                note=note,
                created_at=timezone.now(),
                **{kind: target},
            )
    except IntegrityError:
        if has_flagged(user=flagger, target=target):
            raise ValidationError(ALREADY_FLAGGED) from None
        raise
    _hide_if_flagged_enough(target, kind)
    return flag


def _hide_if_flagged_enough(target: Idea | Comment, kind: str) -> None:
    unresolved = Flag.objects.filter(resolved_at__isnull=True, **{kind: target}).count()
    if unresolved < settings.IDEAS_FLAGS_TO_HIDE:
        return
    now = timezone.now()
    hide = idea_hide_if_shown if kind == "idea" else comment_hide_if_shown
    # Conditional: of two flags landing at once, one hides it and one audit entry says so.
    if not hide(target, now=now):
        return
    audit_record(
        actor=None,
        action=f"{kind}.auto_hidden",
        target=target,
        reason=f"{unresolved} unresolved flags.",
        before={"hidden_at": None},
        after={"hidden_at": now.isoformat()},
    )
    if kind == "idea":
        board_changed()
    else:
        votes_changed()  # the cards' comment counts
