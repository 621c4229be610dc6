"""A comment posted: held or shown, and the idea's followers told when it is shown."""

from django.db import transaction

from comments.models import Comment
from comments.services import comment_create
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
        followers_notify(
            idea=comment.idea,
            kind=Notification.Kind.COMMENT,
            actor=author,
            message=f"{author.username} commented on “{comment.idea.title}”.",
            comment=comment,
        )
    return comment
