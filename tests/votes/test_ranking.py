"""The ranking maths alone (votes/ranking.py), no database."""

import math

from hypothesis import given
from hypothesis import strategies as st

from votes import ranking

H = 7 * 86400.0


def test_a_vote_weight_doubles_every_half_life_after_t0():
    assert ranking.vote_weight(0, H) == 1.0
    assert ranking.vote_weight(H, H) == 2.0
    assert ranking.vote_weight(3 * H, H) == 8.0


def test_decayed_score_halves_with_each_half_life_of_age():
    key = ranking.vote_weight(10 * H, H)  # one vote cast 10 half-lives after t0
    assert ranking.decayed_score(key, 10 * H, H) == 1.0  # seen at once: a full vote
    assert ranking.decayed_score(key, 11 * H, H) == 0.5  # a half-life later: half a vote


def test_rebase_is_not_due_until_64_half_lives():
    assert ranking.rebase_steps(63.9 * H, H) == 0
    assert ranking.rebase_steps(64.5 * H, H) == 64


@given(st.floats(min_value=-1e300, max_value=1e300, allow_nan=False), st.integers(0, 100))
def test_rebased_key_is_exact_unless_flushed(key, steps):
    rebased = ranking.rebased_key(key, steps)
    if rebased == 0.0:
        assert abs(key) * 2.0**-steps < ranking.FLUSH_BELOW
    else:
        assert math.ldexp(rebased, steps) == key
        assert abs(rebased) >= ranking.FLUSH_BELOW


def test_a_rebase_after_a_very_long_pause_flushes_instead_of_underflowing():
    assert ranking.rebased_key(2.0**-1000, 2000) == 0.0
    assert ranking.rebased_key(2.0**1000, 3000) == 0.0


@given(
    st.lists(st.floats(min_value=-1e200, max_value=1e200, allow_nan=False), max_size=30),
    st.integers(1, 200),
)
def test_rebase_preserves_the_order_of_keys_exactly(keys, steps):
    kept = [k for k in keys if abs(k) * 2.0**-steps >= ranking.FLUSH_BELOW or k == 0]
    order = sorted(range(len(kept)), key=lambda i: (kept[i], i))
    rebased = [ranking.rebased_key(k, steps) for k in kept]
    assert sorted(range(len(rebased)), key=lambda i: (rebased[i], i)) == order


def test_wilson_lower_bound_known_values_and_shape():
    assert ranking.wilson_lower_bound(0, 0) == 0.0
    assert math.isclose(ranking.wilson_lower_bound(1, 0), 0.2065, abs_tol=1e-4)
    # Same share of promotes, more evidence: a higher lower bound.
    assert ranking.wilson_lower_bound(90, 10) > ranking.wilson_lower_bound(9, 1)
    # Same net score 3: unanimous few beat a split crowd.
    assert ranking.wilson_lower_bound(3, 0) > ranking.wilson_lower_bound(4, 1)


def test_trend_needs_a_minimum_count_in_the_last_day():
    assert ranking.trend_score(2, [0] * 14) == 0.0


def test_trend_is_high_for_a_burst_over_a_quiet_baseline_and_low_for_the_usual_pace():
    burst = ranking.trend_score(12, [0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0])
    usual = ranking.trend_score(10, [10, 9, 11, 10, 10, 9, 11, 10, 10, 10, 9, 11, 10, 10])
    assert burst > 5
    assert abs(usual) < 1


def test_vote_weights_are_clamped_so_sql_never_overflows_or_underflows():
    assert ranking.vote_weight(-5000 * H, H) == 2.0**-1000
    assert ranking.vote_weight(5000 * H, H) == 2.0**960
