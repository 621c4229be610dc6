"""Popular, Top and Trending on the database: the incremental vote path, the jobs and the
full rebuild, which must agree."""

import datetime as dt
import math
import random
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ideas.models import Idea
from tests.clock import Clock
from tests.factories import CategoryFactory, IdeaFactory, UserFactory
from votes import ranking
from votes.models import RankingEpoch, TopRequestSnapshot, Vote
from votes.ranking_sql import epoch_read
from votes.rebuild import ranking_rebase, rankings_rebuild, rankings_reconcile, trending_refresh
from votes.services import vote_cast, vote_withdraw
from votes.snapshots import top_requests_snapshot

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    clock = Clock(START)
    RankingEpoch.objects.update_or_create(pk=1, defaults={"t0": START, "half_life_days": 7.0})
    with mock.patch("django.utils.timezone.now", lambda: clock.now):
        yield clock


def popular():
    return list(Idea.objects.ranked("popular").values_list("pk", flat=True))


def decayed(idea_pk: int, now: dt.datetime) -> float:
    return epoch_read().decayed(Idea.objects.get(pk=idea_pk).popular_key, now)


def test_a_vote_shows_in_the_popular_order_at_once(clock, alice):
    first, second = IdeaFactory(), IdeaFactory()
    vote_cast(voter=alice, idea=first, value=1)
    assert popular()[0] == first.pk
    vote_cast(voter=UserFactory(), idea=second, value=1)
    vote_cast(voter=UserFactory(), idea=second, value=1)
    assert popular()[0] == second.pk


def test_an_old_idea_wanted_again_beats_a_new_self_voted_one(clock):
    """Fider's trending lets a new post with its author's vote beat a month-old post with 20
    recent votes; here each vote decays with its own age, not the idea's."""
    old = IdeaFactory(created_at=clock.now)
    clock.advance(days=30)
    for voter in UserFactory.create_batch(20):
        vote_cast(voter=voter, idea=old, value=1)
        clock.advance(minutes=30)
    new = IdeaFactory(created_at=clock.now)
    vote_cast(voter=new.author, idea=new, value=1)
    assert popular() == [old.pk, new.pk]


def test_recent_votes_outrank_many_old_ones(clock):
    faded = IdeaFactory()
    for voter in UserFactory.create_batch(12):
        vote_cast(voter=voter, idea=faded, value=1)
    clock.advance(days=35)  # five half-lives: 12 votes now weigh 12/32
    fresh = IdeaFactory()
    vote_cast(voter=UserFactory(), idea=fresh, value=1)
    assert popular() == [fresh.pk, faded.pk]
    assert math.isclose(decayed(faded.pk, clock.now), 12 / 32)
    # Top still counts every vote ever.
    assert list(Idea.objects.ranked("top").values_list("pk", flat=True)) == [faded.pk, fresh.pk]


def test_top_breaks_equal_scores_by_the_wilson_lower_bound(clock):
    split, unanimous = IdeaFactory(), IdeaFactory()
    for value in (1, 1, 1, 1, -1):
        vote_cast(voter=UserFactory(), idea=split, value=value)
    for _ in range(3):
        vote_cast(voter=UserFactory(), idea=unanimous, value=1)
    top = list(Idea.objects.ranked("top"))
    assert [i.pk for i in top] == [unanimous.pk, split.pk]
    assert [i.score for i in top] == [3, 3]
    assert math.isclose(top[0].wilson, ranking.wilson_lower_bound(3, 0), rel_tol=1e-9)
    assert math.isclose(top[1].wilson, ranking.wilson_lower_bound(4, 1), rel_tol=1e-9)


def test_trending_scores_a_burst_against_the_ideas_own_baseline(clock):
    steady, burst, quiet = IdeaFactory(), IdeaFactory(), IdeaFactory()
    voters = UserFactory.create_batch(40)
    for day in range(14):  # steady gets 2 votes a day for two weeks
        for voter in voters[2 * day : 2 * day + 2]:
            vote_cast(voter=voter, idea=steady, value=1)
        clock.advance(days=1)
    for voter in voters[:8]:  # burst: 8 votes in the last day, none before
        vote_cast(voter=voter, idea=burst, value=1)
    for voter in voters[8:10]:  # quiet: 2 votes, under the minimum
        vote_cast(voter=voter, idea=quiet, value=1)
    clock.advance(hours=1)
    result = trending_refresh()
    assert result["trending"] >= 1
    trend = dict(Idea.objects.values_list("pk", "trend"))
    assert trend[burst.pk] > trend[steady.pk]
    assert trend[quiet.pk] == 0.0
    assert Idea.objects.ranked("trending").values_list("pk", flat=True).first() == burst.pk
    assert trending_refresh() == result  # idempotent
    clock.advance(days=3)
    trending_refresh()
    assert Idea.objects.get(pk=burst.pk).trend == 0.0  # the burst is over


def test_reconcile_checks_only_ideas_voted_on_since_the_last_run(clock, alice):
    untouched, recent = IdeaFactory(), IdeaFactory()
    vote_cast(voter=alice, idea=untouched, value=1)
    clock.advance(hours=1)
    since = clock.now
    vote_cast(voter=alice, idea=recent, value=1)
    Idea.objects.filter(pk=recent.pk).update(promotes=9, demotes=0, score=9, popular_key=123.0)
    result = rankings_reconcile(since=since)
    assert result == {"checked": 1, "repaired": 1}
    fixed = Idea.objects.get(pk=recent.pk)
    assert (fixed.promotes, fixed.score) == (1, 1)
    assert math.isclose(decayed(recent.pk, clock.now), 1.0)


def test_a_changed_half_life_setting_triggers_a_full_rebuild(clock, alice, settings):
    idea = IdeaFactory()
    vote_cast(voter=alice, idea=idea, value=1)
    settings.IDEAS_HALF_LIFE_DAYS = 1.0
    clock.advance(days=2)
    assert rankings_reconcile(since=clock.now)["reason"] == "half-life changed"
    assert epoch_read().half_life_days == 1.0
    assert math.isclose(decayed(idea.pk, clock.now), 0.25)


def test_snapshot_records_the_top_open_ideas_with_movement(clock):
    notebooks = CategoryFactory(slug="notebooks", name="Notebooks")
    a, b = IdeaFactory(category=notebooks), IdeaFactory(category=notebooks)
    IdeaFactory(category=notebooks, status="implemented")
    vote_cast(voter=UserFactory(), idea=a, value=1)
    top_requests_snapshot()
    assert top_requests_snapshot()["entries"] == 4  # twice in one hour: replaced, not doubled
    assert TopRequestSnapshot.objects.count() == 1
    clock.advance(hours=1)
    for voter in UserFactory.create_batch(2):
        vote_cast(voter=voter, idea=b, value=1)
    top_requests_snapshot()
    latest = TopRequestSnapshot.objects.latest()
    overall = {e.idea_id: e for e in latest.entries.filter(category=None)}
    assert set(overall) == {a.pk, b.pk}  # the implemented idea is not a request any more
    assert (overall[b.pk].rank, overall[b.pk].movement) == (1, 1)
    assert (overall[a.pk].rank, overall[a.pk].movement) == (2, -1)
    assert latest.entries.filter(category=notebooks).count() == 2


def test_snapshot_leaves_out_ideas_nobody_sees_and_fills_their_places(clock, monkeypatch):
    monkeypatch.setattr("votes.snapshots.TOP_N", 2)
    now = clock.now
    target = IdeaFactory()
    unseen = [
        IdeaFactory(hidden_at=now),
        IdeaFactory(held_at=now),
        IdeaFactory(withdrawn_at=now),
        IdeaFactory(merged_into=target),
    ]
    seen = IdeaFactory.create_batch(2)
    Idea.objects.filter(pk__in=[i.pk for i in unseen]).update(promotes=100, score=100)
    Idea.objects.filter(pk__in=[i.pk for i in seen]).update(promotes=10, score=10)
    top_requests_snapshot()
    entries = TopRequestSnapshot.objects.latest().entries.filter(category=None)
    assert set(entries.values_list("idea_id", flat=True)) == {i.pk for i in seen}


def test_recompute_rankings_command_rebuilds_and_shows_progress(clock, alice, capsys):
    ideas = IdeaFactory.create_batch(3)
    for idea in ideas:
        vote_cast(voter=alice, idea=idea, value=1)
    Idea.objects.update(promotes=5, demotes=0, score=5, popular_key=0.0)
    call_command("recompute_rankings")
    out = capsys.readouterr().out
    assert "ideas [" in out and "] 3/3" in out
    assert "Rankings rebuilt" in out
    assert set(Idea.objects.values_list("score", flat=True)) == {1}
    assert all(math.isclose(decayed(i.pk, clock.now), 1.0) for i in ideas)


actions = st.lists(
    st.tuples(
        st.integers(0, 3),  # voter
        st.integers(0, 2),  # idea
        st.sampled_from([1, -1, 0]),  # promote, demote, withdraw
        st.floats(min_value=0, max_value=20 * 86400),  # seconds before this action
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions)
def test_incremental_votes_and_the_full_rebuild_agree(clock, actions):
    with transaction.atomic():
        voters = UserFactory.create_batch(4)
        ideas = IdeaFactory.create_batch(3)
        for voter, idea, value, wait in actions:
            clock.advance(seconds=wait)
            if value:
                vote_cast(voter=voters[voter], idea=ideas[idea], value=value)
            else:
                vote_withdraw(voter=voters[voter], idea=ideas[idea])
        fields = ("pk", "promotes", "demotes", "score")
        incremental = list(Idea.objects.order_by("pk").values_list(*fields))
        wilson = list(Idea.objects.order_by("pk").values_list("wilson", flat=True))
        scores = {i.pk: decayed(i.pk, clock.now) for i in ideas}
        rankings_rebuild()
        assert list(Idea.objects.order_by("pk").values_list(*fields)) == incremental
        rebuilt_wilson = Idea.objects.order_by("pk").values_list("wilson", flat=True)
        assert list(rebuilt_wilson) == pytest.approx(wilson, rel=1e-9)
        for pk, score in scores.items():
            assert math.isclose(decayed(pk, clock.now), score, rel_tol=1e-9, abs_tol=1e-9)
        for idea in ideas:
            votes = Vote.objects.filter(idea=idea)
            assert Idea.objects.get(pk=idea.pk).promotes == votes.filter(value=1).count()
        transaction.set_rollback(True)


def test_ten_years_at_a_one_day_half_life_rebase_keeps_the_order_exactly(clock, settings):
    """Without rebases the keys would pass 2^3650 and overflow. With them: no inf, no NaN,
    and the Popular order is the same immediately before and after every rebase."""
    settings.IDEAS_HALF_LIFE_DAYS = 1.0
    RankingEpoch.objects.filter(pk=1).update(half_life_days=1.0)
    rng = random.Random(7)
    ideas = IdeaFactory.create_batch(12)
    voters = UserFactory.create_batch(10)
    rebases = 0
    for _ in range(3650 // 5):
        clock.advance(days=5)
        for idea in rng.sample(ideas, 4):
            voter = rng.choice(voters)
            if rng.random() < 0.2:
                vote_withdraw(voter=voter, idea=idea)
            else:
                vote_cast(voter=voter, idea=idea, value=rng.choice([1, 1, 1, -1]))
        before = popular()
        keys_before = dict(Idea.objects.values_list("pk", "popular_key"))
        result = ranking_rebase()
        if result["steps"]:
            rebases += 1
            assert popular() == before
            for pk, key in Idea.objects.values_list("pk", "popular_key"):
                assert math.isfinite(key)
                assert key == keys_before[pk] * 2.0 ** -result["steps"] or key == 0.0
    assert rebases >= 50
    scores = {i.pk: decayed(i.pk, clock.now) for i in ideas}
    assert all(math.isfinite(s) and abs(s) < 100 for s in scores.values())
    rankings_rebuild()
    for pk, score in scores.items():
        assert math.isclose(decayed(pk, clock.now), score, rel_tol=1e-6, abs_tol=1e-12)


def test_rebuild_rewrites_only_the_rows_that_disagree_with_the_votes(clock, alice):
    right, drifted = IdeaFactory(), IdeaFactory()
    vote_cast(voter=alice, idea=right, value=1)
    vote_cast(voter=alice, idea=drifted, value=1)
    Idea.objects.filter(pk=drifted.pk).update(popular_key=99.0)
    result = rankings_rebuild()
    assert (result["ideas"], result["rewritten"]) == (2, 1)
    assert math.isclose(decayed(drifted.pk, clock.now), 1.0)
    assert rankings_rebuild()["rewritten"] == 0
