"""Reads of a comment thread, for the idea page and the thread fragment."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from comments.models import Comment
from comments.services import comment_is_editable


@dataclass
class ThreadEntry:
    """A top-level comment with its replies, oldest first."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def comment_thread(*, idea, user=None) -> list[ThreadEntry]:
    """The idea's comments that the user may see (Comment.objects.viewable_by; a visitor's
    when no user) as a one-level thread, in one query whatever its size."""
    entries: dict[int, ThreadEntry] = {}
    replies: list[Comment] = []
    for comment in Comment.objects.filter(idea=idea).viewable_by(user).thread():
        if comment.parent_id is None:
            entries[comment.pk] = ThreadEntry(comment)
        else:
            replies.append(comment)
    for reply in replies:
        if reply.parent_id in entries:
            entries[reply.parent_id].replies.append(reply)
    return list(entries.values())


def thread_for_viewer(*, idea, user, now: dt.datetime | None = None) -> dict:
    """The thread, its visible comment count and which comments the viewer may change."""
    thread = comment_thread(idea=idea, user=user)
    now = now or timezone.now()
    every = [c for entry in thread for c in (entry.comment, *entry.replies)]
    return {
        "thread": thread,
        "comment_count": sum(1 for c in every if c.deleted_at is None),
        "editable_ids": {c.pk for c in every if comment_is_editable(c, user, now=now)},
    }
