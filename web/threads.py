"""An idea's comment thread, put together from pieces rendered once and then reused.

The thread of an idea with 20 comments was 85% of the idea page's time: each comment is a few
hundred template nodes (the author link, the time, the flag form with its select, the edit and
delete controls). A comment's markup depends on the comment (its text, times, author and
moderation state) and on the viewer only through their relation to it: a visitor; a member who
may flag it, or flagged it already; its author, who may still edit it or no longer. So, as
web/cards.py does for idea cards, each comment is rendered from exactly those, in a context of
its own (nothing else of the request's can reach it), and kept under a hash of exactly those: a
comment is never stale (an edit, a deletion or a moderation changes the key) and never shows one
member's controls to another. The thread around the comments (the count, the reply forms, the
new-comment form) is kept the same way under a hash of its shape (which comments, which replies,
which are deleted, and whether the viewer is a member), and the thread with its comments in
under a hash of all of it, so that a request reads one value. What a kept rendering holds of the
request is a marker, filled in per request: the CSRF token and the address the flag forms return
to (web.cards.fill_request_marks), and the times as they read now ("3 minutes ago": web.times).

Every request reads the thread's comments (comments.selectors.comment_rows, one plain query: a
new comment shows at once) and the viewer's flags on the idea and all its comments (one query,
moderation.selectors.viewer_flags). Moderators get the thread rendered for them every time
(their controls count open flags), as does a thread showing a form with errors or a draft: those
are one member's, once.

Shared by the idea page (web/ideas/detail_page.py), which reads the thread in the same round
trip as the rest of the page, and the comment views' htmx answers (web.comments.views): here
because neither of those apps may import the other.

The cache is the shared one and fails open: without Redis the pieces are rendered, as before.
"""

import hashlib
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from comments.models import Comment
from comments.selectors import (
    ROW_AUTHOR_ID,
    ROW_ID,
    CommentOutline,
    comment_rows,
    outline_for_viewer,
    thread_for_viewer,
)
from comments.services import comment_is_editable
from core import pending, text
from core.roles import is_moderator
from ideas.models import Idea
from moderation.selectors import request_viewer_flags
from web.cards import CSRF_MARK, NEXT_MARK, fill_request_marks
from web.times import join_times, mark_times, split_times

THREAD_TEMPLATE = "comments/_thread.html"
COMMENT_TEMPLATE = "comments/_thread.html#comment"
# The keys are made of all a piece shows (its times are markers), so a piece is kept while it
# is read.
PIECE_TTL = 3600
# Bump when the markup changes in a way the keys would not see.
KEY_VERSION = 2
_COMMENT_MARK = re.compile("\ue002comment:([0-9]+)\ue002")


def thread_context(request, idea: Idea, *, form=None, focus_id: int | None = None) -> dict:
    """What templates/comments/_thread.html needs. A form with errors is shown again, with
    the typed text, where it was: the new-comment form or the reply form of its thread."""
    context = {
        "idea": idea,
        "comments_open": idea.withdrawn_at is None,
        "focus_id": focus_id,
        **thread_for_viewer(idea=idea, user=request.user),
    }
    # What they typed before logging in (core.pending): in the form once, not yet posted.
    draft = (
        pending.take_draft(request, idea_id=idea.pk)
        if context["comments_open"] and request.user.is_authenticated
        else ""
    )
    if draft:
        context.update(form_value=draft, form_autofocus=True)
    if form is not None and form.errors:
        top_of = {
            comment.pk: entry.comment.pk
            for entry in context["thread"]
            for comment in (entry.comment, *entry.replies)
        }
        raw_parent = form.data.get("parent", "")
        # ASCII digits only: "²" is a digit to str.isdigit, not to int().
        is_id = raw_parent.isascii() and raw_parent.isdigit()
        reply_to = top_of.get(int(raw_parent)) if is_id else None
        prefix = "reply" if reply_to else "form"
        context.update(
            {
                "reply_to": reply_to,
                f"{prefix}_value": text.shown(form.data.get("body", "")),
                f"{prefix}_errors": form_messages(form),
            }
        )
    return context


def form_messages(form) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]


def comment_mark(pk: int) -> str:
    """Where a comment goes in the thread's frame (a private-use character never in a page)."""
    return f"\ue002comment:{pk}\ue002"


def _hash(prefix: str, parts: tuple) -> str:
    return f"{prefix}:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


class _Viewer:
    """What of the viewer a kept piece reads: whether they are logged in, and who they are to
    compare with a comment's author. Never a moderator (their thread is never kept)."""

    is_moderator = False

    def __init__(self, pk: int | None, member: bool):
        self.pk = pk
        self.is_authenticated = member


class _Request:
    """What of the request a kept piece reads: the viewer, and the address the flag forms
    return to, a marker filled in per request."""

    def __init__(self, viewer: _Viewer):
        self.user = viewer

    def get_full_path(self) -> str:
        return NEXT_MARK


def _for_this_viewer_only(request, idea: Idea) -> bool:
    """A thread rendered for this viewer alone: a moderator's, or one showing the draft a
    member typed before logging in (core.pending). (A form with errors is the third kind.)"""
    user = request.user
    return is_moderator(user) or (
        user.is_authenticated and idea.withdrawn_at is None and pending.DRAFT_KEY in request.session
    )


@dataclass
class KeptThread:
    """The thread as the cache keeps it for one viewer: `key` names it whole, made of the
    comments as this request read them and the viewer's relation to each."""

    idea: Idea
    user: object
    rows: list[tuple]
    # Per comment: logged in, the author, may still edit, flagged it, in focus: all a
    # comment's markup takes from the viewer (the "comment" partial).
    relations: dict[int, tuple]
    focus_id: int | None
    key: str

    def html(self, whole: tuple[str, ...] | None) -> str:
        """The thread with its times as they read now (web.times), the request's markers still
        in (web.cards): from `whole` as read from the cache under `key`, or put together from
        its pieces and kept."""
        if whole is None:
            html, kept = self._assembled()
            whole = split_times(html)
            if kept:
                cache.set(self.key, whole, PIECE_TTL)
        return join_times(whole)

    def _assembled(self) -> tuple[str, bool]:
        """The frame with each comment's piece in, from the cache or rendered (and kept) when
        missing, in one round trip; and whether it may be kept (not if a time turned while a
        piece was rendered: web.times.mark_times)."""
        member = self.user.is_authenticated
        context = {
            "idea": self.idea,
            "comments_open": self.idea.withdrawn_at is None,
            "focus_id": self.focus_id,
            **outline_for_viewer(self.rows, idea=self.idea, user=self.user),
        }
        language = get_language()
        outlines = [c for entry in context["thread"] for c in (entry.comment, *entry.replies)]
        keys = {
            c.pk: _hash("comment", (KEY_VERSION, _outline(c), self.relations[c.pk], language))
            for c in outlines
        }
        frame_key = _frame_key(context, member, language)
        found = cache.get_many([frame_key, *keys.values()])
        missing = {}
        kept = True
        if frame_key not in found:
            found[frame_key] = missing[frame_key] = _render_frame(context, member)
        unrendered = [c.pk for c in outlines if keys[c.pk] not in found]
        comments = Comment.objects.select_related("author").in_bulk(unrendered)
        viewer = _Viewer(self.user.pk if member else None, member)
        for pk in unrendered:
            comment = comments.get(pk)
            if comment is None:  # removed since the rows were read
                found[keys[pk]] = ""
                continue
            started = timezone.now()
            html = _render_comment(comment, self.relations[pk], viewer)
            marked = mark_times(html, started)
            if marked is None:
                found[keys[pk]], kept = html, False
            else:
                found[keys[pk]] = missing[keys[pk]] = marked
        if missing:
            cache.set_many(missing, PIECE_TTL)
        whole = _COMMENT_MARK.sub(lambda m: found[keys[int(m.group(1))]], found[frame_key])
        return whole, kept


def kept_thread(request, idea: Idea, *, focus_id: int | None = None) -> KeptThread | None:
    """The thread as the cache keeps it for this viewer (read it under .key, then .html()), or
    None when the viewer gets it rendered for them (a moderator, a draft: thread_html)."""
    if _for_this_viewer_only(request, idea):
        return None
    user = request.user
    member = user.is_authenticated
    rows = comment_rows(idea=idea, user=user)
    flagged = request_viewer_flags(request, idea.pk).comment_ids
    now = timezone.now()
    relations = {}
    for row in rows:
        pk = row[ROW_ID]
        own = member and row[ROW_AUTHOR_ID] == user.pk
        editable = own and comment_is_editable(CommentOutline(row, idea.pk), user, now=now)
        relations[pk] = (member, own, editable, pk in flagged, pk == focus_id)
    parts = (KEY_VERSION, idea.pk, idea.withdrawn_at is None, member, focus_id, get_language())
    key = _hash("thread", (*parts, rows, tuple(relations.values())))
    return KeptThread(idea, user, rows, relations, focus_id, key)


def thread_html(request, idea: Idea, *, form=None, focus_id: int | None = None) -> SafeString:
    """templates/comments/_thread.html for this request: the idea's comment thread with the
    viewer's controls and forms (thread_context says what it shows)."""
    shows_errors = form is not None and bool(form.errors)
    thread = None if shows_errors else kept_thread(request, idea, focus_id=focus_id)
    if thread is None:
        context = thread_context(request, idea, form=form, focus_id=focus_id)
        flagged = request_viewer_flags(request, idea.pk).comment_ids
        for entry in context["thread"]:
            for comment in (entry.comment, *entry.replies):
                comment.viewer_flagged = comment.pk in flagged
        return mark_safe(render_to_string(THREAD_TEMPLATE, context, request=request))
    return mark_safe(fill_request_marks(request, thread.html(cache.get(thread.key))))


def _outline(comment: CommentOutline) -> tuple:
    """What a comment's piece shows of it (its text changes only through an edit, which sets
    edited_at)."""
    author = comment.author
    return (
        comment.pk,
        comment.idea_id,
        comment.created_at,
        comment.edited_at,
        comment.deleted_at,
        comment.hidden_at,
        comment.held_at,
        author.username if author else None,
        bool(author and author.deleted_at),
    )


def _frame_key(context: dict, member: bool, language: str) -> str:
    shape = tuple(
        (
            entry.comment.pk,
            bool(entry.comment.deleted_at),
            tuple(reply.pk for reply in entry.replies),
        )
        for entry in context["thread"]
    )
    parts = (
        KEY_VERSION,
        context["idea"].pk,
        context["comments_open"],
        context["comment_count"],
        member,
        shape,
        language,
    )
    return _hash("thread-frame", parts)


def _render_frame(context: dict, member: bool) -> str:
    """The thread with a marker where each comment goes."""
    frame = {
        "idea": context["idea"],
        "comments_open": context["comments_open"],
        "thread": context["thread"],
        "comment_count": context["comment_count"],
        "user": _Viewer(None, member),
        "csrf_token": CSRF_MARK,
        "frame": True,
    }
    return get_template(THREAD_TEMPLATE).template.render(Context(frame))


def _render_comment(comment: Comment, relation: tuple, viewer: _Viewer) -> str:
    """One comment as the "comment" partial renders it for this viewer relation."""
    _member, _own, editable, flagged, focused = relation
    comment.viewer_flagged = flagged
    piece = {
        "comment": comment,
        "editable_ids": {comment.pk} if editable else set(),
        "focus_id": comment.pk if focused else None,
        "user": viewer,
        "request": _Request(viewer),
        "csrf_token": CSRF_MARK,
    }
    return get_template(COMMENT_TEMPLATE).template.render(Context(piece))
