"""Reads for the product managers' dashboard: the latest top product requests with their
movement and demand by customer segment, and the figures a product manager reports upward.
Each read is one aggregate query (two for the median), whatever the size of the board."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ideas.models import OPEN_STATUSES, Idea, Status, StatusChange
from pm import charts
from votes.models import TopRequestEntry, TopRequestSnapshot, Vote
from votes.selectors import votes_by_segment

# An idea with at least this net score is one a product manager owes an answer
# (settings.PM_RESPONSE_THRESHOLD overrides it).
RESPONSE_THRESHOLD = 10
# Where board_overview keeps its figures, and for how many seconds.
OVERVIEW_KEY = "pm-dashboard-overview"
OVERVIEW_TTL = 300
# accounts.User.Segment values, "" for members without one, in the dashboard's column order.
SEGMENTS = (
    ("consumer", gettext_lazy("Consumer")),
    ("small-business", gettext_lazy("Small business")),
    ("enterprise", gettext_lazy("Enterprise")),
    ("", gettext_lazy("Unknown")),
)


def response_threshold() -> int:
    return getattr(settings, "PM_RESPONSE_THRESHOLD", RESPONSE_THRESHOLD)


def latest_snapshot() -> TopRequestSnapshot | None:
    return TopRequestSnapshot.objects.order_by("-period").first()


@dataclass(frozen=True)
class TopRequest:
    entry: TopRequestEntry
    # Promotes counted now (quarantined votes left out), then per segment in SEGMENTS order.
    promotes: int
    by_segment: list[int]

    @property
    def idea(self) -> Idea:
        return self.entry.idea

    @property
    def moved(self) -> str:
        """ "up", "down", "same", or "new" (not in the previous snapshot's list)."""
        movement = self.entry.movement
        if movement is None:
            return "new"
        return "up" if movement > 0 else "down" if movement < 0 else "same"

    @property
    def places(self) -> int:
        return abs(self.entry.movement or 0)


def top_requests(snapshot: TopRequestSnapshot, filters) -> list[TopRequest]:
    """The snapshot's list (overall, or the filtered category's own list), narrowed by the
    other filters, with the ideas' promotes by customer segment. Two queries."""
    category = filters.cleaned_data.get("category")
    entries = filters.apply(
        snapshot.entries.filter(category=category, idea__in=Idea.objects.visible()),
        prefix="idea__",
    )
    entries = list(entries.select_related("idea", "idea__category").order_by("rank"))
    segments = votes_by_segment(e.idea_id for e in entries)
    rows = []
    for entry in entries:
        counts = segments[entry.idea_id]
        by_segment = [counts.get(key, {}).get("promotes", 0) for key, _ in SEGMENTS]
        rows.append(TopRequest(entry=entry, promotes=sum(by_segment), by_segment=by_segment))
    return rows


@dataclass(frozen=True)
class VoteDay:
    day: dt.date
    promotes: int
    demotes: int


def _days(now: dt.datetime, days: int) -> tuple[dt.date, dt.datetime]:
    """The first of the last `days` days (today included) and its midnight."""
    first = timezone.localdate(now) - dt.timedelta(days=days - 1)
    return first, timezone.make_aware(dt.datetime.combine(first, dt.time.min))


def votes_per_day(*, days: int = 30, now: dt.datetime | None = None) -> list[VoteDay]:
    """Promotes and demotes cast per day over the last `days` days (oldest first), not
    counting quarantined votes."""
    now = now or timezone.now()
    first, since = _days(now, days)
    rows = (
        Vote.objects.filter(created_at__gte=since, quarantine__isnull=True)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(promotes=Count("pk", filter=Q(value=1)), demotes=Count("pk", filter=Q(value=-1)))
        .order_by()
    )
    found = {row["day"]: row for row in rows}
    result = []
    for i in range(days):
        day = first + dt.timedelta(days=i)
        row = found.get(day, {})
        result.append(VoteDay(day, row.get("promotes", 0), row.get("demotes", 0)))
    return result


def _first_response_at():
    """When the idea was first answered: its first status change with a response, or (for
    ideas answered before the history was kept) its latest response."""
    first = (
        StatusChange.objects.filter(idea=OuterRef("pk"))
        .exclude(response="")
        .order_by("created_at", "id")
        .values("created_at")[:1]
    )
    return Coalesce(Subquery(first), F("responded_at"))


def median_time_to_response() -> dt.timedelta | None:
    """The median time from an idea's creation to its first official response, over the
    visible ideas answered so far; None when none is. Two queries: a count, then the one or two
    middle values in order."""
    answered = (
        Idea.objects.visible()
        .filter(responded_at__isnull=False)  # idea_status_set sets it with every response
        .annotate(
            wait=ExpressionWrapper(
                _first_response_at() - F("created_at"), output_field=DurationField()
            )
        )
    )
    count = answered.count()
    if not count:
        return None
    middle = list(
        answered.order_by("wait").values_list("wait", flat=True)[(count - 1) // 2 : count // 2 + 1]
    )
    return sum(middle, dt.timedelta()) / len(middle)


@dataclass(frozen=True)
class Figures:
    days: int
    new_ideas: int
    votes: int
    threshold: int
    above_threshold: int
    answered_above_threshold: int
    waiting: int
    median_response: dt.timedelta | None
    per_status: list[tuple[str, str, int]]  # (status, label, ideas)

    @property
    def response_rate(self) -> float | None:
        if not self.above_threshold:
            return None
        return self.answered_above_threshold / self.above_threshold


def ideas_per_status() -> dict[str, int]:
    rows = Idea.objects.visible().values("status").annotate(n=Count("pk")).order_by()
    counts = {row["status"]: row["n"] for row in rows}
    return {status: counts.get(status, 0) for status in Status.values}


def figures(
    *, days: int = 7, vote_days: list[VoteDay], per_status: dict[str, int], now=None
) -> Figures:
    """The board's figures for a report: ideas and votes of the last `days` days (today
    included; votes from `vote_days`, already counted for the chart), ideas at or above the
    response threshold, how many of them have an answer and how many open ones still wait,
    and the median time to a first answer."""
    now = now or timezone.now()
    _, since = _days(now, days)
    threshold = response_threshold()
    above = Q(score__gte=threshold)
    counts = Idea.objects.visible().aggregate(
        new_ideas=Count("pk", filter=Q(created_at__gte=since)),
        above_threshold=Count("pk", filter=above),
        answered=Count("pk", filter=above & Q(responded_at__isnull=False)),
        waiting=Count("pk", filter=above & Q(responded_at__isnull=True, status__in=OPEN_STATUSES)),
    )
    recent = vote_days[-days:]
    return Figures(
        days=days,
        new_ideas=counts["new_ideas"],
        votes=sum(d.promotes + d.demotes for d in recent),
        threshold=threshold,
        above_threshold=counts["above_threshold"],
        answered_above_threshold=counts["answered"],
        waiting=counts["waiting"],
        median_response=median_time_to_response(),
        per_status=[(s, Status(s).label, n) for s, n in per_status.items()],
    )


@dataclass(frozen=True)
class StatusWeek:
    end: dt.date  # the counts at the end of this day
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def status_history(
    *, current: dict[str, int], weeks: int = 12, now: dt.datetime | None = None
) -> list[StatusWeek]:
    """How many visible ideas had each status at the end of each of the last `weeks` weeks
    (the last one is today), oldest first. Worked backwards from the current counts: undo the
    status changes made since each week's end to ideas that existed then, and take out the
    ideas created since (in their current status: all their changes came after). Two aggregate
    queries, by day."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    ends = [today - dt.timedelta(days=7 * (weeks - 1 - k)) for k in range(weeks)]
    since = timezone.make_aware(dt.datetime.combine(ends[0] + dt.timedelta(days=1), dt.time.min))
    visible = Idea.objects.visible()
    changes = list(
        StatusChange.objects.filter(created_at__gte=since, idea__in=visible)
        .exclude(old_status=F("new_status"))
        .annotate(day=TruncDate("created_at"), born=TruncDate("idea__created_at"))
        .values("day", "born", "old_status", "new_status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    created = list(
        visible.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    history = []
    for end in ends:
        counts = dict(current)
        for row in changes:
            if row["day"] > end and row["born"] <= end:
                counts[row["new_status"]] = counts.get(row["new_status"], 0) - row["n"]
                counts[row["old_status"]] = counts.get(row["old_status"], 0) + row["n"]
        for row in created:
            if row["day"] > end:
                counts[row["status"]] = counts.get(row["status"], 0) - row["n"]
        # Data written around the services (old imports) could make a count negative.
        history.append(StatusWeek(end, {s: max(0, counts.get(s, 0)) for s in Status.values}))
    return history


def board_overview() -> dict:
    """The dashboard's board-wide figures and charts (and when they were computed), as read
    by the /pm/ page and the API. They read a month of votes, which on a big board takes a
    good part of a second, and they move slowly: kept in the cache for a few minutes
    (fail-open: without a cache they are simply computed)."""
    overview = cache.get(OVERVIEW_KEY)
    if overview is None:
        now = timezone.now()
        vote_days = votes_per_day(days=30, now=now)
        per_status = ideas_per_status()
        overview = {
            "figures": figures(days=7, vote_days=vote_days, per_status=per_status, now=now),
            "votes_chart": charts.votes_chart(vote_days),
            "status_chart": charts.status_chart(
                status_history(current=per_status, weeks=12, now=now), dict(Status.choices)
            ),
            "overview_at": now,
        }
        cache.set(OVERVIEW_KEY, overview, OVERVIEW_TTL)
    return overview
