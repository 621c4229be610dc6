"""The full rebuild and the trending refresh in the shape a large board needs (votes summed by
idea in one pass, staged in temporary tables, written over ranges of ids; trend counts made
in SQL, scored in Python from a stream): the same figures as the per-idea SQL and as
votes/ranking.py, the same locking, and nothing left behind."""

import datetime as dt
import math
import random
import threading
from unittest import mock

import pytest
from django.db import OperationalError, connection, transaction

from ideas.models import Idea
from moderation.models import StuffingCase
from tests.factories import IdeaFactory, UserFactory
from votes import ranking, rebuild
from votes.models import RankingEpoch, Vote
from votes.ranking_sql import KEY_TOLERANCE
from votes.rebuild import ideas_recount, rankings_rebuild, trending_refresh

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
HALF_LIFE_DAYS = 7.0
FIGURES = ("pk", "promotes", "demotes", "score", "last_voted_at")


@pytest.fixture
def clock():
    RankingEpoch.objects.update_or_create(
        pk=1, defaults={"t0": START, "half_life_days": HALF_LIFE_DAYS}
    )
    now = START + dt.timedelta(days=40)
    with mock.patch("django.utils.timezone.now", lambda: now):
        yield now


@pytest.fixture
def small_ranges(monkeypatch):
    """Write over many short ranges of ids, as a large board does over its twenty."""
    monkeypatch.setattr(rebuild, "REBUILD_CHUNK_MIN", 1)
    monkeypatch.setattr(rebuild, "REBUILD_CHUNKS", 4)


@pytest.fixture
def voters():
    """Members to vote: each idea takes them in turn from the first (one vote each)."""
    pool = UserFactory.create_batch(140)
    taken: dict[int, int] = {}

    def next_for(idea):
        taken[idea.pk] = taken.get(idea.pk, -1) + 1
        return pool[taken[idea.pk]]

    return next_for


def cast(voters, idea, at: dt.datetime, value: int = 1, *, quarantine=None) -> Vote:
    """A vote row as the votes table holds it, its idea's figures left as they were."""
    return Vote.objects.create(
        voter=voters(idea), idea=idea, value=value, created_at=at, quarantine=quarantine
    )


def expected(idea) -> dict:
    """The figures votes/ranking.py gives for the idea's counted votes."""
    votes = list(Vote.objects.filter(idea=idea, quarantine__isnull=True))
    promotes = sum(v.value == 1 for v in votes)
    demotes = sum(v.value == -1 for v in votes)
    half_life = HALF_LIFE_DAYS * ranking.SECONDS_PER_DAY
    key = sum(
        v.value * ranking.vote_weight((v.created_at - START).total_seconds(), half_life)
        for v in votes
    )
    return {
        "promotes": promotes,
        "demotes": demotes,
        "score": promotes - demotes,
        "wilson": ranking.wilson_lower_bound(promotes, demotes),
        "key": key,
        "last": max((v.created_at for v in votes), default=None),
    }


def assert_rebuilt(idea) -> None:
    stored = Idea.objects.get(pk=idea.pk)
    want = expected(idea)
    assert (stored.promotes, stored.demotes, stored.score) == (
        want["promotes"],
        want["demotes"],
        want["score"],
    )
    assert stored.last_voted_at == want["last"]
    assert math.isclose(stored.wilson, want["wilson"], rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(stored.popular_key, want["key"], rel_tol=1e-9, abs_tol=1e-12)


def test_rebuild_over_many_ranges_writes_what_the_votes_say(clock, small_ranges, voters):
    ideas = IdeaFactory.create_batch(9)
    rng = random.Random(3)
    for idea in ideas[:7]:
        for _ in range(rng.randint(1, 6)):
            at = START + dt.timedelta(seconds=rng.uniform(-30, 39) * 86400)
            cast(voters, idea, at, rng.choice([1, 1, -1]))
    # A quarantined vote counts nowhere, not even in the last vote's time.
    case = StuffingCase.objects.create(
        rule="burst", network="10.0.0.0/24", fingerprint="x", detected_at=clock
    )
    cast(voters, ideas[0], clock, 1, quarantine=case)
    # Stale figures on an idea that has no votes (any more) go back to 0.
    Idea.objects.filter(pk=ideas[8].pk).update(
        promotes=4, score=4, popular_key=3.0, wilson=0.5, last_voted_at=clock
    )
    calls = []
    result = rankings_rebuild(progress=lambda done, total: calls.append((done, total)))
    assert result["ideas"] == 9 and result["rewritten"] == 8  # ideas[7]: no votes, all 0
    for idea in ideas:
        assert_rebuilt(idea)
    assert ideas[-1].pk - ideas[0].pk + 1 == 9
    assert calls == [(3, 9), (6, 9), (9, 9)]  # ranges of ceil(9 / 4) ids
    assert rankings_rebuild()["rewritten"] == 0


def test_rebuild_and_the_per_idea_recount_agree(clock, small_ranges, voters):
    """rankings_rebuild (one pass over the votes) and ideas_recount (recompute_sql, a join per
    idea) are two SQL paths to the same figures."""
    ideas = IdeaFactory.create_batch(6)
    rng = random.Random(11)
    for idea in ideas[:5]:
        for _ in range(rng.randint(1, 12)):
            at = START + dt.timedelta(seconds=rng.uniform(-60, 39) * 86400)
            cast(voters, idea, at, rng.choice([1, 1, 1, -1]))
    rankings_rebuild()
    rebuilt = list(Idea.objects.order_by("pk").values_list(*FIGURES, "wilson", "popular_key"))
    Idea.objects.update(promotes=0, demotes=0, score=0, popular_key=0.0, wilson=0.0)
    ideas_recount([i.pk for i in ideas])
    recounted = list(Idea.objects.order_by("pk").values_list(*FIGURES, "wilson", "popular_key"))
    for (*a, wilson_a, key_a), (*b, wilson_b, key_b) in zip(rebuilt, recounted, strict=True):
        assert a == b
        assert wilson_a == wilson_b
        assert math.isclose(key_a, key_b, rel_tol=KEY_TOLERANCE, abs_tol=1e-12)
    assert rankings_rebuild()["rewritten"] == 0


def temporary_tables() -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT relname FROM pg_class WHERE relpersistence = 't' AND relkind = 'r'"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table'")
        return [row[0] for row in cursor.fetchall()]


def test_the_jobs_leave_no_temporary_table_and_run_twice_in_one_transaction(clock, voters):
    idea = IdeaFactory()
    for hours in (1, 2, 3, 30):
        cast(voters, idea, clock - dt.timedelta(hours=hours))
    with transaction.atomic():
        rankings_rebuild()
        rankings_rebuild()
        trending_refresh()
        trending_refresh()
        assert temporary_tables() == []
    assert temporary_tables() == []
    assert_rebuilt(idea)


def days_ago(now: dt.datetime, day: int, n: int) -> list[dt.datetime]:
    """n vote times spread within the day `day` days back (0: the last 24 hours)."""
    return [now - dt.timedelta(days=day, hours=1 + 22 * k / max(n, 1)) for k in range(n)]


def test_trending_in_sql_matches_ranking_trend_score(clock, monkeypatch, voters):
    """Counted in SQL by day, scored by ranking.trend_score, rounded as it always was; read in
    batches smaller than the ideas to score."""
    monkeypatch.setattr(rebuild, "TREND_BATCH", 2)
    now = clock
    patterns = {
        "burst": (9, [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0]),
        "steady": (6, [4, 3, 5, 4, 4, 4, 3, 5, 4, 4, 4, 4, 3, 5]),
        "fading": (3, [9, 8, 10, 9, 9, 8, 9, 10, 9, 9, 8, 9, 9, 9]),  # a negative z-score
        "too_few": (2, [0] * 14),
        "baseline_only": (0, [2] * 14),
        "flat": (3, [3] * 14),  # today as usual: 0, not stored
    }
    ideas = {}
    for name, (today, baseline) in patterns.items():
        ideas[name] = idea = IdeaFactory()
        for at in days_ago(now, 0, today):
            cast(voters, idea, at)
        for day, count in enumerate(baseline, start=1):
            for at in days_ago(now, day, count):
                cast(voters, idea, at)
    # Outside the window (more than 15 days back) or quarantined: not counted.
    cast(voters, ideas["too_few"], now - dt.timedelta(days=15, seconds=1))
    case = StuffingCase.objects.create(
        rule="burst", network="10.0.0.0/24", fingerprint="y", detected_at=now
    )
    cast(voters, ideas["too_few"], now - dt.timedelta(hours=2), quarantine=case)
    # A stale trend on an idea with no votes today goes back to 0.
    stale = IdeaFactory()
    Idea.objects.filter(pk=stale.pk).update(trend=7.5)

    result = trending_refresh(now=now)
    stored = dict(Idea.objects.values_list("pk", "trend"))
    for name, (today, baseline) in patterns.items():
        want = round(ranking.trend_score(today, baseline), 6)
        assert stored[ideas[name].pk] == want, name
    assert stored[ideas["burst"].pk] > 3 and stored[ideas["fading"].pk] < 0
    assert stored[ideas["flat"].pk] == 0.0 and stored[stale.pk] == 0.0
    assert result == {"trending": 3, "ideas_with_recent_votes": 6}
    with mock.patch.object(rebuild, "board_changed") as changed:
        assert trending_refresh(now=now) == result
    changed.assert_not_called()  # nothing to write the second time


def test_trending_counts_a_vote_exactly_a_day_old_in_the_day_before(clock, voters):
    now = clock
    idea = IdeaFactory()
    for at in days_ago(now, 0, 3):
        cast(voters, idea, at)
    cast(voters, idea, now - dt.timedelta(days=1))  # age exactly 1 day: d1, not d0
    cast(voters, idea, now - dt.timedelta(days=15))  # the window's open end: out
    trending_refresh(now=now)
    want = round(ranking.trend_score(3, [1] + [0] * 13), 6)
    assert Idea.objects.get(pk=idea.pk).trend == want


@pytest.mark.django_db(transaction=True)
def test_the_rebuild_holds_votes_out_until_it_commits(postgres, clock, voters):
    """Votes take a lock on the votes table that the rebuild's SHARE lock excludes, from its
    first statement to its commit, across the staging and every range it writes."""
    idea = IdeaFactory()
    cast(voters, idea, clock - dt.timedelta(days=1))
    writing, release = threading.Event(), threading.Event()
    write = rebuild._write_rebuilt_figures
    errors = []

    def paused_write(*args):
        writing.set()
        release.wait(10)
        return write(*args)

    def run():
        try:
            rankings_rebuild()
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    with mock.patch.object(rebuild, "_write_rebuilt_figures", paused_write):
        worker = threading.Thread(target=run)
        worker.start()
        assert writing.wait(10)
        with pytest.raises(OperationalError), transaction.atomic(), connection.cursor() as c:
            c.execute("LOCK TABLE votes_vote IN ROW EXCLUSIVE MODE NOWAIT")
        release.set()
        worker.join(10)
    assert errors == []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE votes_vote IN ROW EXCLUSIVE MODE NOWAIT")
    assert Idea.objects.get(pk=idea.pk).promotes == 1
