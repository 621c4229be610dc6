"""Rebuilding the stored ranking figures from the votes table, which stays the source of truth.

The work of the jobs (votes/tasks.py) and of `manage.py recompute_rankings`: the full rebuild,
the reconcile, the rebase and the trending refresh; and the recount of chosen ideas after votes
move between them (a merge, a quarantine). The SQL they run is in votes/ranking_sql.py, the
maths it mirrors in votes/ranking.py; the vote path that keeps the figures current between runs
is in votes/services.py.
"""

import datetime as dt
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from core.pagecache import board_changed
from ideas.models import Idea
from votes import ranking
from votes.models import RankingEpoch
from votes.ranking_sql import (
    Epoch,
    epoch_read,
    half_life_setting,
    is_postgres,
    rebased_keys_sql,
    recompute_sql,
    seconds_since_sql,
)

# The full rebuild runs over this many ranges of idea ids (for its progress bar), each at least
# this wide.
REBUILD_CHUNKS = 20
REBUILD_CHUNK_MIN = 2000


def _lock_out_votes() -> None:
    """Wait for the votes in flight and hold new ones until this transaction ends: a vote's
    first statement writes the votes table, which this SHARE lock excludes."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE votes_vote IN SHARE MODE")


def _count_drift(where: str, params: list) -> int:
    """How many of the chosen ideas have counters that disagree with the votes table."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COUNT(*) FROM (
                SELECT i.id, i.promotes, i.demotes,
                       COALESCE(SUM(CASE WHEN v.value = 1 THEN 1 ELSE 0 END), 0) AS p,
                       COALESCE(SUM(CASE WHEN v.value = -1 THEN 1 ELSE 0 END), 0) AS d
                  FROM ideas_idea i
                  LEFT JOIN votes_vote v ON v.idea_id = i.id AND v.quarantine_id IS NULL
                 WHERE {where}
                 GROUP BY i.id, i.promotes, i.demotes
            ) AS c WHERE c.promotes <> c.p OR c.demotes <> c.d
            """,
            params,
        )
        return cursor.fetchone()[0]


def rankings_rebuild(*, progress: Callable[[int, int], None] | None = None) -> dict:
    """Rebuild counts, Wilson bounds and Popular keys of every idea from the votes table, in
    set-based SQL over ranges of ideas; rows already right are left alone. t0 is kept unless
    the half-life setting changed or a rebase is due, then it becomes now. One transaction:
    votes wait until it commits. `progress(done, total)` is called after each range."""
    with transaction.atomic():
        _lock_out_votes()
        epoch = epoch_read(lock="update")
        now = timezone.now()
        half_life = half_life_setting()
        t0 = epoch.t0
        due = ranking.rebase_steps((now - t0).total_seconds(), epoch.half_life_seconds)
        if half_life != epoch.half_life_days or due:
            t0 = now
        low, high = Idea.objects.aggregate(low=Min("pk"), high=Max("pk")).values()
        ideas = written = 0
        if low is not None:
            step = max(REBUILD_CHUNK_MIN, -(-(high - low + 1) // REBUILD_CHUNKS))
            total = high - low + 1
            sql = recompute_sql(
                "i.id >= %s AND i.id < %s", join=" AND v.idea_id >= %s AND v.idea_id < %s"
            )
            for start in range(low, high + 1, step):
                with connection.cursor() as cursor:
                    cursor.execute(
                        sql, [t0, half_life * ranking.SECONDS_PER_DAY, *[start, start + step] * 2]
                    )
                    written += cursor.rowcount
                if progress:
                    progress(min(start + step, high + 1) - low, total)
            ideas = Idea.objects.count()
        if t0 != epoch.t0 or half_life != epoch.half_life_days:
            RankingEpoch.objects.filter(pk=1).update(
                t0=t0, half_life_days=half_life, rebased_at=now
            )
        if written:
            board_changed()
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE ideas_idea")
    return {"ideas": ideas, "rewritten": written, "t0": t0.isoformat()}


def rankings_reconcile(*, since: dt.datetime | None) -> dict:
    """Recompute the figures of the ideas voted on since `since` (all when None) from the votes
    table, repairing any drift. A changed half-life setting triggers a full rebuild."""
    if epoch_read().half_life_days != half_life_setting():
        return {**rankings_rebuild(), "reason": "half-life changed"}
    with transaction.atomic():
        epoch = epoch_read(lock="share")
        where, params = "1 = 1", []
        if since is not None:
            where, params = "i.last_voted_at >= %s", [since]
        # Lock the rows first: a vote committed meanwhile is then either wholly in the votes
        # this statement reads and in the counters it replaces, or waits for the commit.
        lock = " FOR UPDATE" if is_postgres() else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT i.id FROM ideas_idea i WHERE {where} ORDER BY i.id{lock}", params
            )
            checked = len(cursor.fetchall())
        drifted = _count_drift(where, params) if checked else 0
        if checked:
            with connection.cursor() as cursor:
                cursor.execute(recompute_sql(where), [epoch.t0, epoch.half_life_seconds, *params])
        if drifted:
            board_changed()
    return {"checked": checked, "repaired": drifted}


def ranking_rebase(*, now: dt.datetime | None = None) -> dict:
    """Move t0 forward by whole half-lives when due, scaling every key by the exact power of two:
    the Popular order is unchanged bit for bit. A no-op until due, so safe to run any time."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_out_votes()
        epoch = epoch_read(lock="update")
        steps = ranking.rebase_steps((now - epoch.t0).total_seconds(), epoch.half_life_seconds)
        if steps == 0:
            return {"steps": 0}
        with connection.cursor() as cursor:
            cursor.execute(*rebased_keys_sql(steps))
            ideas = cursor.rowcount
        new_t0 = epoch.t0 + dt.timedelta(seconds=steps * epoch.half_life_seconds)
        RankingEpoch.objects.filter(pk=1).update(t0=new_t0, rebased_at=now)
    return {"steps": steps, "ideas": ideas, "t0": new_t0.isoformat()}


def trending_refresh(*, now: dt.datetime | None = None) -> dict:
    """Score every idea's last 24 hours of votes against its own previous days (ranking.
    trend_score) and store it; ideas with no recent votes go back to 0."""
    now = now or timezone.now()
    days = ranking.TREND_BASELINE_DAYS
    start = now - dt.timedelta(days=days + 1)
    counts: dict[int, list[int]] = {}
    age_days = f"FLOOR(-{seconds_since_sql('created_at')} / 86400.0)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT idea_id, {age_days} AS age, COUNT(*) FROM votes_vote "
            "WHERE created_at > %s AND created_at <= %s AND quarantine_id IS NULL "
            "GROUP BY idea_id, age",
            [now, start, now],
        )
        for idea_id, age, count in cursor.fetchall():
            counts.setdefault(idea_id, [0] * (days + 1))[min(int(age), days)] += count
    scores = {idea_id: round(ranking.trend_score(c[0], c[1:]), 6) for idea_id, c in counts.items()}
    scores = {idea_id: s for idea_id, s in scores.items() if s}
    with transaction.atomic():
        current = dict(Idea.objects.exclude(trend=0.0).values_list("pk", "trend"))
        zeroed = [pk for pk in current if pk not in scores]
        Idea.objects.filter(pk__in=zeroed).update(trend=0.0)
        changed = [
            Idea(pk=idea_id, trend=value)
            for idea_id, value in scores.items()
            if current.get(idea_id) != value
        ]
        Idea.objects.bulk_update(changed, ["trend"], batch_size=1000)
        if changed or zeroed:
            board_changed()
    return {"trending": len(scores), "ideas_with_recent_votes": len(counts)}


def ideas_recount(idea_ids: list[int], *, epoch: Epoch | None = None) -> None:
    """Recount these ideas' figures from the votes table, inside the caller's transaction,
    after whatever moved votes around (a quarantine, a merge). Idea rows are locked first: a
    vote in flight on one of them either is in the recount or adds itself after it."""
    if not idea_ids:
        return
    epoch = epoch or epoch_read(lock="share")
    idea_ids = sorted(set(idea_ids))
    where = f"i.id IN ({', '.join(['%s'] * len(idea_ids))})"
    lock = " FOR UPDATE" if is_postgres() else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT i.id FROM ideas_idea i WHERE {where} ORDER BY i.id{lock}", idea_ids)
        cursor.execute(recompute_sql(where), [epoch.t0, epoch.half_life_seconds, *idea_ids])
    board_changed()


def votes_lock_out() -> None:
    """Hold new votes until the caller's transaction ends (for a merge and its undo, which
    move votes between ideas)."""
    _lock_out_votes()
