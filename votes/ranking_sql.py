"""The ranking maths of votes/ranking.py in SQL, and the epoch row (t0, the half-life) that
both measure time from.

Each SQL builder here is the twin of a pure function in votes/ranking.py, named in its
docstring. The vote path (votes/services.py) and the rebuild jobs (votes/rebuild.py) compute
the stored figures with these; ranking.py computes the same figures in Python (for Epoch.decayed,
the trend score and the tests). The two must agree, so a change to one goes with the other. They
live apart because these need Django (the database vendor, the epoch row) while ranking.py stays
plain Python, which tests import without a database.
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from votes import ranking
from votes.models import RankingEpoch

# A stored key this close to the one rebuilt from the votes is left as it is: summing the same
# terms in another order differs in the last bits, and rewriting the row would cost a write.
KEY_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Epoch:
    t0: dt.datetime
    half_life_days: float

    @property
    def half_life_seconds(self) -> float:
        return self.half_life_days * ranking.SECONDS_PER_DAY

    def decayed(self, key: float, now: dt.datetime) -> float:
        return ranking.decayed_score(key, (now - self.t0).total_seconds(), self.half_life_seconds)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _epoch_from_row(t0, half_life_days: float) -> Epoch:
    if not isinstance(t0, dt.datetime):
        t0 = dt.datetime.fromisoformat(t0)
    if timezone.is_naive(t0):
        t0 = timezone.make_aware(t0, dt.UTC)
    return Epoch(t0=t0, half_life_days=half_life_days)


def ensure_epoch_row() -> None:
    """The row comes from a migration; recreated here if someone deleted it."""
    RankingEpoch.objects.get_or_create(
        pk=1, defaults={"t0": timezone.now(), "half_life_days": half_life_setting()}
    )


def epoch_read(*, lock: str | None = None) -> Epoch:
    """The Popular key's reference time. lock="share" keeps a rebase out until the transaction
    ends; lock="update" is for the rebase and rebuild that change it. SQLite's IMMEDIATE
    transactions already serialise every writer."""
    suffix = ""
    if is_postgres() and lock:
        suffix = {"share": " FOR KEY SHARE", "update": " FOR UPDATE"}[lock]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t0, half_life_days FROM votes_rankingepoch WHERE id = 1{suffix}")
        row = cursor.fetchone()
    if row is None:
        ensure_epoch_row()
        return epoch_read(lock=lock)
    return _epoch_from_row(*row)


def half_life_setting() -> float:
    return settings.IDEAS_HALF_LIFE_DAYS


def seconds_since_sql(at: str, reference: str = "%s") -> str:
    """SQL for the seconds from `reference` (t0; a parameter by default) to `at`."""
    if is_postgres():
        # date_part gives double precision; EXTRACT gives numeric, many times slower.
        return f"date_part('epoch', {at} - {reference})"
    return f"((julianday({at}) - julianday({reference})) * 86400.0)"


def power_of_two_sql(exponent: str) -> str:
    """SQL for 2^exponent, as ranking.vote_weight clamps it."""
    greatest, least = ("GREATEST", "LEAST") if is_postgres() else ("MAX", "MIN")
    low = f"CAST({ranking.MIN_WEIGHT_EXPONENT!r} AS DOUBLE PRECISION)"
    high = f"CAST({ranking.MAX_WEIGHT_EXPONENT!r} AS DOUBLE PRECISION)"
    return f"POWER(CAST(2 AS DOUBLE PRECISION), {least}({greatest}({exponent}, {low}), {high}))"


def weight_sql(at: str, t0: str = "e.t0", half_life_days: str = "e.half_life_days") -> str:
    """SQL for ranking.vote_weight: the key term of a vote cast at `at` (a %s parameter); t0
    and the half-life come from the epoch row `e` unless other SQL is given for them."""
    return power_of_two_sql(f"{seconds_since_sql(at, t0)} / ({half_life_days} * 86400.0)")


def rebased_keys_sql(steps: int) -> tuple[str, list]:
    """SQL and parameters for ranking.rebased_key over every idea's key, for a rebase of
    `steps` half-lives: compare before scaling, so nothing underflows."""
    return (
        """
        UPDATE ideas_idea SET popular_key = CASE
            WHEN ABS(popular_key) < %s THEN 0.0 ELSE popular_key * %s END
        WHERE popular_key <> 0.0
        """,
        [ranking.flush_threshold(steps), math.ldexp(1.0, -steps)],
    )


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


def _vote_sums_sql() -> tuple[str, str, str, str]:
    """SQL aggregates over the votes `v` of one idea: its promotes, demotes, Popular key (a sum
    of ranking.vote_weight terms) and last vote's time; NULL when it has none. Parameters: t0,
    the half-life in seconds."""
    weight = power_of_two_sql(f"{seconds_since_sql('v.created_at')} / %s")
    return (
        "SUM(CASE WHEN v.value = 1 THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN v.value = -1 THEN 1 ELSE 0 END)",
        f"SUM(v.value * {weight})",
        "MAX(v.created_at)",
    )


def _set_figures_sql(new: str) -> str:
    """The SET list that writes the figures rebuilt in `new` (p, d, k, last) and those derived
    from them: the score and ranking.wilson_lower_bound."""
    return (
        f"promotes = {new}.p, demotes = {new}.d, score = {new}.p - {new}.d, "
        f"popular_key = {new}.k, wilson = {wilson_sql(f'{new}.p', f'{new}.d')}, "
        f"last_voted_at = {new}.last"
    )


def _disagree_sql(stored: str, new: str) -> str:
    """Whether the figures stored in `stored` (promotes, demotes, last_voted_at, popular_key)
    disagree with those rebuilt in `new` (p, d, last, k): a key within KEY_TOLERANCE agrees."""
    distinct = "IS DISTINCT FROM" if is_postgres() else "IS NOT"
    return (
        f"({stored}.promotes <> {new}.p OR {stored}.demotes <> {new}.d "
        f"OR {stored}.last_voted_at {distinct} {new}.last "
        f"OR ABS({stored}.popular_key - {new}.k) > {KEY_TOLERANCE!r} * ABS({new}.k))"
    )


def recompute_sql(where: str, join: str = "") -> str:
    """Set every ranking figure but trend from the votes table, for the ideas `where` picks:
    counts, the key as a sum of ranking.vote_weight terms, ranking.wilson_lower_bound.
    Parameters: t0, the half-life in seconds, those of `join` (more conditions on the votes
    joined, which let an id range walk the votes index), then those of `where`."""
    p, d, k, last = _vote_sums_sql()
    return f"""
        UPDATE ideas_idea
           SET {_set_figures_sql("a")}
          FROM (
                SELECT i.id, COALESCE({p}, 0) AS p, COALESCE({d}, 0) AS d,
                       COALESCE({k}, 0.0) AS k, {last} AS last
                  FROM ideas_idea i
                  LEFT JOIN votes_vote v ON v.idea_id = i.id AND v.quarantine_id IS NULL{join}
                 WHERE {where}
                 GROUP BY i.id
               ) AS a
         WHERE ideas_idea.id = a.id AND {_disagree_sql("ideas_idea", "a")}
    """


def rebuilt_figures_sql() -> str:
    """A SELECT of the figures recompute_sql would set (id, p, d, k, last) for every idea
    whose stored ones disagree with the votes table, in id order. The votes are read once,
    summed by idea in a hash aggregate: recompute_sql's join per idea would, over the whole
    board, read the votes table once for every range of ideas (an idea's votes lie all over
    it, in the order they were cast). Parameters: t0, the half-life in seconds."""
    p, d, k, last = _vote_sums_sql()
    return f"""
        SELECT n.id, n.p, n.d, n.k, n.last
          FROM (
                SELECT i.id, i.promotes, i.demotes, i.last_voted_at, i.popular_key,
                       COALESCE(a.p, 0) AS p, COALESCE(a.d, 0) AS d,
                       COALESCE(a.k, 0.0) AS k, a.last
                  FROM ideas_idea i
                  LEFT JOIN (
                        SELECT v.idea_id, {p} AS p, {d} AS d, {k} AS k, {last} AS last
                          FROM votes_vote v
                         WHERE v.quarantine_id IS NULL
                         GROUP BY v.idea_id
                       ) AS a ON a.idea_id = i.id
               ) AS n
         WHERE {_disagree_sql("n", "n")}
         ORDER BY n.id
    """


def rebuilt_figures_write_sql(table: str) -> str:
    """Write the figures that rebuilt_figures_sql left in `table` to the ideas in an id range,
    those still disagreeing. Parameters: the range's start and end, twice (the table's ids and
    the ideas': each side then walks its own index over the range only)."""
    return f"""
        UPDATE ideas_idea
           SET {_set_figures_sql("a")}
          FROM {table} AS a
         WHERE ideas_idea.id = a.id AND a.id >= %s AND a.id < %s
           AND ideas_idea.id >= %s AND ideas_idea.id < %s
           AND {_disagree_sql("ideas_idea", "a")}
    """
