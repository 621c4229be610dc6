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

from core.pagecache import board_changed, votes_changed
from ideas.models import Idea
from votes import ranking
from votes.models import RankingEpoch
from votes.ranking_sql import (
    Epoch,
    epoch_read,
    half_life_setting,
    is_postgres,
    rebased_keys_sql,
    rebuilt_figures_sql,
    rebuilt_figures_write_sql,
    recompute_sql,
    seconds_since_sql,
)

# The full rebuild writes over this many ranges of idea ids (for its progress bar), each at
# least this wide.
REBUILD_CHUNKS = 20
REBUILD_CHUNK_MIN = 2000
# The memory PostgreSQL may give each sort and hash step of the rebuild and of the trending
# refresh, for their transaction only: summing the votes by idea keeps about 100 bytes an
# idea in a hash table (twice this with hash_mem_multiplier), and the default 4MB would spill
# a million ideas' sums to disk in batches, four times slower. Past this it spills too, slower
# but within bounds.
JOB_WORK_MEM = "128MB"
# Temporary tables of the rebuild and the trending refresh, where the database keeps what the
# job works on instead of this process: private to the job's session, created in its
# transaction and dropped before it commits.
REBUILT_FIGURES = "ranking_rebuilt_figures"
TREND_TODAY = "ranking_trend_today"
TREND_COUNTS = "ranking_trend_counts"
TREND_SCORES = "ranking_trend_scores"
# The trending refresh reads the ideas with enough votes today this many at a time, and
# writes their changed scores this many at a time: its memory does not grow with the board.
TREND_BATCH = 2000


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
    set-based SQL: the votes are summed by idea in one pass (_stage_rebuilt_figures), then the
    ideas whose figures disagree are written over ranges of ids; rows already right are left
    alone. t0 is kept unless the half-life setting changed or a rebase is due, then it becomes
    now. One transaction: votes wait until it commits. `progress(done, total)` is called after
    each range."""
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
            _stage_rebuilt_figures(t0, half_life * ranking.SECONDS_PER_DAY)
            written = _write_rebuilt_figures(low, high, progress)
            _drop(REBUILT_FIGURES)
            ideas = Idea.objects.count()
        if t0 != epoch.t0 or half_life != epoch.half_life_days:
            RankingEpoch.objects.filter(pk=1).update(
                t0=t0, half_life_days=half_life, rebased_at=now
            )
        if written:
            votes_changed()  # figures and order moved; what the lists hold did not
    if written and is_postgres():
        # Fresh statistics for the ranked columns just rewritten (none when nothing was).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE ideas_idea")
    return {"ideas": ideas, "rewritten": written, "t0": t0.isoformat()}


def _stage_rebuilt_figures(t0: dt.datetime, half_life_seconds: float) -> None:
    """Sum every idea's votes in one pass over the votes table and keep, in a temporary table
    indexed by id, the figures of the ideas whose stored ones disagree: on a board that is
    right, an empty table. All in the database: the process running this holds no row."""
    _job_settings()
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {REBUILT_FIGURES} AS {rebuilt_figures_sql()}",
            [t0, half_life_seconds],
        )
    _index(REBUILT_FIGURES, "id")


def _write_rebuilt_figures(low: int, high: int, progress) -> int:
    """Write the staged figures over ranges of idea ids, in id order (the order of the ideas
    table and of its primary key, so each range writes its pages once); returns the rows
    written."""
    step = max(REBUILD_CHUNK_MIN, -(-(high - low + 1) // REBUILD_CHUNKS))
    total = high - low + 1
    sql = rebuilt_figures_write_sql(REBUILT_FIGURES)
    written = 0
    for start in range(low, high + 1, step):
        with connection.cursor() as cursor:
            cursor.execute(sql, [start, start + step] * 2)
            written += cursor.rowcount
        if progress:
            progress(min(start + step, high + 1) - low, total)
    return written


def _job_settings() -> None:
    """For the rest of the job's transaction, on PostgreSQL: JOB_WORK_MEM, and JIT compilation
    without LLVM's inlining and optimization passes. A statement over every vote is costed
    high enough to get both, which take about a second in each of its processes and save less:
    its time goes in hash lookups, not in evaluating its expressions."""
    if not is_postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{JOB_WORK_MEM}'")
        cursor.execute("SET LOCAL jit_inline_above_cost = -1")
        cursor.execute("SET LOCAL jit_optimize_above_cost = -1")


def _index(table: str, column: str) -> None:
    """Index one of the jobs' temporary tables, and on PostgreSQL give the planner its
    statistics: autovacuum never analyzes a temporary table, and a join planned on a guess of
    its size can read it once per idea."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX {table}_{column} ON {table} ({column})")
        if is_postgres():
            cursor.execute(f"ANALYZE {table}")


def _drop(table: str) -> None:
    """Drop one of the jobs' temporary tables before the transaction ends (PostgreSQL would
    keep it for the rest of the session; a rollback drops it anyway)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")


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
        # Counted in the database: every idea's id would otherwise come to this process.
        lock = " FOR UPDATE" if is_postgres() else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH locked AS (SELECT i.id FROM ideas_idea i WHERE {where} ORDER BY i.id{lock}) "
                "SELECT COUNT(*) FROM locked",
                params,
            )
            checked = cursor.fetchone()[0]
        drifted = _count_drift(where, params) if checked else 0
        if checked:
            with connection.cursor() as cursor:
                cursor.execute(recompute_sql(where), [epoch.t0, epoch.half_life_seconds, *params])
        if drifted:
            votes_changed()
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
    trend_score) and store it; ideas with no recent votes go back to 0.

    The votes are counted in SQL (_stage_trend_counts); only the ideas with at least
    TREND_MIN_VOTES today (below that the score is 0) come to Python, streamed from a
    server-side cursor, and are scored by ranking.trend_score itself: a z-score rounded to 6
    places, which SQL would round differently (PostgreSQL rounds a float's 15-digit decimal,
    half away from zero). The changed scores are written in one UPDATE from a temporary
    table."""
    now = now or timezone.now()
    with transaction.atomic():
        _job_settings()
        recent = _stage_trend_counts(now)
        trending = _stage_trend_scores()
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE ideas_idea SET trend = s.trend FROM {TREND_SCORES} AS s "
                "WHERE ideas_idea.id = s.idea_id"
            )
            changed = cursor.rowcount
            cursor.execute(
                "UPDATE ideas_idea SET trend = 0.0 WHERE trend <> 0.0 AND NOT EXISTS ("
                f"SELECT 1 FROM {TREND_COUNTS} AS c WHERE c.idea_id = ideas_idea.id)"
            )
            changed += cursor.rowcount
        for table in (TREND_SCORES, TREND_COUNTS, TREND_TODAY):
            _drop(table)
        if changed:
            votes_changed()  # the Trending order moved; what the lists hold did not
    return {"trending": trending, "ideas_with_recent_votes": recent}


def _stage_trend_counts(now: dt.datetime) -> int:
    """Count the votes of the last TREND_BASELINE_DAYS + 1 days into temporary tables:
    TREND_TODAY, each idea's votes of the last 24 hours (d0), then TREND_COUNTS, the ideas with
    at least TREND_MIN_VOTES of them, with their votes of each day (d1 the day before, ...).
    Two passes over the recent votes, the second for those ideas only: counting every day of
    every idea voted on lately would cost more than both. Returns how many ideas have recent
    votes."""
    days = ranking.TREND_BASELINE_DAYS
    start = now - dt.timedelta(days=days + 1)
    recent = f"""
        SELECT idea_id, FLOOR(-{seconds_since_sql("created_at")} / 86400.0) AS age
          FROM votes_vote
         WHERE created_at > %s AND created_at <= %s AND quarantine_id IS NULL
    """
    per_day = ", ".join(
        f"SUM(CASE WHEN age {'>=' if n == days else '='} {n} THEN 1 ELSE 0 END) AS d{n}"
        for n in range(days + 1)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {TREND_TODAY} AS SELECT idea_id, "
            f"SUM(CASE WHEN age = 0 THEN 1 ELSE 0 END) AS d0 FROM ({recent}) AS v "
            "GROUP BY idea_id",
            [now, start, now],
        )
        if is_postgres():
            cursor.execute(f"ANALYZE {TREND_TODAY}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {TREND_COUNTS} AS SELECT idea_id, {per_day} "
            f"FROM ({recent}) AS v WHERE idea_id IN "
            f"(SELECT idea_id FROM {TREND_TODAY} WHERE d0 >= %s) GROUP BY idea_id",
            [now, start, now, ranking.TREND_MIN_VOTES],
        )
        cursor.execute(f"SELECT COUNT(*) FROM {TREND_TODAY}")
        recent_ideas = cursor.fetchone()[0]
    _index(TREND_COUNTS, "idea_id")
    return recent_ideas


def _stage_trend_scores() -> int:
    """Score the ideas of TREND_COUNTS and keep, in a temporary table, the scores that differ
    from the stored ones; returns how many ideas are trending (a score other than 0)."""
    days = ranking.TREND_BASELINE_DAYS
    counts = ", ".join(f"c.d{n}" for n in range(days + 1))
    trending = 0
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {TREND_SCORES} (idea_id BIGINT, trend FLOAT)")
    with connection.chunked_cursor() as stream:
        stream.execute(
            f"SELECT c.idea_id, i.trend, {counts} FROM {TREND_COUNTS} AS c "
            "JOIN ideas_idea AS i ON i.id = c.idea_id ORDER BY c.idea_id"
        )
        while rows := stream.fetchmany(TREND_BATCH):
            changed = []
            for idea_id, stored, last_day, *baseline in rows:
                # `or 0.0`: a score that rounds to -0.0 is stored as 0.
                score = round(ranking.trend_score(last_day, baseline), 6) or 0.0
                trending += score != 0.0
                if score != stored:
                    changed.append((idea_id, score))
            _insert_trend_scores(changed)
    _index(TREND_SCORES, "idea_id")
    return trending


def _insert_trend_scores(rows: list[tuple[int, float]]) -> None:
    """Add one batch of (idea id, score) to TREND_SCORES, in one statement."""
    if not rows:
        return
    values = ", ".join(["(%s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TREND_SCORES} (idea_id, trend) VALUES {values}",
            [value for row in rows for value in row],
        )


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
