"""The idea page from a shared skeleton, with the parts that change filled in per request from
renderings kept in the shared cache.

An idea page with 20 comments took 55-70 ms, rendered whole for every request, though nearly all
of it is the same for everyone who may see the idea, and most of it changes only when the idea
is edited. So the page is kept in pieces, each under a key made of exactly what it shows, as
every request reads it (the idea's row with the viewer's vote, in one plain query:
votes.selectors.idea_page_row), so that none is stale (the exceptions say so) and none shows one
viewer's state to another:

- the skeleton: the page around everything else, rendered once for members and once for
  visitors (who differ in the header and the forms), keyed on the idea's text, status, category
  and author (updated_at moves with every edit, status change, response and tag) and the board
  version (core.pagecache: categories, changelog entries, Storm Sessions, the board's settings).
  Kept SKELETON_TTL seconds, which bounds what the key does not see: the renaming of whoever
  answered the idea or moved its status, an edit in the admin;
- what moves with votes, the same for everyone: the tally and the vote chart (keyed on the
  figures, the last vote and the day), the rank explanation and the similar ideas, which also
  move with other ideas' votes and so are kept SHARED_TTL seconds (as the totals beside them
  are kept longer still);
- the viewer's own: the vote widget (a visitor's is every visitor's) and, for members, the note
  that staff recorded their vote and the follow and flag controls, keyed on their state (their
  vote, follow, flag) and not on who they are; their bell; and the comment thread
  (web/threads.py: a new comment shows at once, and each member sees their own edit, delete
  and flag controls).

Each part is rendered from the same partial of templates/ideas/idea_detail.html that renders
the whole page for everyone else, in a context of its own. What a kept rendering holds of the
request is a marker, filled per request: the CSRF token and the address forms return to
(web.cards), the username (web.skeleton), and the times, as they read now ("3 minutes ago":
web.times). One round trip to the cache reads all of it.

Only plain members and visitors get the skeleton, on a visible idea at its canonical address with
no query string: the idea's author (the held banner, Edit, Withdraw), staff (their panels and
controls), a banned member (a banner) and a request with a message to show get the page rendered
for them, as before. Without a shared cache, every page is rendered.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from board.selectors import board_settings
from core import pagecache
from core.roles import is_moderator, is_product_manager
from ideas import search
from ideas.models import Idea
from moderation.selectors import request_viewer_flags
from notifications.selectors import is_following, unread_count
from notifications.templatetags.notifications_tags import bell_context
from votes.selectors import idea_page_row, rank_explanation, vote_history
from web import cards, skeleton, threads
from web.cards import CSRF_MARK, NEXT_MARK
from web.times import MARKED_TIME, mark_times, time_text

PAGE_TEMPLATE = "ideas/idea_detail.html"
SKELETON_TTL = 300
SHARED_TTL = 60
# Renderings keyed on all they show: kept while they are read.
EXACT_TTL = 3600
# Bump when the page's markup changes in a way the keys would not see.
KEY_VERSION = 2
# The idea's columns the skeleton's key is made of, or that decide whether it may be used.
STATE_FIELDS = (
    "id",
    "title",
    "status",
    "category_id",
    "author_id",
    "session_id",
    "merged_into_id",
    "withdrawn_at",
    "hidden_at",
    "held_at",
    "created_at",
    "updated_at",
    "responded_at",
    "responded_by_id",
    "promotes",
    "demotes",
    "score",
    "popular_key",
    "trend",
    "last_voted_at",
)
FIGURES = ("tally", "chart")
VISITOR_PARTS = ("vote",)
MEMBER_PARTS = ("vote", "recorded", "actions")


def _mark(name: str) -> str:
    return f"\ue003{name}\ue003"


def _hash(prefix: str, parts: tuple) -> str:
    return f"{prefix}:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _gets_skeleton(request) -> bool:
    """Plain members and visitors, asking for the page alone (web.skeleton says why the rest
    differ)."""
    user = request.user
    if not settings.IDEAS_PAGE_CACHE or request.GET or "messages" in request.COOKIES:
        return False
    if user.is_authenticated and (
        user.is_staff
        or user.is_superuser
        or is_product_manager(user)
        or is_moderator(user)
        or user.is_banned
    ):
        return False
    return "_messages" not in request.session


def _shared(idea: Idea, slug: str | None, user) -> bool:
    """Whether this viewer sees the page every plain member (or visitor) sees at this address:
    a visible idea at its canonical address (a made-up slug is not kept), not their own."""
    return (
        idea.merged_into_id is None
        and idea.withdrawn_at is None
        and idea.hidden_at is None
        and idea.held_at is None
        and (slug is None or slug == idea.slug)
        and not (user.is_authenticated and idea.author_id == user.pk)
    )


@dataclass(frozen=True)
class _ViewerState:
    """All a member's own parts of the page show of them: their vote (and whether staff
    recorded it), whether they follow the idea, whether they flagged it."""

    vote: int | None
    recorded: bool
    following: bool
    flagged: bool


class _Viewer:
    """What of the viewer their parts read: whether they are logged in. Never the idea's
    author (who gets the page rendered for them): no one's id, not even a deleted author's."""

    pk = 0

    def __init__(self, member: bool):
        self.is_authenticated = member


class _Request:
    """What of the request the parts read: the viewer, and the address their forms return to,
    a marker filled in per request (web.cards.fill_request_marks)."""

    def __init__(self, viewer: _Viewer):
        self.user = viewer

    def get_full_path(self) -> str:
        return NEXT_MARK


@dataclass
class _Group:
    """Parts of the page kept together under `key`, for `ttl` seconds: `render()` gives them,
    by slot."""

    key: str
    ttl: int
    render: Callable[[], dict[str, str]]


def _partials(names: tuple[str, ...], values: Callable[[], dict]) -> Callable[[], dict]:
    """A group's render(): these partials of the page, in a context of their own."""

    def render() -> dict[str, str]:
        context = Context(values())
        return {
            name: get_template(f"{PAGE_TEMPLATE}#{name}").template.render(context) for name in names
        }

    return render


def _groups(request, idea: Idea, viewer: _ViewerState | None) -> list[_Group]:
    """The parts of the page besides the skeleton and the thread, each group keyed on what it
    shows."""
    language = get_language()
    board = board_settings()
    figures = (idea.pk, idea.promotes, idea.demotes, idea.last_voted_at)
    rank = (idea.pk, idea.popular_key, idea.trend, idea.category_id, idea.last_voted_at)
    vote = (idea.pk, idea.promotes, idea.demotes, idea.score, board.downvotes_enabled)
    groups = [
        _Group(
            # The chart's weeks end today.
            _hash("idea-figures", (KEY_VERSION, *figures, timezone.now().date(), language)),
            EXACT_TTL,
            _partials(FIGURES, lambda: {"idea": idea, "chart": vote_history(idea)}),
        ),
        _Group(
            _hash("idea-why", (KEY_VERSION, *rank, language)),
            SHARED_TTL,
            _partials(("why",), lambda: {"idea": idea, "why": rank_explanation(idea)}),
        ),
        _Group(
            _hash("idea-similar", (KEY_VERSION, idea.pk, idea.title, language)),
            SHARED_TTL,
            _partials(("similar",), lambda: {"similar": _similar(idea)}),
        ),
        _Group(
            _hash("idea-viewer", (KEY_VERSION, *vote, viewer, language)),
            EXACT_TTL,
            _partials(
                MEMBER_PARTS if viewer else VISITOR_PARTS,
                lambda: _viewer_context(idea, viewer, board),
            ),
        ),
    ]
    if viewer is not None:
        groups.append(_bell(request))
    return groups


def _similar(idea: Idea) -> list[Idea]:
    return search.similar_to(idea, Idea.objects.visible().exclude(pk=idea.pk))


_BELL_MARK = skeleton.Skeleton().mark("bell")


def _bell(request) -> _Group:
    """The member's bell (web.skeleton leaves a marker for it), kept under all it shows."""
    user = request.user
    context = bell_context(request, user, unread_count(user))
    shown = (user.username, context["unread"], context["current"], context["viewed_username"])
    return _Group(
        _hash("bell", (KEY_VERSION, *shown, get_language())),
        EXACT_TTL,
        lambda: {"bell": render_to_string("notifications/bell.html", context)},
    )


def _viewer_context(idea: Idea, viewer: _ViewerState | None, board) -> dict:
    user = _Viewer(member=viewer is not None)
    if viewer is not None:
        idea.viewer_vote, idea.viewer_flagged = viewer.vote, viewer.flagged
    else:
        idea.viewer_vote = None
    return {
        "idea": idea,
        "request": _Request(user),
        "user": user,
        "board": board,
        "viewer_vote_recorded": viewer is not None and viewer.recorded,
        "viewer_following": viewer is not None and viewer.following,
        "csrf_token": CSRF_MARK,
    }


def _skeleton_key(request, idea: Idea, member: bool) -> str:
    parts = (
        KEY_VERSION,
        member,
        request.path,
        get_language(),
        idea.pk,
        idea.title,
        idea.status,
        idea.category_id,
        idea.author_id,
        idea.author_shown,
        idea.session_id,
        # Every write of the idea's text, status, response or tags sets it.
        idea.updated_at,
        idea.responded_by_id,
    )
    return _hash("idea-page", parts)


def serve(request, pk: int, slug: str | None, render: Callable) -> HttpResponse | None:
    """The idea page from its pieces, or None when this request must get the page rendered
    for it. `render(request, pk, page_marks)` renders the page (idea_detail's own rendering);
    with page_marks, the skeleton."""
    if not _gets_skeleton(request):
        return None
    user = request.user
    idea = idea_page_row(pk, user, STATE_FIELDS)
    if idea is None or not _shared(idea, slug, user):
        return None
    member = user.is_authenticated
    viewer = None
    if member:
        viewer = _ViewerState(
            vote=idea.viewer_vote,
            recorded=idea.viewer_vote_recorded,
            following=is_following(user, idea),
            flagged=request_viewer_flags(request, idea.pk).idea,
        )
    skeleton_key = _skeleton_key(request, idea, member)
    groups = _groups(request, idea, viewer)
    thread = threads.kept_thread(request, idea)
    keys = [pagecache.VERSION_KEY, skeleton_key, *(g.key for g in groups)]
    found = cache.get_many([*keys, thread.key] if thread else keys)
    version = found.get(pagecache.VERSION_KEY)
    if version is None:
        version = pagecache.board_version()
        if version is None:  # no cache to be had
            return None
    entry = found.get(skeleton_key)
    if entry is None or entry[0] != version:
        names = (*FIGURES, "why", "similar", *(MEMBER_PARTS if member else VISITOR_PARTS))
        started = timezone.now()
        request.skeleton = skeleton.Skeleton()
        try:
            response = render(request, pk, {name: _mark(name) for name in (*names, "thread")})
        finally:
            del request.skeleton
        if response.status_code != 200:
            return response
        html = response.content.decode(response.charset)
        marked = mark_times(html, started)
        entry = (version, _cut(html if marked is None else marked))
        if marked is not None:
            cache.set(skeleton_key, entry, SKELETON_TTL)
    slots = {}
    for group in groups:
        parts = found.get(group.key)
        if parts is None:
            parts = group.render()
            cache.set(group.key, parts, group.ttl)
        slots.update(parts)
    if thread is not None:
        slots["thread"] = thread.html(found.get(thread.key))
    else:  # rendered for this viewer, markers filled
        slots["thread"] = threads.thread_html(request, idea)
    html = cards.fill_request_marks(request, _joined(entry[1], slots))
    if member:  # web.skeleton's markers
        html = skeleton.whoami_filled(html, user)
        html = html.replace(_BELL_MARK, slots["bell"])
    return HttpResponse(html)


# A slot's marker or a time's (web.times), each a group: re.split keeps them.
_CUTS = re.compile(f"\ue003(\\w+)\ue003|{MARKED_TIME.pattern}")


def _cut(html: str) -> tuple:
    """The skeleton cut at its markers, for _joined: text, slot, time, text, slot, time, …
    text (a slot or a time, the other None)."""
    return tuple(_CUTS.split(html))


def _joined(cut: tuple, slots: dict[str, str]) -> str:
    """The skeleton with each slot's part in, and its times as they read now."""
    now, language = timezone.now(), get_language()
    out = []
    for n in range(0, len(cut) - 1, 3):
        text, slot, time = cut[n : n + 3]
        out.append(text)
        out.append(slots[slot] if slot is not None else time_text(time, now, language))
    out.append(cut[-1])
    return "".join(out)
