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


def recompute_sql(where: str, join: str = "") -> str:
    """Set every ranking figure but trend from the votes table, for the ideas `where` picks:
    counts, the key as a sum of ranking.vote_weight terms, ranking.wilson_lower_bound.
    Parameters: t0, the half-life in seconds, those of `join` (more conditions on the votes
    joined, which let an id range walk the votes index), then those of `where`."""
    weight = power_of_two_sql(f"{seconds_since_sql('v.created_at')} / %s")
    distinct = "IS DISTINCT FROM" if is_postgres() else "IS NOT"
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
