"""Reads about rankings that span ideas and votes."""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
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


def _rank_in(idea: Idea, *, category_id: int | None = None) -> int:
    """1 + the ideas ahead of this one in the Popular order (key desc, then id desc), in all
    or in a category. A row comparison, which PostgreSQL reads as a range of the Popular index
    (idea_popular_idx): the OR of "a greater key, or the same key and a greater id" read the
    whole index, 100,000 entries, for any idea."""
    sql = f"SELECT COUNT(*) FROM {Idea._meta.db_table} WHERE (popular_key, id) > (%s, %s)"
    params = [idea.popular_key, idea.pk]
    if category_id is not None:
        sql += " AND category_id = %s"
        params.append(category_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0] + 1


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


EXPLANATION_TTL = 60


def rank_explanation(idea: Idea, *, now: dt.datetime | None = None) -> RankExplanation:
    """Why the idea ranks where it does in Popular, in figures a customer can follow. Without
    `now`, kept EXPLANATION_TTL seconds under the idea's own figures: its rank also moves with
    the other ideas' votes, and "#7 of 100,012" need not be exact to the second (the totals
    are kept longer still)."""
    if now is not None:
        return _rank_explanation(idea, now)
    parts = (idea.pk, idea.popular_key, idea.trend, idea.category_id, idea.last_voted_at)
    key = "rank-why:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    explanation = cache.get(key)
    if explanation is None:
        explanation = _rank_explanation(idea, timezone.now())
        cache.set(key, explanation, EXPLANATION_TTL)
    return explanation


def _rank_explanation(idea: Idea, now: dt.datetime) -> RankExplanation:
    epoch = epoch_read()
    totals = _idea_totals()
    popular_rank = _rank_in(idea)
    category_rank = _rank_in(idea, category_id=idea.category_id)
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


def ideas_with_viewer_votes(ids: list[int], user, fields: tuple[str, ...]) -> list[Idea]:
    """These ideas, in this order (a missing one left out), with only these fields loaded (the
    others deferred), each annotated with `viewer_vote` (1, -1 or None), `viewer_vote_recorded`
    (staff recorded that vote) and `author_shown` (the author's username, and whether they
    deleted their account), in one plain query. For the pages that read a few ideas on every
    view to know whether what they keep is still the one to show (web/ideas/detail_page.py,
    web/ideas/similar.py): the ORM took longer to build this query than the database to answer
    it."""
    if not ids:
        return []
    wanted = {Idea._meta.get_field(name).attname for name in fields}
    # In the model's order, as Model.from_db takes them.
    loaded = [f for f in Idea._meta.concrete_fields if f.attname in wanted]
    columns = ", ".join(f"i.{f.column}" for f in loaded)
    # SQLite (the embedded default) has no ANY(array): a list of placeholders there.
    if connection.vendor == "postgresql":
        among, id_params = "= ANY(%s)", [list(ids)]
    else:
        among, id_params = f"IN ({', '.join(['%s'] * len(ids))})", list(ids)
    sql = f"""
        SELECT {columns}, v.value, v.recorded_by_id IS NOT NULL, u.username, u.deleted_at
          FROM {Idea._meta.db_table} i
          LEFT JOIN {Vote._meta.db_table} v ON v.idea_id = i.id AND v.voter_id = %s
          LEFT JOIN {User._meta.db_table} u ON u.id = i.author_id
         WHERE i.id {among}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk if user.is_authenticated else None, *id_params])
        rows = cursor.fetchall()
    attnames = [f.attname for f in loaded]
    found = {}
    for row in rows:
        idea = Idea.from_db(connection.alias, attnames, row[: len(loaded)])
        vote, recorded, username, deleted_at = row[len(loaded) :]
        idea.viewer_vote, idea.viewer_vote_recorded = vote, bool(recorded)
        idea.author_shown = (username, deleted_at is not None)
        found[idea.pk] = idea
    return [found[pk] for pk in ids if pk in found]


def idea_page_row(pk: int, user, fields: tuple[str, ...]) -> Idea | None:
    """One idea as ideas_with_viewer_votes() reads it, or None if there is no such idea."""
    ideas = ideas_with_viewer_votes([pk], user, fields)
    return ideas[0] if ideas else None


@dataclass(frozen=True)
class VoteWeek:
    start: dt.date
    promotes: int
    demotes: int


HISTORY_TTL = 3600


def vote_history(idea: Idea, *, weeks: int = 12, now: dt.datetime | None = None) -> list[VoteWeek]:
    """Promotes and demotes per week over the last `weeks` weeks (oldest first), in one
    aggregate query over the (idea, created_at) index. Without `now`, kept under what it is
    made of: the idea's figures and last vote, and the day."""
    if now is not None:
        return _vote_history(idea, weeks, now)
    now = timezone.now()
    parts = (idea.pk, idea.promotes, idea.demotes, idea.last_voted_at, now.date(), weeks)
    key = "vote-history:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    history = cache.get(key)
    if history is None:
        history = _vote_history(idea, weeks, now)
        cache.set(key, history, HISTORY_TTL)
    return history


def _vote_history(idea: Idea, weeks: int, now: dt.datetime) -> list[VoteWeek]:
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
