"""Reads about rankings that span ideas and votes."""

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from ideas.models import Idea
from votes.models import Vote
from votes.ranking_sql import epoch_read


@dataclass(frozen=True)
class RankExplanation:
    decayed_score: float
    half_life_days: float
    votes_last_7_days: int
    trend: float
    popular_rank: int
    category_rank: int
    ideas_total: int
    category_total: int


def _rank_in(ideas, idea: Idea) -> int:
    """1 + the ideas ahead of this one in the Popular order (key desc, then id desc)."""
    ahead = Q(popular_key__gt=idea.popular_key) | Q(popular_key=idea.popular_key, pk__gt=idea.pk)
    return ideas.filter(ahead).count() + 1


TOTALS_KEY = "idea-totals"
TOTALS_TTL = 300


def _idea_totals() -> dict:
    """Ideas per category and in all: counting 100,000 rows on every idea page costs more
    than the rest of the page, and "#7 of 100,012" need not be exact to the minute."""
    totals = cache.get(TOTALS_KEY)
    if totals is None:
        per_category = dict(
            Idea.objects.values_list("category_id").annotate(n=Count("pk")).order_by()
        )
        totals = {"all": sum(per_category.values()), "by_category": per_category}
        cache.set(TOTALS_KEY, totals, TOTALS_TTL)
    return totals


def rank_explanation(idea: Idea, *, now: dt.datetime | None = None) -> RankExplanation:
    """Why the idea ranks where it does in Popular, in figures a customer can follow."""
    now = now or timezone.now()
    epoch = epoch_read()
    in_category = Idea.objects.filter(category_id=idea.category_id)
    totals = _idea_totals()
    popular_rank = _rank_in(Idea.objects.all(), idea)
    category_rank = _rank_in(in_category, idea)
    return RankExplanation(
        decayed_score=epoch.decayed(idea.popular_key, now),
        half_life_days=epoch.half_life_days,
        votes_last_7_days=idea.votes.filter(
            created_at__gte=now - dt.timedelta(days=7), quarantine__isnull=True
        ).count(),
        trend=idea.trend,
        popular_rank=popular_rank,
        category_rank=category_rank,
        # The cached totals may lag a new idea: never below the rank itself.
        ideas_total=max(totals["all"], popular_rank),
        category_total=max(totals["by_category"].get(idea.category_id, 0), category_rank),
    )


@dataclass(frozen=True)
class VoteWeek:
    start: dt.date
    promotes: int
    demotes: int


def vote_history(idea: Idea, *, weeks: int = 12, now: dt.datetime | None = None) -> list[VoteWeek]:
    """Promotes and demotes per week over the last `weeks` weeks (oldest first), in one
    aggregate query over the (idea, created_at) index."""
    now = now or timezone.now()
    today = now.date()
    first = today - dt.timedelta(days=7 * weeks - 1)
    rows = (
        idea.votes.filter(created_at__date__gte=first, quarantine__isnull=True)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(promotes=Count("pk", filter=Q(value=1)), demotes=Count("pk", filter=Q(value=-1)))
    )
    buckets = [[0, 0] for _ in range(weeks)]
    for row in rows:
        index = min(weeks - 1, max(0, (row["day"] - first).days // 7))
        buckets[index][0] += row["promotes"]
        buckets[index][1] += row["demotes"]
    return [
        VoteWeek(start=first + dt.timedelta(days=7 * i), promotes=p, demotes=d)
        for i, (p, d) in enumerate(buckets)
    ]


def votes_by_segment(idea_ids) -> dict[int, dict[str, dict[str, int]]]:
    """Promotes and demotes per voter segment (accounts.User.Segment; "" for members without
    one) of each idea, in one aggregate query; quarantined votes are left out, as from every
    count. Every idea asked for has an entry, empty when it has no votes. For product managers
    only: the public ranking never looks at segments."""
    idea_ids = list(idea_ids)
    result: dict[int, dict[str, dict[str, int]]] = {idea_id: {} for idea_id in idea_ids}
    if not idea_ids:
        return result
    rows = (
        Vote.objects.filter(idea_id__in=idea_ids, quarantine__isnull=True)
        .values("idea_id", "voter__segment")
        .annotate(promotes=Count("pk", filter=Q(value=1)), demotes=Count("pk", filter=Q(value=-1)))
        .order_by()
    )
    for row in rows:
        result[row["idea_id"]][row["voter__segment"]] = {
            "promotes": row["promotes"],
            "demotes": row["demotes"],
        }
    return result


@dataclass(frozen=True)
class SegmentDemand:
    segment: str
    label: str
    promotes: int
    demotes: int


def segment_demand(idea_id: int) -> list[SegmentDemand]:
    """One idea's promotes and demotes per segment, in the segments' order, members without a
    segment last; segments with no votes are left out."""
    counts = votes_by_segment([idea_id])[idea_id]
    labels = {**dict(User.Segment.choices), "": "No segment"}
    return [
        SegmentDemand(segment, str(label), counts[segment]["promotes"], counts[segment]["demotes"])
        for segment, label in labels.items()
        if segment in counts
    ]
