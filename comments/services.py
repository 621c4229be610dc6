"""The comment write path: create (with one level of replies), edit within a window, delete."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from comments.models import BODY_MAX_LENGTH, EDIT_WINDOW_MINUTES, Comment
from core.audit import audit_record
from core.markdown import render_markdown
from core.pagecache import votes_changed
from core.roles import ensure_may_post
from ideas.models import Idea

EDIT_WINDOW = dt.timedelta(minutes=EDIT_WINDOW_MINUTES)


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    if len(body) > BODY_MAX_LENGTH:
        raise ValidationError(
            {"body": f"Keep it under {BODY_MAX_LENGTH:,} characters (this is {len(body):,})."}
        )
    return body


def comment_is_editable(comment: Comment, user, *, now: dt.datetime | None = None) -> bool:
    """The author may edit a comment that is not deleted for EDIT_WINDOW after posting it."""
    if not user.is_authenticated or comment.author_id != user.pk or comment.deleted_at:
        return False
    return (now or timezone.now()) - comment.created_at <= EDIT_WINDOW


@transaction.atomic
def comment_create(
    *, author, idea: Idea, body: str, parent: Comment | None = None, held: str | None = None
) -> Comment:
    """Comment on an idea, or reply to a comment. A reply to a reply joins its top-level
    comment, so threads stay one level deep. With `held` (the reason), it waits for review.
    Telling followers is the use case's (actions.comments.comment_post)."""
    ensure_may_post(author)
    body = _clean_body(body)
    # Locked like idea_withdraw locks it, so a comment never lands on a just-withdrawn idea.
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if idea.withdrawn_at:
        raise PermissionDenied("This idea was withdrawn: it takes no more comments.")
    if parent is not None:
        if parent.idea_id != idea.pk:
            raise ValidationError({"parent": "That comment is on another idea."})
        if parent.parent_id is not None:
            parent = Comment.objects.get(pk=parent.parent_id)
        if parent.deleted_at:
            raise ValidationError({"parent": "That comment was deleted: it takes no replies."})
    now = timezone.now()
    comment = Comment.objects.create(
        idea=idea,
        author=author,
        parent=parent,
        body=body,
        body_html=render_markdown(body),
        created_at=now,
        held_at=now if held else None,
    )
    if held:
        audit_record(actor=None, action="comment.held", target=comment, reason=held)
    return comment


def comment_check_editable(comment: Comment, user, *, now: dt.datetime | None = None) -> None:
    """Raise PermissionDenied, with the reason, unless the user may edit the comment now."""
    if not user.is_authenticated or comment.author_id != user.pk:
        raise PermissionDenied("Only the author can edit a comment.")
    if comment.deleted_at:
        raise PermissionDenied("This comment was deleted.")
    if not comment_is_editable(comment, user, now=now):
        raise PermissionDenied(
            f"A comment can be edited for {EDIT_WINDOW_MINUTES} minutes after it is posted; "
            "this one can no longer be edited."
        )


@transaction.atomic
def comment_edit(*, comment: Comment, user, body: str, held: str | None = None) -> Comment:
    """The author's edit. With `held` (the reason), the comment waits for review again
    (actions.comments.comment_revise decides)."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    comment_check_editable(comment, user)
    comment.body = _clean_body(body)
    comment.body_html = render_markdown(comment.body)
    comment.edited_at = timezone.now()
    fields = ["body", "body_html", "edited_at"]
    newly_held = bool(held) and comment.held_at is None
    if newly_held:
        comment.held_at = comment.edited_at
        fields.append("held_at")
    comment.save(update_fields=fields)
    if newly_held:
        audit_record(actor=None, action="comment.held", target=comment, reason=held)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, user) -> Comment:
    """The author deletes a comment. The row stays, so its replies keep their place."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not user.is_authenticated or comment.author_id != user.pk:
        raise PermissionDenied("Only the author can delete a comment.")
    if comment.deleted_at is None:
        comment.deleted_at = timezone.now()
        comment.save(update_fields=["deleted_at"])
        votes_changed()  # cards count the comments shown
    return comment


def comment_hide_if_shown(comment: Comment, *, now: dt.datetime) -> bool:
    """Hide the comment pending review unless it is hidden already; True if this call hid it (of
    two callers at once, one does)."""
    if not Comment.objects.filter(pk=comment.pk, hidden_at__isnull=True).update(hidden_at=now):
        return False
    comment.hidden_at = now
    return True
