"""A comment posted: held or shown, and the idea's followers told when it is shown."""

from django.db import transaction

from comments.models import Comment
from comments.services import comment_create, comment_edit
from core.pagecache import votes_changed
from ideas.models import Idea
from moderation.holds import hold_reason
from notifications.models import Notification
from notifications.services import followers_notify


@transaction.atomic
def comment_post(*, author, idea: Idea, body: str, parent: Comment | None = None) -> Comment:
    """Comment on an idea, or reply to a comment. Followers of the idea are notified, unless
    the comment is held for review (moderation.holds): they hear of it when it is released."""
    comment = comment_create(
        author=author,
        idea=idea,
        body=body,
        parent=parent,
        held=hold_reason(author=author, text=(body or "").strip()),
    )
    if comment.held_at is None:
        # Cards show the comment count: cached lists catch up as after a vote (LIVE_LAG).
        votes_changed()
        followers_notify(
            idea=comment.idea,
            kind=Notification.Kind.COMMENT,
            actor=author,
            message=f"{author.username} commented on “{comment.idea.title}”.",
            comment=comment,
        )
    return comment


@transaction.atomic
def comment_revise(*, comment: Comment, user, body: str) -> Comment:
    """The author edits a comment. The spam rules apply to the new text as to a new comment's:
    an edit that adds blocked words, blocked domains or too many links waits for review."""
    held = hold_reason(author=user, text=(body or "").strip(), edit=True)
    return comment_edit(comment=comment, user=user, body=body, held=held)
