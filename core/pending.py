"""What a visitor pressed before logging in (Promote or Demote, Follow, Post comment), kept in
their session until the next log-in takes it, once: web.pending acts on it whichever way they
log in or sign up (django.contrib.auth.login keeps an anonymous session's data).

One action at a time, the last one pressed, taken only if at most MAX_AGE old. A comment is
never posted unseen: its text comes back as a draft in the idea page's comment form, once."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from core.text import normalise_line_ends, validate_text

ACTION_KEY = "pending_action"
DRAFT_KEY = "pending_comment_draft"
MAX_AGE = dt.timedelta(minutes=10)
# comments.models.BODY_MAX_LENGTH (core imports no domain app): longer text is cut, not kept.
MAX_BODY = 5000
VOTE, FOLLOW, COMMENT = "vote", "follow", "comment"


@dataclass(frozen=True)
class Pending:
    kind: str
    idea_id: int
    value: int = 0  # a vote's: 1 or -1
    body: str = ""  # a comment's text


def remember_vote(request: HttpRequest, *, idea_id: int, value: int) -> None:
    if value in (1, -1):
        _remember(request, {"kind": VOTE, "idea": idea_id, "value": value})


def remember_follow(request: HttpRequest, *, idea_id: int) -> None:
    _remember(request, {"kind": FOLLOW, "idea": idea_id})


def remember_comment(request: HttpRequest, *, idea_id: int, body: str) -> bool:
    """Keep the text typed (cut to MAX_BODY); text with a control character is not kept."""
    body = _clean_body(body)
    if not body:
        return False
    _remember(request, {"kind": COMMENT, "idea": idea_id, "body": body})
    return True


def take(request: HttpRequest) -> Pending | None:
    """The visitor's pending action, removed from the session; None when there is none, or it
    is too old or malformed."""
    return _read(request.session.pop(ACTION_KEY, None))


def keep_draft(request: HttpRequest, *, idea_id: int, body: str) -> None:
    """A member's comment text, for the idea page's comment form to show once."""
    if body := _clean_body(body):
        request.session[DRAFT_KEY] = {"idea": idea_id, "body": body, "at": _now()}


def take_draft(request: HttpRequest, *, idea_id: int) -> str:
    """The draft for this idea (removed, as it is now in the form), or ""."""
    session = getattr(request, "session", None)
    if session is None or DRAFT_KEY not in session:
        return ""
    draft = session[DRAFT_KEY]
    pending = _read({**draft, "kind": COMMENT}) if isinstance(draft, dict) else None
    if pending is None:
        del session[DRAFT_KEY]
        return ""
    if pending.idea_id != idea_id:
        return ""
    del session[DRAFT_KEY]
    return pending.body


def _remember(request: HttpRequest, action: dict) -> None:
    request.session[ACTION_KEY] = {**action, "at": _now()}


def _now() -> str:
    return timezone.now().isoformat()


def _clean_body(body: str) -> str:
    body = normalise_line_ends(str(body))[:MAX_BODY].strip()
    try:
        validate_text(body)
    except ValidationError:
        return ""
    return body


def _read(data: object) -> Pending | None:
    # The session is the server's, but the shape is checked anyway: a failure here must never
    # stop a log-in.
    if not isinstance(data, dict):
        return None
    try:
        at = dt.datetime.fromisoformat(data["at"])
        pending = Pending(
            kind=data["kind"],
            idea_id=int(data["idea"]),
            value=int(data.get("value", 0)),
            body=_clean_body(data.get("body", "")),
        )
    except (KeyError, TypeError, ValueError):
        return None
    if at.tzinfo is None or not timezone.now() - MAX_AGE <= at <= timezone.now():
        return None
    if pending.kind not in (VOTE, FOLLOW, COMMENT):
        return None
    if pending.kind == VOTE and pending.value not in (1, -1):
        return None
    if pending.kind == COMMENT and not pending.body:
        return None
    return pending
