"""Ranking maths: plain functions, no Django, shared by the vote path, the jobs and tests.

Their SQL twins, which the vote path and the rebuild jobs run on the database, are in
votes/ranking_sql.py (they need Django, which this module does without): a change to a function
here goes with its twin there, named in its docstring.

Popular: each vote's weight halves every H seconds of its own age, so an idea's decayed score
at time `now` is  sum(v_i * 2^(-(now - t_i)/H)).  Factor out a fixed reference time t0:

    2^(-(now - t_i)/H) = 2^(-(now - t0)/H) * 2^((t_i - t0)/H)

The first factor is the same for every idea, so the order between ideas at any moment is the
order of the stored key  K = sum(v_i * 2^((t_i - t0)/H)).  A vote changes one idea's key by
one term; the list is an index scan on K. Keys grow by 2 every half-life, so a rebase moves t0
forward by a whole number n of half-lives and multiplies every key by 2^-n, which is exact in
binary floating point: the order is preserved bit for bit.
"""

import math
from collections.abc import Sequence

SECONDS_PER_DAY = 86400.0
# Rebase once t0 is this many half-lives behind: keys then stay below 2^REBASE_AFTER, far from
# float overflow (2^1024), with precision to spare for the smallest increments.
REBASE_AFTER_HALF_LIVES = 64
# Keys whose magnitude falls below this after a rebase are dropped to 0: such an idea's decayed
# score is under 2^-900 of one vote, and keeping it would only produce subnormal floats.
FLUSH_BELOW = 2.0**-900
# A vote's key term is at least 2^-1000: PostgreSQL raises on float underflow, and a vote that
# old (a thousand half-lives before t0) weighs nothing anyway. It is at most 2^960, reached only
# if the daily rebase has not run for 960 half-lives: new votes then tie in weight until it
# runs, instead of overflowing.
MIN_WEIGHT_EXPONENT = -1000.0
MAX_WEIGHT_EXPONENT = 960.0

WILSON_Z = 1.959963984540054  # 95% confidence
TREND_MIN_VOTES = 3  # fewer votes than this in the last 24 hours is not a trend
TREND_BASELINE_DAYS = 14


def vote_weight(seconds_since_t0: float, half_life_seconds: float) -> float:
    """The key term of one vote cast `seconds_since_t0` after the reference time.
    SQL twin: ranking_sql.weight_sql (the clamp: ranking_sql.power_of_two_sql)."""
    exponent = seconds_since_t0 / half_life_seconds
    return 2.0 ** min(max(exponent, MIN_WEIGHT_EXPONENT), MAX_WEIGHT_EXPONENT)


def decayed_score(key: float, seconds_since_t0: float, half_life_seconds: float) -> float:
    """The idea's decayed score now, in "fresh votes": the key scaled back to the present."""
    return key * 2.0 ** (-seconds_since_t0 / half_life_seconds)


def rebase_steps(seconds_since_t0: float, half_life_seconds: float) -> int:
    """How many whole half-lives to move t0 forward now: 0 until a rebase is due."""
    half_lives = seconds_since_t0 / half_life_seconds
    if half_lives < REBASE_AFTER_HALF_LIVES:
        return 0
    return math.floor(half_lives)


def flush_threshold(steps: int) -> float:
    """Keys smaller than this (in magnitude) before a rebase of `steps` are dropped to 0: after
    it they would fall below FLUSH_BELOW. Compared before scaling, so nothing underflows."""
    try:
        return math.ldexp(FLUSH_BELOW, steps)
    except OverflowError:
        return math.inf


def rebased_key(key: float, steps: int) -> float:
    """The key after moving t0 forward by `steps` half-lives: exact, as 2^-steps is a power of 2.
    SQL twin: ranking_sql.rebased_keys_sql."""
    if abs(key) < flush_threshold(steps):
        return 0.0
    return math.ldexp(key, -steps)


def wilson_lower_bound(promotes: int, demotes: int, z: float = WILSON_Z) -> float:
    """Lower bound of the Wilson score interval for the share of promotes among votes.
    SQL twin: ranking_sql.wilson_sql."""
    n = promotes + demotes
    if n == 0:
        return 0.0
    phat = promotes / n
    z2 = z * z
    centre = phat + z2 / (2 * n)
    margin = z * math.sqrt((phat * (1 - phat) + z2 / (4 * n)) / n)
    return (centre - margin) / (1 + z2 / n)


def trend_score(last_day: int, baseline_days: Sequence[int], min_votes: int = TREND_MIN_VOTES):
    """How unusual the last 24 hours' votes are against the idea's own recent days: a z-score
    of today's count against the daily counts before it. Below `min_votes` today it is 0.
    The variance gets +1 so a quiet idea with a flat history is not infinitely "trending"."""
    if last_day < min_votes:
        return 0.0
    days = len(baseline_days) or 1
    mean = sum(baseline_days) / days
    variance = sum((c - mean) ** 2 for c in baseline_days) / days
    return (last_day - mean) / math.sqrt(variance + 1.0)
