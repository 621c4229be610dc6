from html import unescape

from django import template
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ideas.search import highlights
from web import times
from web.cards import card_params, render_cards

register = template.Library()

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 600, 160, 24


@register.filter
def ago(at) -> str:
    """How long ago, as "3 days ago"; "just now" under a minute (web.times.ago, which the
    pages kept in the cache fill in with the same text)."""
    return times.ago(at)


@register.simple_tag
def vote_chart(weeks) -> str:
    """A bar chart of promotes (up) and demotes (down) per week, as inline SVG with a text
    alternative: a table screen readers can read instead."""
    if not weeks:
        return ""
    peak = max(max(w.promotes, w.demotes) for w in weeks) or 1
    slot = (CHART_WIDTH - 2 * CHART_PAD) / len(weeks)
    middle = CHART_HEIGHT / 2
    scale = (middle - 14) / peak
    bars = []
    for i, week in enumerate(weeks):
        x = CHART_PAD + i * slot + slot * 0.15
        bars.append(
            {
                "x": round(x, 1),
                "width": round(slot * 0.7, 1),
                "up": round(week.promotes * scale, 1),
                "down": round(week.demotes * scale, 1),
                "up_y": round(middle - week.promotes * scale, 1),
                "week": week,
                "label_x": round(x + slot * 0.35, 1),
            }
        )
    context = {
        "bars": bars,
        "weeks": weeks,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "middle": middle,
        "pad": CHART_PAD,
        "peak": peak,
        "total": sum(w.promotes + w.demotes for w in weeks),
        "summary": _("Promotes and demotes per week over the last %(n)d weeks") % {"n": len(weeks)},
    }
    return render_to_string("includes/vote_chart.html", context)


@register.simple_tag(takes_context=True)
def idea_cards(context, ideas) -> str:
    """The ideas' cards (includes/idea_card.html), each rendered once per idea version and
    viewer state and then reused (web/cards.py); while a member's page is rendered for the
    shared cache, a marker the page's viewer gets their cards in (web/skeleton.py)."""
    request = context.get("request")
    params = card_params(context)
    skeleton = getattr(request, "skeleton", None)
    if skeleton is not None:
        return skeleton.add_cards(list(ideas), params)
    return mark_safe(render_cards(request, ideas, params))


@register.simple_tag
def search_highlights(idea, text: str):
    """(title, snippet) with the matches of the search text marked."""
    return highlights(idea, text)


@register.filter
def plain_text(html: str) -> str:
    """Rendered (sanitised) Markdown as plain text, for excerpts: tags stripped, entities read
    back, so the template escapes it exactly once."""
    return unescape(strip_tags(html or ""))


EXCERPT_LENGTH = 160


@register.filter
def excerpt(html: str, length: int = EXCERPT_LENGTH) -> str:
    """Rendered Markdown as one line of plain text of at most `length` characters, cut at a
    word with an ellipsis (a single word longer than that is cut where it must be)."""
    text = " ".join(plain_text(html).split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    if text[length - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:!?-\u2013\u2014") + "\u2026"


@register.inclusion_tag("ideas/merge_controls.html", takes_context=True)
def merge_controls(context, idea) -> dict:
    """The product team's merge form for this idea, and undo for the merges into it."""
    from web.ideas.forms import MergeForm

    return {
        "idea": idea,
        "form": MergeForm(),
        "merges_in": list(idea.merges_in.filter(undone_at__isnull=True).select_related("merged")),
        "csrf_token": context.get("csrf_token"),
    }
