import datetime as dt

import pytest
from django.utils import timezone

from actions.ideas import idea_status_set
from ideas.models import Status, StatusChange
from pm import selectors
from tests.factories import IdeaFactory
from votes.models import Vote

NOW = timezone.make_aware(dt.datetime(2026, 3, 20, 12, 0))


def at(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def idea(score=0, *, created_days_ago=30, **kwargs):
    return IdeaFactory(
        score=score,
        promotes=max(score, 0),
        demotes=max(-score, 0),
        created_at=at(created_days_ago),
        **kwargs,
    )


def board_figures():
    days = selectors.votes_per_day(days=30, now=NOW)
    return selectors.figures(
        days=7, vote_days=days, per_status=selectors.ideas_per_status(), now=NOW
    )


def test_response_rate_and_ideas_waiting(category, pat):
    answered = idea(12, category=category)
    idea(15, category=category)  # waiting: open, above the threshold, no response
    idea(10, category=category, status=Status.DECLINED)  # closed without an answer: not waiting
    idea(9, category=category)  # under the threshold: neither
    idea_status_set(idea=answered, actor=pat, status=Status.PLANNED, response="Next spring.")
    figures = board_figures()
    assert figures.threshold == 10
    assert (figures.above_threshold, figures.answered_above_threshold) == (3, 1)
    assert figures.response_rate == pytest.approx(1 / 3)
    assert figures.waiting == 1


def test_the_threshold_is_a_setting(category, settings):
    settings.PM_RESPONSE_THRESHOLD = 3
    idea(4, category=category)
    assert board_figures().waiting == 1


def test_no_idea_above_the_threshold_has_no_rate(category):
    idea(1, category=category)
    assert board_figures().response_rate is None


def test_median_time_to_first_response(category, pat):
    waits = {}
    for hours in (2, 10, 30, 100):
        answered = idea(category=category, created_days_ago=10)
        answered.responded_at = answered.created_at + dt.timedelta(hours=hours)
        answered.save(update_fields=["responded_at"])
        waits[hours] = answered
    # The first response counts, not the latest: 100 h became 6 h.
    later = waits[100]
    StatusChange.objects.create(
        idea=later,
        actor=pat,
        old_status="new",
        new_status="planned",
        response="First answer",
        created_at=later.created_at + dt.timedelta(hours=6),
    )
    # A change without a response is no answer.
    StatusChange.objects.create(
        idea=later,
        actor=pat,
        old_status="new",
        new_status="under-review",
        created_at=later.created_at + dt.timedelta(hours=1),
    )
    idea(category=category)  # not answered: left out
    assert selectors.median_time_to_response() == dt.timedelta(hours=8)  # (6 + 10) / 2
    waits[2].delete()
    assert selectors.median_time_to_response() == dt.timedelta(hours=10)  # 6, 10, 30


def test_median_without_answers_is_none(category):
    idea(category=category)
    assert selectors.median_time_to_response() is None


def test_new_ideas_and_votes_of_the_last_seven_days(category, alice, bob):
    fresh = idea(category=category, created_days_ago=2)
    idea(category=category, created_days_ago=6.4)  # today and the 6 days before
    idea(category=category, created_days_ago=8)
    for voter, days, value in ((alice, 1, 1), (bob, 3, -1)):
        Vote.objects.create(voter=voter, idea=fresh, value=value, created_at=at(days))
    old = idea(category=category)
    Vote.objects.create(voter=alice, idea=old, value=1, created_at=at(20))
    figures = board_figures()
    assert (figures.new_ideas, figures.votes) == (2, 2)
    per_day = selectors.votes_per_day(days=30, now=NOW)
    assert len(per_day) == 30 and per_day[-1].day == NOW.date()
    assert sum(d.promotes for d in per_day) == 2 and sum(d.demotes for d in per_day) == 1
    assert per_day[-2].promotes == 1 and per_day[-4].demotes == 1


def test_ideas_per_status_leaves_hidden_ideas_out(category):
    idea(category=category, status=Status.PLANNED)
    idea(category=category, status=Status.PLANNED, hidden_at=NOW)
    counts = selectors.ideas_per_status()
    assert counts["planned"] == 1 and counts["new"] == 0
    assert list(counts) == Status.values


def test_status_history_works_back_from_today(category, pat):
    one = idea(category=category, created_days_ago=40)
    two = idea(category=category, created_days_ago=10)
    idea(category=category, created_days_ago=1)
    # one: new -> planned 20 days ago -> implemented 3 days ago; two: new -> declined 5 days ago.
    for target, days, old, new in (
        (one, 20, "new", "planned"),
        (one, 3, "planned", "implemented"),
        (two, 5, "new", "declined"),
    ):
        StatusChange.objects.create(
            idea=target, actor=pat, old_status=old, new_status=new, created_at=at(days)
        )
        target.status = new
        target.save(update_fields=["status"])
    weeks = selectors.status_history(current=selectors.ideas_per_status(), weeks=5, now=NOW)
    assert [w.end for w in weeks] == [
        NOW.date() - dt.timedelta(days=7 * k) for k in (4, 3, 2, 1, 0)
    ]

    def nonzero(week):
        return {s: n for s, n in week.counts.items() if n}

    assert [nonzero(w) for w in weeks] == [
        {"new": 1},  # 20 Feb: one is new
        {"new": 1},
        {"planned": 1},  # 6 Mar: one planned on 28 Feb
        {"planned": 1, "new": 1},  # 13 Mar: two created on 10 Mar
        {"implemented": 1, "declined": 1, "new": 1},  # today: as the ideas are now
    ]
