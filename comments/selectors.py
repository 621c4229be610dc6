"""Reads of a comment thread, for the idea page and the thread fragment."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from accounts.models import User
from comments.models import Comment
from comments.services import comment_is_editable
from core.roles import is_moderator


@dataclass
class ThreadEntry:
    """A top-level comment with its replies, oldest first."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def _as_thread(comments) -> list[ThreadEntry]:
    entries: dict[int, ThreadEntry] = {}
    replies = []
    for comment in comments:
        if comment.parent_id is None:
            entries[comment.pk] = ThreadEntry(comment)
        else:
            replies.append(comment)
    for reply in replies:
        if reply.parent_id in entries:
            entries[reply.parent_id].replies.append(reply)
    return list(entries.values())


def comment_thread(*, idea, user=None) -> list[ThreadEntry]:
    """The idea's comments that the user may see (Comment.objects.viewable_by; a visitor's
    when no user) as a one-level thread, in one query whatever its size."""
    return _as_thread(Comment.objects.filter(idea=idea).viewable_by(user).thread())


def _for_viewer(thread: list[ThreadEntry], user, now: dt.datetime | None) -> dict:
    now = now or timezone.now()
    every = [c for entry in thread for c in (entry.comment, *entry.replies)]
    return {
        "thread": thread,
        "comment_count": sum(1 for c in every if c.deleted_at is None),
        "editable_ids": {c.pk for c in every if comment_is_editable(c, user, now=now)},
    }


def thread_for_viewer(*, idea, user, now: dt.datetime | None = None) -> dict:
    """The thread, its visible comment count and which comments the viewer may change."""
    return _for_viewer(comment_thread(idea=idea, user=user), user, now)


class _Author:
    """What a thread shows of a comment's author (includes/user_link.html)."""

    __slots__ = ("deleted_at", "pk", "username")

    def __init__(self, pk: int, username: str, deleted_at):
        self.pk, self.username, self.deleted_at = pk, username, deleted_at


class CommentOutline:
    """A comment without its text, from a row of comment_rows(): what says whether a
    rendering of it is still the one to show (web/threads.py keeps each comment's rendering
    under these)."""

    __slots__ = (
        "author",
        "author_id",
        "created_at",
        "deleted_at",
        "edited_at",
        "held_at",
        "hidden_at",
        "idea_id",
        "parent_id",
        "pk",
        "viewer_flagged",
    )

    def __init__(self, row: tuple, idea_id: int):
        (
            self.pk,
            self.parent_id,
            self.author_id,
            self.created_at,
            self.edited_at,
            self.deleted_at,
            self.hidden_at,
            self.held_at,
            username,
            author_deleted_at,
        ) = row
        self.idea_id = idea_id
        self.viewer_flagged = False
        self.author = (
            _Author(self.author_id, username, author_deleted_at) if self.author_id else None
        )


# Where a row of comment_rows() has the comment's id and its author's.
ROW_ID, ROW_AUTHOR_ID = 0, 2


def comment_rows(*, idea, user) -> list[tuple]:
    """The comments of the idea the user may see, in the thread's order, as plain rows: id,
    parent id, author id, created, edited, deleted, hidden and held times, the author's
    username and deletion time. In one plain query: the idea page reads it on every view, and
    the ORM took ten times longer to build and read this query than the database to answer
    it. The same comments in the same order as comment_thread()."""
    table, users = Comment._meta.db_table, User._meta.db_table
    where, params = "c.idea_id = %s", [idea.pk]
    # Comment.objects.viewable_by, as SQL.
    if not is_moderator(user):
        if user is not None and user.is_authenticated:
            where += " AND c.hidden_at IS NULL AND (c.held_at IS NULL OR c.author_id = %s)"
            params.append(user.pk)
        else:
            where += " AND c.hidden_at IS NULL AND c.held_at IS NULL"
    sql = f"""
        SELECT c.id, c.parent_id, c.author_id, c.created_at, c.edited_at, c.deleted_at,
               c.hidden_at, c.held_at, u.username, u.deleted_at
          FROM {table} c LEFT JOIN {users} u ON u.id = c.author_id
         WHERE {where}
         ORDER BY c.created_at, c.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def outline_for_viewer(rows: list[tuple], *, idea, user, now: dt.datetime | None = None) -> dict:
    """thread_for_viewer() from comment_rows(), with each comment's outline (CommentOutline)
    instead of the comment."""
    return _for_viewer(_as_thread(CommentOutline(row, idea.pk) for row in rows), user, now)
