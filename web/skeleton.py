"""Members' list pages from a shared skeleton: the page rendered once for every member, with
markers where one member's page differs from another's, filled in per request.

Visitors get whole pages from core.pagecache. A member's page differed only in a few places, yet
was rendered whole for each request: 20 cards and the page around them, 85% of the time of a
member's Popular page (0.04-0.06x the API root's rate). Here the page is rendered for the shared
cache with markers, at the same board and votes versions as the visitors' pages (and the same
LIVE_LAG), and each member's request fills in:

- the cards: each group of cards (`{% idea_cards %}`) is a marker; the ideas are kept with the
  skeleton, the viewer's votes on them read in one query, and the cards come from web/cards.py
  (so the viewer sees their own vote at once, whatever the skeleton's age);
- the CSRF token (one marker for the page and the cards), the username in the header, and the
  bell (its unread count and links: notifications_tags.bell_context).

Nothing else on a page may depend on who the member is, which is why only plain members get a
skeleton: staff (product managers, moderators, admins) have links and counts of their own in the
header and always get a page rendered for them, as does a banned member (a banner), a request
with a message to show (a message is one member's), and a list filtered by the member's own
ideas, votes or follows (`show=`). Pages that use this declare it with @cache_pages.
"""

import pickle
from dataclasses import dataclass, field
from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.translation import get_language

from core import pagecache
from core.roles import is_moderator, is_product_manager
from ideas.models import viewer_votes
from notifications.templatetags.notifications_tags import bell_context
from web import cards
from web.templatetags.avatars import avatar

CSRF_MARK = cards.CSRF_MARK


def _mark(name: str) -> str:
    return f"\ue001{name}\ue001"


USER_MARK = _mark("user")
AVATAR_MARK = _mark("avatar")


@dataclass
class Skeleton:
    """request.skeleton while a member's page is rendered for the shared cache: the templates'
    per-member parts ask it for markers."""

    # Each group of cards: its ideas' ids, its parameters, its cards for a member without a
    # vote, and its ideas pickled.
    groups: list[tuple[list[int], cards.CardParams, list[str], bytes]] = field(default_factory=list)

    def mark(self, name: str) -> str:
        return _mark(name)

    def add_cards(self, ideas: list, params: cards.CardParams) -> str:
        # Each card as a member who has not voted on it sees it, rendered now: most members
        # have voted on few of a page's ideas, and only those cards are made per request, from
        # the ideas kept pickled (unpickled only then: 60 model objects took a millisecond).
        for idea in ideas:
            idea.viewer_vote = None
        pieces = cards.card_pieces(ideas, params)
        ids = [idea.pk for idea in ideas]
        self.groups.append((ids, params, pieces, pickle.dumps(ideas)))
        return _mark(f"cards:{len(self.groups) - 1}")


def context(request) -> dict:
    """Context processor: while a skeleton is rendered, the CSRF token, the username and the
    member's avatar in the header are markers."""
    if getattr(request, "skeleton", None) is None:
        return {}
    return {"csrf_token": CSRF_MARK, "whoami": USER_MARK, "whoami_avatar": AVATAR_MARK}


def whoami_filled(html: str, user) -> str:
    """The header's username and avatar markers filled in for this member."""
    if USER_MARK in html:
        html = html.replace(USER_MARK, escape(user.username))
    if AVATAR_MARK in html:
        html = html.replace(AVATAR_MARK, avatar(user, size=24))
    return html


def cache_pages(view=None, *, query: dict[str, pagecache.Param] | None = None):
    """core.pagecache.cache_for_visitors for visitors, and a shared skeleton for members.
    Use as @cache_pages or @cache_pages(query={...})."""
    declared = dict(query or {})

    def decorate(view):
        for_visitors = pagecache.cache_for_visitors(view, query=declared)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if _gets_skeleton(request):
                canonical = pagecache.canonical_query(request, declared)
                if canonical is not None and not canonical.get("show"):
                    response = _from_skeleton(view, request, declared, canonical, args, kwargs)
                    patch_vary_headers(response, ("HX-Request",))
                    return response
            return for_visitors(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def _gets_skeleton(request) -> bool:
    user = request.user
    return (
        settings.IDEAS_PAGE_CACHE
        and request.method == "GET"
        and user.is_authenticated
        and not (user.is_staff or user.is_superuser)
        and not is_product_manager(user)
        and not is_moderator(user)
        and not user.is_banned
        and "messages" not in request.COOKIES
        and "_messages" not in request.session
    )


class _NotShared(Exception):
    """The view answered something else than a page: it is rendered again, for this member."""


def _from_skeleton(
    view, request, declared: dict, canonical: dict[str, str], args, kwargs
) -> HttpResponse:
    def render() -> dict:
        request.skeleton = Skeleton()
        try:
            response = view(request, *args, **kwargs)
        finally:
            skeleton = request.__dict__.pop("skeleton")
        if response.status_code != 200 or getattr(response, "streaming", False):
            raise _NotShared
        return {
            "html": response.content.decode(response.charset),
            "groups": skeleton.groups,
            "content_type": response["Content-Type"],
        }

    name = f"member-page:{int(pagecache.wants_fragment(request))}:{get_language()}"
    try:
        entry = pagecache.shared(
            request,
            name,
            canonical,
            render,
            keep=lambda: pagecache.known_values(declared, canonical),
        )
    except _NotShared:
        return view(request, *args, **kwargs)
    return HttpResponse(_filled(request, entry), content_type=entry["content_type"])


def _filled(request, entry: dict) -> str:
    html = entry["html"]
    votes = viewer_votes(request.user, [pk for ids, *_rest in entry["groups"] for pk in ids])
    for n, (ids, params, pieces, pickled) in enumerate(entry["groups"]):
        voted = [i for i, pk in enumerate(ids) if pk in votes]
        if voted:
            ideas = pickle.loads(pickled)  # written by skeleton renders, in our own cache
            for idea in ideas:
                idea.viewer_vote = votes.get(idea.pk)
            pieces = list(pieces)
            mine = cards.card_pieces([ideas[i] for i in voted], params)
            for i, piece in zip(voted, mine, strict=True):
                pieces[i] = piece
        html = html.replace(_mark(f"cards:{n}"), "".join(pieces), 1)
    html = whoami_filled(cards.fill_request_marks(request, html), request.user)
    bell = _mark("bell")
    if bell in html:
        context = bell_context(request, request.user)
        html = html.replace(bell, render_to_string("notifications/bell.html", context))
    return html
