"""What moderators do to content: hide it, restore it (which also approves a held post),
dismiss its flags; the same over many items at once; and decide a vote-stuffing case.

Every action is atomic, refuses with a ValidationError a moderator can read, and writes an
audit entry with the state before and after, in its own transaction."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from comments.models import Comment
from core.audit import audit_record
from core.pagecache import board_changed, votes_changed
from core.roles import is_moderator
from ideas.models import Idea
from moderation.bans import ban_create
from moderation.models import Ban, Flag, StuffingCase
from moderation.stuffing import case_decide
from notifications.models import Notification
from notifications.services import followers_notify
from webhooks.models import Event
from webhooks.services import idea_event_emit

Target = Idea | Comment
REASON_MAX_LENGTH = 500
BAN_REASON_MAX_LENGTH = Ban._meta.get_field("reason").max_length


def _check_moderator(moderator) -> None:
    if not (moderator is not None and moderator.is_authenticated and is_moderator(moderator)):
        raise PermissionDenied("Only moderators can do this.")


def _kind(target: Target) -> str:
    if isinstance(target, Idea):
        return "idea"
    if isinstance(target, Comment):
        return "comment"
    raise TypeError(f"Only ideas and comments are moderated, not {type(target).__name__}.")


def _open_flags(target: Target):
    return Flag.objects.filter(resolved_at__isnull=True, **{_kind(target): target})


def _flag_reasons(target: Target) -> str:
    reasons = _open_flags(target).values_list("reason", flat=True).distinct()
    labels = sorted(str(Flag.Reason(r).label) for r in reasons)
    return f"Flagged: {', '.join(labels)}" if labels else ""


def _state(target: Target, open_flags: int) -> dict:
    return {
        "hidden_at": target.hidden_at.isoformat() if target.hidden_at else None,
        "held_at": target.held_at.isoformat() if target.held_at else None,
        "open_flags": open_flags,
    }


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason to {REASON_MAX_LENGTH} characters."})
    return reason


def _locked(target: Target) -> Target:
    """The target's row, locked for the rest of the transaction; the caller's object is kept
    in step (its moderation fields) so a view can render it at once."""
    row = type(target).objects.select_for_update().get(pk=target.pk)
    target.hidden_at, target.held_at = row.hidden_at, row.held_at
    return target


def _change(
    *, moderator, target: Target, action: str, reason: str, hidden_at, held_at, resolve: bool
) -> Target:
    """Write the new moderation state, resolve the open flags if asked, and audit it."""
    kind = _kind(target)
    flags = _open_flags(target)
    open_before = flags.count()
    before = _state(target, open_before)
    changed = [
        name
        for name, value in (("hidden_at", hidden_at), ("held_at", held_at))
        if getattr(target, name) != value
    ]
    target.hidden_at, target.held_at = hidden_at, held_at
    if changed:
        target.save(update_fields=changed)
        if kind == "idea":
            # Lists are cached for visitors: an idea appearing or disappearing must show.
            board_changed()
        else:
            votes_changed()  # a comment shown or hidden: the cards' comment counts
    open_after = open_before
    if resolve and open_before:
        flags.update(resolved_at=timezone.now())
        open_after = 0
    audit_record(
        actor=moderator,
        action=f"{kind}.{action}",
        target=target,
        reason=reason,
        before=before,
        after=_state(target, open_after),
    )
    return target


@transaction.atomic
def content_hide(*, moderator, target: Target, reason: str) -> Target:
    """Hide an idea or a comment from everyone but moderators, and resolve its open flags
    (they have been dealt with). With no reason given, the flags' reasons are the reason.
    Refuses what is already hidden, and a hide with no reason and no flag."""
    _check_moderator(moderator)
    reason = _clean_reason(reason)
    target = _locked(target)
    if target.hidden_at:
        raise ValidationError(f"This {_kind(target)} is already hidden.")
    if not reason:
        reason = _flag_reasons(target)
    if not reason:
        raise ValidationError({"reason": "Say why you are hiding it."})
    return _change(
        moderator=moderator,
        target=target,
        action="hidden",
        reason=reason,
        hidden_at=timezone.now(),
        held_at=target.held_at,
        resolve=True,
    )


@transaction.atomic
def content_restore(*, moderator, target: Target, reason: str = "") -> Target:
    """Show a hidden or held idea or comment again (restoring a held post approves it), and
    resolve its open flags. Refuses what is neither hidden nor held."""
    _check_moderator(moderator)
    reason = _clean_reason(reason)
    target = _locked(target)
    if not (target.hidden_at or target.held_at):
        raise ValidationError(f"This {_kind(target)} is neither hidden nor waiting for review.")
    first_shown = target.held_at is not None
    target = _change(
        moderator=moderator,
        target=target,
        action="restored",
        reason=reason,
        hidden_at=None,
        held_at=None,
        resolve=True,
    )
    if first_shown and isinstance(target, Comment) and target.deleted_at is None:
        _comment_announce(target)
    if first_shown and isinstance(target, Idea):
        # A held idea was not announced when posted: it is when approved.
        idea_event_emit(event=Event.IDEA_CREATED, idea=target)
    return target


def _comment_announce(comment: Comment) -> None:
    """A held comment's followers were not told when it was posted: they are when approved."""
    author, idea = comment.author, comment.idea
    if author is None:
        return
    followers_notify(
        idea=idea,
        kind=Notification.Kind.COMMENT,
        actor=author,
        message=f"{author.username} commented on “{idea.title}”.",
        comment=comment,
    )


@transaction.atomic
def flags_dismiss(*, moderator, target: Target, reason: str = "") -> Target:
    """Resolve the open flags of an idea or a comment and leave it as it is. Refuses a target
    with no open flag."""
    _check_moderator(moderator)
    reason = _clean_reason(reason)
    target = _locked(target)
    if not _open_flags(target).exists():
        raise ValidationError(f"This {_kind(target)} has no open flags.")
    return _change(
        moderator=moderator,
        target=target,
        action="flags_dismissed",
        reason=reason,
        hidden_at=target.hidden_at,
        held_at=target.held_at,
        resolve=True,
    )


ACTIONS: dict[str, Callable[..., Target]] = {
    "hide": content_hide,
    "restore": content_restore,
    "dismiss": flags_dismiss,
}


@dataclass
class BulkResult:
    done: list[Target] = field(default_factory=list)
    # (target, why it was skipped)
    skipped: list[tuple[Target, str]] = field(default_factory=list)


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


@transaction.atomic
def moderation_bulk(
    *, moderator, action: str, targets: Iterable[Target], reason: str = ""
) -> BulkResult:
    """Apply one action ("hide", "restore" or "dismiss") to many ideas and comments in one
    transaction. A target the action does not apply to (hiding what is hidden, or with no
    reason what nobody flagged) is skipped and reported with why."""
    _check_moderator(moderator)
    if action not in ACTIONS:
        raise ValidationError({"action": "Choose hide, restore or dismiss."})
    reason = _clean_reason(reason)
    result = BulkResult()
    for target in targets:
        try:
            # A savepoint each: a refusal leaves the others' work in place.
            with transaction.atomic():
                result.done.append(
                    ACTIONS[action](moderator=moderator, target=target, reason=reason)
                )
        except ValidationError as error:
            result.skipped.append((target, _messages(error)))
    return result


@dataclass
class CaseResult:
    case: StuffingCase
    banned: list = field(default_factory=list)
    # (user, why the ban was refused)
    not_banned: list[tuple] = field(default_factory=list)


@transaction.atomic
def case_review(
    *,
    moderator,
    case: StuffingCase,
    confirm: bool,
    reason: str = "",
    ban_reason: str = "",
    ban_days: int | None = None,
    ban_accounts: bool = False,
) -> CaseResult:
    """Confirm or release a vote-stuffing case from the queue; when confirming, optionally ban
    its accounts (each refusal, a moderator's account say, is reported, not fatal). Refuses a
    released case, and confirming a confirmed one."""
    _check_moderator(moderator)
    reason = _clean_reason(reason)
    case = StuffingCase.objects.select_for_update().get(pk=case.pk)
    if case.state == StuffingCase.State.RELEASED:
        raise ValidationError("This case was released already.")
    if confirm and case.state == StuffingCase.State.CONFIRMED:
        raise ValidationError("This case is confirmed already.")
    if ban_accounts and not confirm:
        raise ValidationError("Ban the accounts only when confirming the case.")
    ban_reason = (ban_reason or "").strip() or reason
    if ban_accounts and not ban_reason:
        raise ValidationError({"ban_reason": "Say why the accounts are banned."})
    # Checked before deciding: ban_create would refuse every account, after the case changed.
    if ban_accounts and len(ban_reason) > BAN_REASON_MAX_LENGTH:
        raise ValidationError(
            {"ban_reason": f"Keep the ban reason to {BAN_REASON_MAX_LENGTH} characters."}
        )
    result = CaseResult(case_decide(case=case, moderator=moderator, confirm=confirm, reason=reason))
    if ban_accounts:
        for user in case.accounts.order_by("username"):
            try:
                with transaction.atomic():
                    ban_create(moderator=moderator, user=user, reason=ban_reason, days=ban_days)
                result.banned.append(user)
            except (ValidationError, PermissionDenied) as error:
                messages = error.messages if isinstance(error, ValidationError) else [str(error)]
                result.not_banned.append((user, " ".join(messages)))
    return result
