"""Idea cards rendered once per idea version and viewer state, then reused by every page.

A page of 20 cards took 85% of a member's Popular page (each card is a few hundred template
nodes: the vote widget, the status badge, the author link, the time). A card's markup depends
on the idea's fields shown, on the viewer only through their own vote on it (none, promote,
demote) and whether they are logged in, and on the board's demote switch. A card is rendered
from exactly those (CardParams and the idea, in a context of its own: nothing else of the
request's can reach it) and kept under a hash of exactly those, so a card is never stale (a vote
changes the score, so the key) and never shows another member's vote state (two members with the
same vote on an idea get the same markup, which says nothing about either). The two things a
card holds that belong to the request, the CSRF token and the address the vote form returns to,
are rendered as markers and put in afterwards. The time ("3 days ago") is the one thing the key
leaves out: a card lives CARD_TTL seconds, which bounds how far behind it can be.

A card also shows an excerpt of the description, the number of comments and, on Popular, the
figure the order follows (the decayed score, "why"): with_card_figures() reads the last two in
the list's own query, and the key holds each (the why figure rounded as shown), so a new comment,
or time that changes the figure shown, changes the key.

The cache is the shared one (Redis), one round trip for the whole page, and it fails open:
without Redis the cards are rendered, as before.
"""

import hashlib
from dataclasses import asdict, dataclass

from django.core.cache import cache
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.middleware.csrf import get_token
from django.template import Context
from django.template.loader import get_template
from django.utils.html import escape
from django.utils.translation import get_language

from comments.models import Comment
from core import formtokens
from ideas.models import IdeaQuerySet
from votes.models import RankingEpoch
from votes.ranking_sql import seconds_since_sql
from web.templatetags.avatars import avatar_inputs

CARD_TEMPLATE = "includes/idea_card.html"
CARD_TTL = 60
# Private-use characters: never in a title or a URL as a page renders them, so replacing them
# can't touch the text around them.
NEXT_MARK = "\ue000next\ue000"
CSRF_MARK = "\ue000csrf\ue000"
# Bump when a card's markup changes in a way the key would not see (a new field on the card).
KEY_VERSION = 2


@dataclass(frozen=True)
class CardParams:
    """What a card shows of the page it is on, besides the idea and the viewer's vote."""

    member: bool  # the viewer is logged in: the vote buttons post
    visitor_posts: bool  # a visitor's buttons post too (a page never cached: the idea's own)
    demotes_on: bool  # the board's demote switch
    q: str  # the search, whose matches the card marks
    why: bool = False  # the list is in Popular order: each card shows the figure it follows


def card_params(context) -> CardParams:
    """The card parameters of a template context (the page being rendered)."""
    user = context.get("user")
    board = context.get("board")
    return CardParams(
        member=bool(user is not None and user.is_authenticated),
        visitor_posts=bool(context.get("visitor_posts")),
        demotes_on=bool(board is None or board.downvotes_enabled),
        q=str(context.get("q") or ""),
        why=context.get("sort") == "popular",
    )


def with_card_figures(ideas: IdeaQuerySet) -> IdeaQuerySet:
    """Annotate what a card shows besides the idea's own columns, in the list's own query:
    `comment_count` (the comments everyone sees) and `popular_now` (the decayed score the
    Popular order follows, in fresh votes)."""
    shown = Comment.objects.filter(
        idea=OuterRef("pk"), deleted_at__isnull=True, hidden_at__isnull=True, held_at__isnull=True
    )
    count = shown.order_by().values("idea").annotate(n=Count("pk")).values("n")
    epoch = RankingEpoch._meta.db_table
    t0, half_life = (f"(SELECT {c} FROM {epoch} WHERE id = 1)" for c in ("t0", "half_life_days"))
    # votes.ranking.decayed_score in SQL: the key scaled from t0 back to the present.
    decayed = (
        f"{ideas.model._meta.db_table}.popular_key * POWER(CAST(2 AS DOUBLE PRECISION), "
        f"-({seconds_since_sql('CURRENT_TIMESTAMP', t0)}) / ({half_life} * 86400.0))"
    )
    return ideas.annotate(
        comment_count=Coalesce(Subquery(count, output_field=IntegerField()), 0),
        popular_now=RawSQL(decayed, []),
    )


def why_figure(idea) -> str:
    """The decayed score as a card shows it: one decimal below 100, whole above."""
    value = getattr(idea, "popular_now", None)
    if value is None:
        return ""
    value = float(value)
    text = f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}"
    return "0" if text in ("0.0", "-0.0", "-0") else text.replace("-", "\u2212")


def put_card_figures(ideas: list) -> None:
    """Set with_card_figures()'s figures on the ideas read without them, in one query for all.
    In the list's own query they are computed for every row the database steps over too: deep
    pages (a large OFFSET) ask here instead."""
    missing = [idea for idea in ideas if not hasattr(idea, "comment_count")]
    if not missing:
        return
    rows = with_card_figures(
        type(missing[0])._default_manager.filter(pk__in=[i.pk for i in missing])
    )
    figures = {
        pk: (count, now)
        for pk, count, now in rows.values_list("pk", "comment_count", "popular_now")
    }
    for idea in missing:
        idea.comment_count, idea.popular_now = figures.get(idea.pk, (0, None))


class _Board:
    """What of the board a card reads."""

    def __init__(self, demotes_on: bool):
        self.downvotes_enabled = demotes_on


class _Viewer:
    """What of the viewer a card reads: nothing but whether they are logged in."""

    def __init__(self, member: bool):
        self.is_authenticated = member


def _card_key(idea, params: CardParams) -> str:
    author = idea.author
    category = idea.category
    parts = (
        KEY_VERSION,
        idea.pk,
        idea.title,
        # The search marks a snippet of the description; otherwise the card shows an excerpt.
        idea.description if params.q else idea.description_html,
        idea.comment_count,
        why_figure(idea) if params.why else None,
        idea.status,
        idea.created_at.isoformat(),
        idea.promotes,
        idea.demotes,
        idea.score,
        category.slug,
        category.name,
        author.username if author else None,
        author.deleted_at.isoformat() if author and author.deleted_at else None,
        avatar_inputs(author),
        getattr(idea, "viewer_vote", None),
        astuple_params(params),
        get_language(),
    )
    return "card:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def astuple_params(params: CardParams) -> tuple:
    return tuple(asdict(params).values())


def card_pieces(ideas: list, params: CardParams) -> list[str]:
    """Each idea's card (each with `viewer_vote`, `category` and `author` loaded), with the
    markers still in: one cache round trip for all, the missing ones rendered and stored."""
    put_card_figures(ideas)
    keys = [_card_key(idea, params) for idea in ideas]
    found = cache.get_many(keys) if keys else {}
    missing = {}
    template = get_template(CARD_TEMPLATE).template
    for idea, key in zip(ideas, keys, strict=True):
        if key not in found:
            context = Context(
                {
                    "idea": idea,
                    "user": _Viewer(params.member),
                    "board": _Board(params.demotes_on),
                    "visitor_posts": params.visitor_posts,
                    "q": params.q,
                    "why": why_figure(idea) if params.why else "",
                    "card_next_url": NEXT_MARK,
                    "csrf_token": CSRF_MARK,
                }
            )
            found[key] = missing[key] = template.render(context)
    if missing:
        cache.set_many(missing, CARD_TTL)
    return [found[key] for key in keys]


def render_cards(request, ideas, params: CardParams) -> str:
    """The cards of these ideas for this request, markers filled in."""
    html = "".join(card_pieces(list(ideas), params))
    return fill_request_marks(request, html)


def fill_request_marks(request, html: str) -> str:
    """Put the request's return address and CSRF token where cards left their markers."""
    if NEXT_MARK in html:
        next_url = escape(request.get_full_path()) if request is not None else ""
        html = html.replace(NEXT_MARK, next_url)
    if CSRF_MARK in html:
        html = html.replace(CSRF_MARK, escape(get_token(request)) if request is not None else "")
    # A create form's one-time token: a fresh one per form and request (core.formtokens).
    return formtokens.fill_token_marks(html)
