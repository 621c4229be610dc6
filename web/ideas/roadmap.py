"""The public roadmap (/roadmap/): the visible ideas that are planned, in progress and recently
implemented, a column each, ranked by Popular. The page, the API (web.ideas.api.RoadmapApi) and
the Atom feed (web.ideas.feeds.RoadmapFeed) read the same columns from here.

"Recently implemented" is dated by the status history: an implemented idea stays on the roadmap
for RECENTLY_IMPLEMENTED after a StatusChange moved it there (the statuschange_idea_idx index
answers the lookup). An implemented idea with no recorded change (imported or seeded in bulk) has
no date, so it is not recent."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core import pagecache
from core.pagecache import cache_for_visitors, wants_fragment
from core.text import printable_line
from ideas.models import Category, Idea, IdeaQuerySet, Status, StatusChange
from web.cards import with_card_figures

ROADMAP_STATUSES = (Status.PLANNED, Status.IN_PROGRESS, Status.IMPLEMENTED)
RECENTLY_IMPLEMENTED = dt.timedelta(days=90)
# Cards per column; the rest are a link to the idea list with that status.
COLUMN_SIZE = 20
COLUMN_NOTES = {
    Status.IMPLEMENTED: gettext_lazy("In the last %(days)d days.")
    % {"days": RECENTLY_IMPLEMENTED.days},
}


@dataclass
class Column:
    status: str
    label: str
    count: int
    ideas: list[Idea] = field(default_factory=list)
    category: Category | None = None

    @property
    def more(self) -> int:
        """How many of the column's ideas are not shown."""
        return max(self.count - len(self.ideas), 0)

    @property
    def more_url(self) -> str:
        """The idea list with this status (and category), ranked by Popular as here."""
        query = QueryDict(mutable=True)
        query["status"] = self.status
        if self.category is not None:
            query["category"] = self.category.slug
        return f"{reverse('idea-list')}?{query.urlencode()}"

    @property
    def note(self) -> str:
        return COLUMN_NOTES.get(self.status, "")


def _in_column(status: str, now: dt.datetime) -> Q:
    if status != Status.IMPLEMENTED:
        return Q(status=status)
    # Any move to Implemented within the window: then the latest one is within it too.
    moved = StatusChange.objects.filter(
        idea=OuterRef("pk"),
        new_status=Status.IMPLEMENTED,
        created_at__gte=now - RECENTLY_IMPLEMENTED,
    )
    return Q(Exists(moved), status=status)


def roadmap_ideas(*, now: dt.datetime | None = None) -> IdeaQuerySet:
    """Every visible idea on the roadmap, whatever its column."""
    now = now or timezone.now()
    on_roadmap = Q()
    for status in ROADMAP_STATUSES:
        on_roadmap |= _in_column(status, now)
    return Idea.objects.visible().filter(on_roadmap)


def with_status_since(ideas: IdeaQuerySet) -> IdeaQuerySet:
    """Annotate `status_since`: when the idea got its status (its latest status change), or when
    it was created if no change is recorded."""
    latest = StatusChange.objects.filter(idea=OuterRef("pk")).order_by("-created_at", "-id")
    return ideas.annotate(
        status_since=Coalesce(Subquery(latest.values("created_at")[:1]), "created_at")
    )


def roadmap_columns(
    *,
    viewer,
    category: Category | None = None,
    with_tags: bool = False,
    size: int = COLUMN_SIZE,
    now: dt.datetime | None = None,
) -> list[Column]:
    """The roadmap's columns for this viewer (their vote on each idea), in one category or all:
    one query counts every column, then one per column that has ideas reads its first `size`."""
    now = now or timezone.now()
    ideas = Idea.objects.visible().filter(status__in=ROADMAP_STATUSES)
    if category is not None:
        ideas = ideas.filter(category=category)
    counts = ideas.aggregate(
        **{f"c{i}": Count("pk", filter=_in_column(s, now)) for i, s in enumerate(ROADMAP_STATUSES)}
    )
    columns = []
    for i, status in enumerate(ROADMAP_STATUSES):
        column = Column(status, Status(status).label, counts[f"c{i}"], category=category)
        if column.count:
            cards = with_status_since(ideas.filter(_in_column(status, now)))
            cards = with_card_figures(cards.for_list().with_viewer_vote(viewer))
            cards = cards.ranked("popular")
            if with_tags:
                cards = cards.prefetch_related("tags")
            column.ideas = list(cards[:size])
        columns.append(column)
    return columns


# What the page reads from the query string, as the page cache must know it (core.pagecache).
ROADMAP_QUERY = {
    "category": pagecache.slug(
        max_length=60, known=lambda slug: Category.objects.filter(slug=slug).exists()
    ),
}


@require_GET
@cache_for_visitors(query=ROADMAP_QUERY)
def roadmap(request):
    categories = list(Category.objects.all())
    slug = printable_line(request.GET.get("category", ""))[:60]
    category = next((c for c in categories if c.slug == slug), None) if slug else None
    if category is not None and category.merged_into_id:
        # A merged category's address leads to the one its ideas went into.
        target = next(c for c in categories if c.pk == category.merged_into_id)
        return redirect(f"{request.path}?category={target.slug}")
    context = {
        # The filter offers what has ideas of its own: not the merged categories.
        "categories": [c for c in categories if not c.merged_into_id],
        "category": category,
        "unknown_category": slug if slug and category is None else "",
        "recent_days": RECENTLY_IMPLEMENTED.days,
    }
    status = 200
    if context["unknown_category"]:
        # The page, with its filter and a message, rather than a bare 404: a renamed category's
        # old link leads somewhere useful.
        context["columns"], status = [], 404
    else:
        context["columns"] = roadmap_columns(viewer=request.user, category=category)
    fragment = wants_fragment(request)
    template = "ideas/roadmap.html#board" if fragment else "ideas/roadmap.html"
    return render(request, template, {**context, "fragment": fragment}, status=status)
