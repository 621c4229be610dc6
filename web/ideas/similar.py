"""The similar ideas the submit form shows while a member types a title (/ideas/similar/), from
renderings kept in the shared cache.

Each answer took a full-text and a trigram lookup over every idea (tens of milliseconds on a big
board) and five vote widgets rendered. Which ideas resemble a title changes only with the board
(ideas.search.similar_ids keeps the ids per board version); what the panel shows of them moves
with votes, so each request reads the ideas' figures and the viewer's votes on them (one plain
query: votes.selectors.ideas_with_viewer_votes) and the panel is kept under exactly those, the
board version (category names) and whether the viewer is logged in: never stale, and never one
viewer's votes shown to another. The CSRF token and the address the vote forms return to are
markers, filled per request (web.cards). Without a shared cache, the panel is rendered.
"""

import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.template import Context
from django.template.loader import get_template
from django.utils.translation import get_language

from board.selectors import board_settings
from core import pagecache
from ideas import search
from ideas.models import Idea
from votes.selectors import ideas_with_viewer_votes
from web.cards import CSRF_MARK, NEXT_MARK, fill_request_marks

TEMPLATE = "ideas/similar.html"
# Keyed on all it shows: kept while it is read.
PANEL_TTL = 3600
# Bump when the panel's markup changes in a way the key would not see.
KEY_VERSION = 2
FIELDS = (
    "id",
    "title",
    "status",
    "category_id",
    "promotes",
    "demotes",
    "score",
    "withdrawn_at",
    "hidden_at",
    "held_at",
    "merged_into_id",
)


class _Viewer:
    """What of the viewer the panel reads: whether they are logged in."""

    def __init__(self, member: bool):
        self.is_authenticated = member


class _Request:
    """What of the request the panel reads: the address its forms return to, a marker."""

    def get_full_path(self) -> str:
        return NEXT_MARK


def _visible(idea: Idea) -> bool:
    """As Idea.objects.visible(): one hidden, held or merged since the ids were kept drops out
    at once."""
    return (
        idea.withdrawn_at is None
        and idea.hidden_at is None
        and idea.held_at is None
        and idea.merged_into_id is None
    )


def similar_panel(request, title: str) -> HttpResponse:
    """templates/ideas/similar.html for this title and viewer."""
    user = request.user
    ids = search.similar_ids(title)
    ideas = [idea for idea in ideas_with_viewer_votes(ids, user, FIELDS) if _visible(idea)]
    member = user.is_authenticated
    board = board_settings()
    shown = tuple(
        (i.pk, i.title, i.status, i.category_id, i.promotes, i.demotes, i.score, i.viewer_vote)
        for i in ideas
    )
    parts = (KEY_VERSION, shown, member, board.downvotes_enabled, get_language())
    key = "similar-panel:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    found = cache.get_many([pagecache.VERSION_KEY, key])
    version = found.get(pagecache.VERSION_KEY)
    kept = found.get(key)
    if kept is not None and version is not None and kept[0] == version:
        html = kept[1]
    else:
        html = _render(ideas, member, board, title)
        if version is not None:
            cache.set(key, (version, html), PANEL_TTL)
    return HttpResponse(fill_request_marks(request, html))


def _render(ideas: list[Idea], member: bool, board, title: str) -> str:
    """The panel, in a context of its own: nothing of the request's but markers reaches it."""
    full = Idea.objects.for_list().in_bulk([idea.pk for idea in ideas])
    similar = []
    for idea in ideas:
        if idea.pk in full:
            # What the key was made of, as read: not what a vote since has changed.
            for name in (*FIELDS, "viewer_vote"):
                setattr(full[idea.pk], name, getattr(idea, name))
            similar.append(full[idea.pk])
    context = {
        "similar": similar,
        "title": title,
        "request": _Request(),
        "user": _Viewer(member),
        "board": board,
        "csrf_token": CSRF_MARK,
    }
    return get_template(TEMPLATE).template.render(Context(context))
