"""Reads for the moderation queue: flagged, held and hidden ideas and comments, and the
vote-stuffing cases, a page at a time in a fixed number of queries whatever the page holds.

A tab's rows come from one UNION of ideas and comments, (kind, id, when, open flags), sorted
and paginated in SQL; the page's ideas and comments are then loaded with their open flags."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, Count, F, IntegerField, Max, Prefetch, Q, Value, When

from comments.models import Comment
from ideas.models import Idea
from moderation.models import Flag, StuffingCase

PAGE_SIZE = 20
TABS = ("flagged", "held", "hidden", "stuffing")
SORTS = ("newest", "flags")
OPEN = Q(flags__resolved_at__isnull=True)


@dataclass
class QueueItem:
    kind: str  # "idea" or "comment"
    target: Idea | Comment
    # When it entered this tab: its latest open flag, when it was held, or hidden.
    at: object
    open_flags: list[Flag]

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.target.pk}"

    @property
    def idea(self) -> Idea:
        return self.target if self.kind == "idea" else self.target.idea

    @property
    def reasons(self) -> list[str]:
        return sorted({flag.get_reason_display() for flag in self.open_flags})


def _rows(model, kind: str, tab: str):
    rows = model.objects.annotate(
        kind=Value(kind, CharField()),
        open_flags=Count("flags", filter=OPEN),
        last_flag_at=Max("flags__created_at", filter=OPEN),
    )
    if tab == "flagged":
        rows = rows.filter(open_flags__gt=0).annotate(at=F("last_flag_at"))
    elif tab == "held":
        rows = rows.filter(held_at__isnull=False, hidden_at__isnull=True).annotate(at=F("held_at"))
    else:
        rows = rows.filter(hidden_at__isnull=False).annotate(at=F("hidden_at"))
    if model is Idea:
        rows = rows.filter(withdrawn_at__isnull=True)
    else:
        rows = rows.filter(deleted_at__isnull=True, idea__withdrawn_at__isnull=True)
    return rows.values_list("kind", "pk", "at", "open_flags")


def queue_rows(tab: str, sort: str):
    """(kind, id, at, open flags) of a content tab, newest or most flagged first."""
    rows = _rows(Idea, "idea", tab).union(_rows(Comment, "comment", tab), all=True)
    order = ("-at", "-open_flags") if sort == "newest" else ("-open_flags", "-at")
    return rows.order_by(*order, "kind", "-pk")


def _open_flags_prefetch() -> Prefetch:
    return Prefetch(
        "flags",
        queryset=Flag.objects.filter(resolved_at__isnull=True)
        .select_related("flagger")
        .order_by("-created_at", "-id"),
        to_attr="open_flag_list",
    )


def queue_items(rows) -> list[QueueItem]:
    """The page's rows as items, with their content and open flags: four queries."""
    rows = list(rows)
    idea_ids = [pk for kind, pk, _, _ in rows if kind == "idea"]
    comment_ids = [pk for kind, pk, _, _ in rows if kind == "comment"]
    loaded = {}
    if idea_ids:
        ideas = Idea.objects.filter(pk__in=idea_ids).select_related("author", "category")
        loaded.update({("idea", i.pk): i for i in ideas.prefetch_related(_open_flags_prefetch())})
    if comment_ids:
        comments = Comment.objects.filter(pk__in=comment_ids).select_related("author", "idea")
        loaded.update(
            {("comment", c.pk): c for c in comments.prefetch_related(_open_flags_prefetch())}
        )
    items = []
    for kind, pk, at, _ in rows:
        target = loaded.get((kind, pk))
        if target is not None:
            items.append(QueueItem(kind, target, at, target.open_flag_list))
    return items


def queue_page(tab: str, sort: str, number) -> tuple[Page, list]:
    """One page of a tab: the paginator's page and its items (QueueItem, or StuffingCase)."""
    if tab == "stuffing":
        page = Paginator(stuffing_cases(), PAGE_SIZE).get_page(number)
        return page, list(page.object_list)
    page = Paginator(queue_rows(tab, sort), PAGE_SIZE).get_page(number)
    return page, queue_items(page.object_list)


def stuffing_cases():
    """Open cases first, then the newest; with their idea, accounts and vote count."""
    return (
        StuffingCase.objects.select_related("idea", "decided_by")
        .prefetch_related("accounts")
        .annotate(
            vote_count=Count("votes", distinct=True),
            open_first=Case(
                When(state=StuffingCase.State.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("open_first", "-detected_at", "-id")
    )


def tab_counts(known: dict[str, int] | None = None) -> dict[str, int]:
    """How many items wait in each tab (open cases for stuffing): one query per tab not
    already `known` (the shown tab's paginator has counted it)."""
    known = known or {}
    counts = {
        tab: known[tab] if tab in known else queue_rows(tab, "newest").count()
        for tab in TABS
        if tab != "stuffing"
    }
    counts["stuffing"] = StuffingCase.objects.filter(state=StuffingCase.State.OPEN).count()
    return counts


def open_flag_counts(*, ideas=(), comments=()) -> dict[tuple[str, int], int]:
    """Open flags per ("idea" | "comment", id), for the controls on the idea page."""
    counts: dict[tuple[str, int], int] = {}
    for kind, ids in (("idea", ideas), ("comment", comments)):
        if ids:
            rows = (
                Flag.objects.filter(resolved_at__isnull=True, **{f"{kind}_id__in": list(ids)})
                .values_list(f"{kind}_id")
                .annotate(n=Count("id"))
            )
            counts.update({(kind, pk): n for pk, n in rows})
    return counts
