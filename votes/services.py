"""Writes to votes and to the ranking figures derived from them.

The vote path (`vote_cast`, `vote_withdraw`) touches only the database: one vote row and one
UPDATE of the idea's counters and Popular key, in the same transaction. The jobs below rebuild
those figures from the votes table, which stays the source of truth.
"""

import datetime as dt
import functools
import math
import weakref
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from core.pagecache import board_changed
from ideas.models import Idea
from votes import ranking
from votes.models import RankingEpoch, Vote

# A new vote goes only to an idea everyone sees: not withdrawn, hidden, held for review or
# merged. Checked inside the vote's own INSERT, so it costs no query. (A vote already cast may
# still be switched or withdrawn.)
VOTABLE = (
    "withdrawn_at IS NULL AND hidden_at IS NULL AND held_at IS NULL AND merged_into_id IS NULL"
)
# The full rebuild runs over this many ranges of idea ids (for its progress bar), each at least
# this wide.
REBUILD_CHUNKS = 20
REBUILD_CHUNK_MIN = 2000
# A stored key this close to the one rebuilt from the votes is left as it is: summing the same
# terms in another order differs in the last bits, and rewriting the row would cost a write.
KEY_TOLERANCE = 1e-9
# The first-vote statement is prepared once per database connection: PostgreSQL takes longer to
# parse and plan it than to run it. Keyed by the driver's connection, so a new connection
# prepares it again.
_PREPARED: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()
NEW_VOTE_TYPES = (
    "bigint",
    "integer",
    "timestamptz",
    "text",
    "bigint",
    "integer",
    "timestamptz",
    "timestamptz",
)
# SQLSTATE invalid_sql_statement_name: the server does not know the prepared statement.
INVALID_STATEMENT_NAME = "26000"


@dataclass(frozen=True)
class VoteState:
    score: int
    promotes: int
    demotes: int
    my_vote: int | None


@dataclass(frozen=True)
class Epoch:
    t0: dt.datetime
    half_life_days: float

    @property
    def half_life_seconds(self) -> float:
        return self.half_life_days * ranking.SECONDS_PER_DAY

    def decayed(self, key: float, now: dt.datetime) -> float:
        return ranking.decayed_score(key, (now - self.t0).total_seconds(), self.half_life_seconds)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _epoch_from_row(t0, half_life_days: float) -> Epoch:
    if not isinstance(t0, dt.datetime):
        t0 = dt.datetime.fromisoformat(t0)
    if timezone.is_naive(t0):
        t0 = timezone.make_aware(t0, dt.UTC)
    return Epoch(t0=t0, half_life_days=half_life_days)


def _ensure_epoch_row() -> None:
    """The row comes from a migration; recreated here if someone deleted it."""
    RankingEpoch.objects.get_or_create(
        pk=1, defaults={"t0": timezone.now(), "half_life_days": _half_life()}
    )


def epoch_read(*, lock: str | None = None) -> Epoch:
    """The Popular key's reference time. lock="share" keeps a rebase out until the transaction
    ends; lock="update" is for the rebase and rebuild that change it. SQLite's IMMEDIATE
    transactions already serialise every writer."""
    suffix = ""
    if _is_postgres() and lock:
        suffix = {"share": " FOR KEY SHARE", "update": " FOR UPDATE"}[lock]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t0, half_life_days FROM votes_rankingepoch WHERE id = 1{suffix}")
        row = cursor.fetchone()
    if row is None:
        _ensure_epoch_row()
        return epoch_read(lock=lock)
    return _epoch_from_row(*row)


def _half_life() -> float:
    return settings.IDEAS_HALF_LIFE_DAYS


def wilson_sql(p: str, d: str) -> str:
    """SQL for ranking.wilson_lower_bound over two integer SQL expressions."""
    z = ranking.WILSON_Z
    z2 = z * z
    n = f"(({p}) + ({d}))"
    phat = f"(({p}) * 1.0 / {n})"
    return (
        f"(CASE WHEN {n} = 0 THEN 0.0 ELSE "
        f"({phat} + {z2!r} / (2.0 * {n}) - {z!r} * SQRT(({phat} * (1.0 - {phat}) "
        f"+ {z2!r} / (4.0 * {n})) / {n})) / (1.0 + {z2!r} / {n}) END)"
    )


def _seconds_since_sql(at: str, reference: str = "%s") -> str:
    """SQL for the seconds from `reference` (t0; a parameter by default) to `at`."""
    if _is_postgres():
        # date_part gives double precision; EXTRACT gives numeric, many times slower.
        return f"date_part('epoch', {at} - {reference})"
    return f"((julianday({at}) - julianday({reference})) * 86400.0)"


def _power_of_two_sql(exponent: str) -> str:
    """SQL for 2^exponent, as ranking.vote_weight clamps it."""
    greatest, least = ("GREATEST", "LEAST") if _is_postgres() else ("MAX", "MIN")
    low = f"CAST({ranking.MIN_WEIGHT_EXPONENT!r} AS DOUBLE PRECISION)"
    high = f"CAST({ranking.MAX_WEIGHT_EXPONENT!r} AS DOUBLE PRECISION)"
    return f"POWER(CAST(2 AS DOUBLE PRECISION), {least}({greatest}({exponent}, {low}), {high}))"


def _weight_sql(at: str, t0: str = "e.t0", half_life_days: str = "e.half_life_days") -> str:
    """SQL for the key term of a vote cast at `at` (a %s parameter); t0 and the half-life come
    from the epoch row `e` unless other SQL is given for them."""
    return _power_of_two_sql(f"{_seconds_since_sql(at, t0)} / ({half_life_days} * 86400.0)")


def _apply_vote_change(
    idea_id: int, old: Vote | None, new_value: int | None, now, *, retry: bool = True
) -> tuple:
    """One UPDATE moving the idea's counters and Popular key from the old vote to the new one.

    It reads t0 itself, and runs after the vote row was written: that write holds a lock on
    the votes table which a rebase waits for (and vice versa), so t0 cannot move in between."""
    old_value = old.value if old else None
    promotes = (new_value == 1) - (old_value == 1)
    demotes = (new_value == -1) - (old_value == -1)
    key_delta, params = [], []
    if old is not None:
        key_delta.append(f"- %s * {_weight_sql('%s')}")
        params += [old.value, old.created_at]
    if new_value is not None:
        key_delta.append(f"+ %s * {_weight_sql('%s')}")
        params += [new_value, now]
    # promotes/demotes are ints from this function, never user input.
    p, d = f"(promotes + {int(promotes)})", f"(demotes + {int(demotes)})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE ideas_idea
               SET promotes = {p}, demotes = {d}, score = score + {int(promotes - demotes)},
                   popular_key = popular_key {" ".join(key_delta)},
                   wilson = {wilson_sql(p, d)}, last_voted_at = %s
              FROM votes_rankingepoch e
             WHERE ideas_idea.id = %s AND e.id = 1
            RETURNING promotes, demotes, score
            """,
            [*params, now, idea_id],
        )
        counts = cursor.fetchone()
    if counts is None:
        # No idea, or no epoch row (it comes from a migration: only if someone deleted it).
        if retry:
            _ensure_epoch_row()
            return _apply_vote_change(idea_id, old, new_value, now, retry=False)
        raise Idea.DoesNotExist(f"No idea {idea_id}.")
    return counts


def _state(idea_id: int, my_vote: int | None, counts: tuple | None = None) -> VoteState:
    if counts is None:
        counts = Idea.objects.values_list("promotes", "demotes", "score").get(pk=idea_id)
    promotes, demotes, score = counts
    return VoteState(score=score, promotes=promotes, demotes=demotes, my_vote=my_vote)


def vote_cast(*, voter, idea: Idea | int, value: int, network: str = "") -> VoteState:
    """Promote (1) or demote (-1) an idea (or an idea's id; a missing one raises
    Idea.DoesNotExist). The same vote twice is a no-op; the other side switches. The vote
    shows in the Popular order as soon as this returns. `network` (core.network.network_of)
    is kept for the vote-stuffing job. A quarantined vote may be switched or withdrawn, and
    stays out of every count either way."""
    # No ensure_not_banned here, unlike the other write services: this is the hot path, and
    # moderation.middleware and NotBanned already refuse a banned member's vote.
    if value not in (Vote.PROMOTE, Vote.DEMOTE):
        raise ValueError("A vote is 1 (promote) or -1 (demote).")
    idea_id = getattr(idea, "pk", idea)
    now = timezone.now()
    own_transaction = not connection.in_atomic_block
    if _is_postgres():
        counts = _new_vote_in_one_statement(voter.pk, idea_id, value, now, network)
        if counts is not None:
            board_changed()
            return _state(idea_id, value, counts)
    with transaction.atomic():
        if own_transaction:
            _commit_without_waiting_for_disk()
        while True:
            if _insert_vote(voter.pk, idea_id, value, now, network):
                counts = _apply_vote_change(idea_id, None, value, now)
                break
            existing = _locked_vote(voter, idea_id)
            if existing is not None:
                if existing.value == value:
                    return _state(idea_id, value)
                old = Vote(value=existing.value, created_at=existing.created_at)
                existing.value, existing.created_at = value, now
                existing.save(update_fields=["value", "created_at"])
                if existing.quarantine_id is not None:
                    return _state(idea_id, value)
                counts = _apply_vote_change(idea_id, old, value, now)
                break
            if not Idea.objects.visible().filter(pk=idea_id).exists():
                raise Idea.DoesNotExist(f"No idea {idea_id}.")
            # The vote we collided with was withdrawn meanwhile: insert again.
        board_changed()
        return _state(idea_id, value, counts)


def _insert_vote(voter_id: int, idea_id: int, value: int, now, network: str) -> bool:
    """Insert the vote unless one exists (or the idea does not). ON CONFLICT waits for a
    concurrent insert of the same pair to commit or roll back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO votes_vote (voter_id, idea_id, value, created_at, network) "
            f"SELECT %s, id, %s, %s, %s FROM ideas_idea WHERE id = %s AND {VOTABLE} "
            "ON CONFLICT (voter_id, idea_id) DO NOTHING RETURNING id",
            [voter_id, value, now, network, idea_id],
        )
        return cursor.fetchone() is not None


def _new_vote_in_one_statement(
    voter_id: int, idea_id: int, value: int, now, network: str
) -> tuple | None:
    """PostgreSQL: insert a first vote and move the idea's figures in one statement, which in
    autocommit is one round trip and one commit. Returns None when there was nothing to insert
    (a vote exists, or the idea does not) or the epoch row is missing: the caller then takes
    the general path. t0 is read by the same statement, after its lock on the votes table."""
    params = [voter_id, value, now, network, idea_id, value, now, now]
    # Alone, the statement is its own transaction, whose commit it may make asynchronous; inside
    # a caller's transaction that choice is the caller's.
    in_transaction = connection.in_atomic_block
    async_commit = _async_commit() and not in_transaction
    name = f"ideastorm_new_vote_{'promote' if value == 1 else 'demote'}_{int(async_commit)}"
    for attempt in range(2):
        try:
            # A missing epoch row makes the key NULL, which NOT NULL refuses: nothing is written.
            savepoint = transaction.atomic() if in_transaction else nullcontext()
            with savepoint, connection.cursor() as cursor:
                _execute_prepared(cursor, name, _new_vote_sql(value, async_commit), params)
                return cursor.fetchone()
        except IntegrityError:
            _ensure_epoch_row()
            return None
        except DatabaseError as exc:
            # The server forgot the statement (a pooler in transaction mode, DISCARD ALL):
            # prepare it again, once.
            if attempt or getattr(exc.__cause__, "pgcode", None) != INVALID_STATEMENT_NAME:
                raise
            _PREPARED.pop(connection.connection, None)
    return None  # not reached


def _execute_prepared(cursor, name: str, sql: str, params: list) -> None:
    """Run `sql` (its parameters as %s, typed NEW_VOTE_TYPES) as the statement `name`,
    prepared on this connection the first time."""
    prepared = _PREPARED.setdefault(connection.connection, set())
    if name not in prepared:
        numbered = sql % tuple(f"${n}" for n in range(1, len(params) + 1))
        cursor.execute(f"PREPARE {name} ({', '.join(NEW_VOTE_TYPES)}) AS {numbered}")
        prepared.add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)


@functools.cache
def _new_vote_sql(value: int, async_commit: bool) -> str:
    p, d = (f"(promotes + {int(value == 1)})", f"(demotes + {int(value == -1)})")
    t0 = "(SELECT t0 FROM votes_rankingepoch WHERE id = 1)"
    half_life = "(SELECT half_life_days FROM votes_rankingepoch WHERE id = 1)"
    weight = _weight_sql("%s", t0, half_life)
    # NULL without the epoch row; GREATEST would otherwise turn a NULL exponent into -1000.
    epoch_exists = "(SELECT 1.0 FROM votes_rankingepoch WHERE id = 1)"
    # set_config(..., true) lasts until this statement's own transaction commits.
    without_waiting = "AND set_config('synchronous_commit', 'off', true) = 'off'"
    return f"""
        WITH ins AS (
            INSERT INTO votes_vote (voter_id, idea_id, value, created_at, network)
            SELECT %s, id, %s, %s, %s FROM ideas_idea WHERE id = %s AND {VOTABLE}
                   {without_waiting if async_commit else ""}
            ON CONFLICT (voter_id, idea_id) DO NOTHING
            RETURNING idea_id
        )
        UPDATE ideas_idea
           SET promotes = {p}, demotes = {d}, score = score + {int(value)},
               popular_key = popular_key + %s * {weight} * {epoch_exists},
               wilson = {wilson_sql(p, d)}, last_voted_at = %s
          FROM ins
         WHERE ideas_idea.id = ins.idea_id
        RETURNING promotes, demotes, score
    """


def vote_withdraw(*, voter, idea: Idea | int) -> VoteState:
    """Take the voter's vote back; nothing happens if there is none."""
    idea_id = getattr(idea, "pk", idea)
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if own_transaction:
            _commit_without_waiting_for_disk()
        existing = _locked_vote(voter, idea_id)
        if existing is None:
            if not Idea.objects.filter(pk=idea_id).exists():
                raise Idea.DoesNotExist(f"No idea {idea_id}.")
            return _state(idea_id, None)
        existing.delete()
        if existing.quarantine_id is not None:
            return _state(idea_id, None)
        counts = _apply_vote_change(idea_id, existing, None, timezone.now())
        board_changed()
        return _state(idea_id, None, counts)


def _async_commit() -> bool:
    return settings.IDEAS_VOTES_ASYNC_COMMIT and _is_postgres()


def _commit_without_waiting_for_disk() -> None:
    """PostgreSQL, IDEAS_VOTES_ASYNC_COMMIT: this vote's transaction will not wait for its WAL
    to be flushed (see the setting). For the caller's own transaction only."""
    if _async_commit():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('synchronous_commit', 'off', true)")


def _locked_vote(voter, idea_id: int) -> Vote | None:
    return (
        Vote.objects.select_for_update()
        .only("value", "created_at", "quarantine_id")
        .filter(voter=voter, idea_id=idea_id)
        .first()
    )


def _lock_out_votes() -> None:
    """Wait for the votes in flight and hold new ones until this transaction ends: a vote's
    first statement writes the votes table, which this SHARE lock excludes."""
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE votes_vote IN SHARE MODE")


def _recompute_sql(where: str, join: str = "") -> str:
    """Set every ranking figure but trend from the votes table, for the ideas `where` picks.
    Parameters: t0, the half-life in seconds, those of `join` (more conditions on the votes
    joined, which let an id range walk the votes index), then those of `where`."""
    weight = _power_of_two_sql(f"{_seconds_since_sql('v.created_at')} / %s")
    distinct = "IS DISTINCT FROM" if _is_postgres() else "IS NOT"
    return f"""
        UPDATE ideas_idea
           SET promotes = a.p, demotes = a.d, score = a.p - a.d, popular_key = a.k,
               wilson = {wilson_sql("a.p", "a.d")}, last_voted_at = a.last
          FROM (
                SELECT i.id,
                       COALESCE(SUM(CASE WHEN v.value = 1 THEN 1 ELSE 0 END), 0) AS p,
                       COALESCE(SUM(CASE WHEN v.value = -1 THEN 1 ELSE 0 END), 0) AS d,
                       COALESCE(SUM(v.value * {weight}), 0.0) AS k,
                       MAX(v.created_at) AS last
                  FROM ideas_idea i
                  LEFT JOIN votes_vote v ON v.idea_id = i.id AND v.quarantine_id IS NULL{join}
                 WHERE {where}
                 GROUP BY i.id
               ) AS a
         WHERE ideas_idea.id = a.id
           AND (ideas_idea.promotes <> a.p OR ideas_idea.demotes <> a.d
                OR ideas_idea.last_voted_at {distinct} a.last
                OR ABS(ideas_idea.popular_key - a.k) > {KEY_TOLERANCE!r} * ABS(a.k))
    """


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
        half_life = _half_life()
        t0 = epoch.t0
        due = ranking.rebase_steps((now - t0).total_seconds(), epoch.half_life_seconds)
        if half_life != epoch.half_life_days or due:
            t0 = now
        low, high = Idea.objects.aggregate(low=Min("pk"), high=Max("pk")).values()
        ideas = written = 0
        if low is not None:
            step = max(REBUILD_CHUNK_MIN, -(-(high - low + 1) // REBUILD_CHUNKS))
            total = high - low + 1
            sql = _recompute_sql(
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
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE ideas_idea")
    return {"ideas": ideas, "rewritten": written, "t0": t0.isoformat()}


def rankings_reconcile(*, since: dt.datetime | None) -> dict:
    """Recompute the figures of the ideas voted on since `since` (all when None) from the votes
    table, repairing any drift. A changed half-life setting triggers a full rebuild."""
    if epoch_read().half_life_days != _half_life():
        return {**rankings_rebuild(), "reason": "half-life changed"}
    with transaction.atomic():
        epoch = epoch_read(lock="share")
        where, params = "1 = 1", []
        if since is not None:
            where, params = "i.last_voted_at >= %s", [since]
        # Lock the rows first: a vote committed meanwhile is then either wholly in the votes
        # this statement reads and in the counters it replaces, or waits for the commit.
        lock = " FOR UPDATE" if _is_postgres() else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT i.id FROM ideas_idea i WHERE {where} ORDER BY i.id{lock}", params
            )
            checked = len(cursor.fetchall())
        drifted = _count_drift(where, params) if checked else 0
        if checked:
            with connection.cursor() as cursor:
                cursor.execute(_recompute_sql(where), [epoch.t0, epoch.half_life_seconds, *params])
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
            # As ranking.rebased_key: compare before scaling, so nothing underflows.
            cursor.execute(
                """
                UPDATE ideas_idea SET popular_key = CASE
                    WHEN ABS(popular_key) < %s THEN 0.0 ELSE popular_key * %s END
                WHERE popular_key <> 0.0
                """,
                [ranking.flush_threshold(steps), math.ldexp(1.0, -steps)],
            )
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
    age_days = f"FLOOR(-{_seconds_since_sql('created_at')} / 86400.0)"
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


def votes_quarantine_set(
    *, vote_ids: list[int] | None = None, case_id: int | None, release_case: int | None = None
) -> list[int]:
    """Put votes in quarantine under a stuffing case (vote_ids, case_id) or let a case's votes
    count again, for good (release_case: they are marked cleared), and recount the ideas they
    touch from the votes table. Vote rows are locked before idea rows, in the vote path's
    order, so the two never deadlock; a vote in flight on one of these ideas either is in the
    recount or adds itself after it.
    Returns the ids of the ideas recounted."""
    with transaction.atomic():
        epoch = epoch_read(lock="share")
        votes = Vote.objects.all()
        if release_case is not None:
            votes = votes.filter(quarantine_id=release_case)
        else:
            # A vote a moderator released (cleared) is never quarantined again.
            votes = votes.filter(pk__in=vote_ids or [], quarantine__isnull=True, cleared=False)
        locked = list(votes.select_for_update().order_by("pk").values_list("pk", "idea_id"))
        if not locked:
            return []
        # Released votes are marked cleared: a moderator said they are fine.
        cleared = {"cleared": True} if release_case is not None else {}
        Vote.objects.filter(pk__in=[pk for pk, _ in locked]).update(
            quarantine_id=case_id, **cleared
        )
        idea_ids = sorted({idea_id for _, idea_id in locked})
        ideas_recount(idea_ids, epoch=epoch)
    return idea_ids


def ideas_recount(idea_ids: list[int], *, epoch: Epoch | None = None) -> None:
    """Recount these ideas' figures from the votes table, inside the caller's transaction,
    after whatever moved votes around (a quarantine, a merge). Idea rows are locked first: a
    vote in flight on one of them either is in the recount or adds itself after it."""
    if not idea_ids:
        return
    epoch = epoch or epoch_read(lock="share")
    idea_ids = sorted(set(idea_ids))
    where = f"i.id IN ({', '.join(['%s'] * len(idea_ids))})"
    lock = " FOR UPDATE" if _is_postgres() else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT i.id FROM ideas_idea i WHERE {where} ORDER BY i.id{lock}", idea_ids)
        cursor.execute(_recompute_sql(where), [epoch.t0, epoch.half_life_seconds, *idea_ids])
    board_changed()


def votes_lock_out() -> None:
    """Hold new votes until the caller's transaction ends (for a merge and its undo, which
    move votes between ideas)."""
    _lock_out_votes()
