"""The vote-stuffing job: bursts from fresh accounts and rings are quarantined (kept, counted in
no score), established voters are left alone, and a moderator's release restores the score."""

import datetime as dt
from unittest import mock

import pytest

from core.models import AuditEntry
from ideas.models import Idea
from moderation.models import StuffingCase
from moderation.stuffing import case_decide, stuffing_detect
from tests.factories import IdeaFactory, UserFactory
from votes.models import Vote
from votes.rebuild import rankings_rebuild
from votes.services import vote_cast, vote_withdraw

NET = "203.0.113.0/24"
OTHER_NET = "198.51.100.0/24"
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(db):
    class Clock:
        now = NOW

    with mock.patch("django.utils.timezone.now", lambda: Clock.now):
        yield Clock


def established(n: int, prefix: str) -> list:
    """Members who joined a month ago and voted before: not suspicious by age or inactivity."""
    old_idea = IdeaFactory(title=f"Older idea for {prefix}")
    users = [
        UserFactory(username=f"{prefix}{i}", date_joined=NOW - dt.timedelta(days=30))
        for i in range(n)
    ]
    for user in users:
        vote_cast(voter=user, idea=old_idea, value=1, network=OTHER_NET)
    Vote.objects.filter(idea=old_idea).update(created_at=NOW - dt.timedelta(days=10))
    return users


def fresh(n: int, prefix: str) -> list:
    return [
        UserFactory(username=f"{prefix}{i}", date_joined=NOW - dt.timedelta(hours=1))
        for i in range(n)
    ]


def score(idea) -> int:
    return Idea.objects.get(pk=idea.pk).score


def test_twenty_fresh_accounts_from_one_network_are_quarantined_and_release_restores(clock, mo):
    idea = IdeaFactory(title="Free laptops for everyone")
    for member in established(3, "regular"):
        vote_cast(voter=member, idea=idea, value=1, network=OTHER_NET)
    assert score(idea) == 3
    for i, account in enumerate(fresh(20, "sock")):
        clock.now = NOW + dt.timedelta(seconds=15 * i)  # 20 votes within 5 minutes
        vote_cast(voter=account, idea=idea, value=1, network=NET)
    assert score(idea) == 23

    clock.now = NOW + dt.timedelta(minutes=10)
    result = stuffing_detect(since=NOW - dt.timedelta(hours=1))

    assert result["cases_opened"] == 1
    case = StuffingCase.objects.get()
    assert case.rule == StuffingCase.Rule.BURST and case.network == NET and case.idea == idea
    assert case.votes.count() == 20 and case.accounts.count() == 20
    assert Vote.objects.filter(idea=idea).count() == 23  # kept
    assert score(idea) == 3  # not counted
    assert AuditEntry.objects.filter(action="stuffing.detected").count() == 1

    case_decide(case=case, moderator=mo, confirm=False, reason="A real launch event")
    assert score(idea) == 23
    assert not Vote.objects.filter(quarantine__isnull=False).exists()
    assert StuffingCase.objects.get().state == StuffingCase.State.RELEASED


def test_twenty_established_accounts_across_a_day_are_left_alone(clock):
    idea = IdeaFactory(title="Longer warranty")
    for i, member in enumerate(established(20, "loyal")):
        clock.now = NOW + dt.timedelta(hours=1, minutes=70 * i)
        vote_cast(voter=member, idea=idea, value=1, network=NET)
    clock.now = NOW + dt.timedelta(days=1, hours=1)
    result = stuffing_detect(since=NOW)
    assert result["findings"] == 0
    assert not StuffingCase.objects.exists()
    assert score(idea) == 20


def test_running_twice_opens_no_second_case_and_confirmed_votes_stay_out(clock, mo):
    idea = IdeaFactory()
    for i, account in enumerate(fresh(6, "burst")):
        clock.now = NOW + dt.timedelta(minutes=i)
        vote_cast(voter=account, idea=idea, value=1, network=NET)
    clock.now = NOW + dt.timedelta(minutes=20)
    stuffing_detect(since=NOW - dt.timedelta(hours=1))
    again = stuffing_detect(since=NOW - dt.timedelta(hours=1))
    assert again["cases_opened"] == 0 and again["votes_quarantined"] == 0
    case = case_decide(case=StuffingCase.objects.get(), moderator=mo, confirm=True)
    assert case.state == StuffingCase.State.CONFIRMED
    assert score(idea) == 0
    # The full rebuild from the votes table agrees: quarantined votes count nowhere.
    rankings_rebuild()
    assert score(idea) == 0


def test_fewer_than_the_minimum_is_not_a_burst(clock):
    idea = IdeaFactory()
    for account in fresh(4, "few"):
        vote_cast(voter=account, idea=idea, value=1, network=NET)
    clock.now = NOW + dt.timedelta(minutes=20)
    assert stuffing_detect(since=NOW - dt.timedelta(hours=1))["findings"] == 0


def test_a_ring_voting_together_on_several_ideas_is_quarantined(clock):
    ideas = [IdeaFactory(title=f"Ring target {n}") for n in range(3)]
    ring = established(4, "ring")
    for n, idea in enumerate(ideas):
        for i, member in enumerate(ring):
            clock.now = NOW + dt.timedelta(hours=n, minutes=i)
            vote_cast(voter=member, idea=idea, value=1, network=NET)
    clock.now = NOW + dt.timedelta(hours=4)
    stuffing_detect(since=NOW - dt.timedelta(hours=1))
    case = StuffingCase.objects.get()
    assert case.rule == StuffingCase.Rule.RING
    assert case.accounts.count() == 4 and case.votes.count() == 12
    assert [score(i) for i in ideas] == [0, 0, 0]


def test_a_quarantined_vote_switched_or_withdrawn_leaves_the_counts_alone(clock):
    idea = IdeaFactory()
    accounts = fresh(5, "q")
    for account in accounts:
        vote_cast(voter=account, idea=idea, value=1, network=NET)
    clock.now = NOW + dt.timedelta(minutes=20)
    stuffing_detect(since=NOW - dt.timedelta(hours=1))
    assert score(idea) == 0
    vote_cast(voter=accounts[0], idea=idea, value=-1)
    vote_withdraw(voter=accounts[1], idea=idea)
    fresh_idea = Idea.objects.get(pk=idea.pk)
    assert (fresh_idea.score, fresh_idea.promotes, fresh_idea.demotes) == (0, 0, 0)
    rankings_rebuild()
    assert score(idea) == 0


def test_votes_record_only_the_network(client, alice):
    from django.urls import reverse

    idea = IdeaFactory()
    client.force_login(alice)
    client.post(reverse("idea-vote", args=[idea.pk]), {"value": "1"}, REMOTE_ADDR="192.0.2.77")
    assert Vote.objects.get().network == "192.0.2.0/24"


def fresh_group_votes_on(ideas, clock) -> list:
    """Six fresh accounts on one network promote each idea, a minute apart."""
    accounts = fresh(6, "sock")
    for n, idea in enumerate(ideas):
        for i, account in enumerate(accounts):
            clock.now = NOW + dt.timedelta(minutes=10 * n + i)
            vote_cast(voter=account, idea=idea, value=1, network=NET)
    return accounts


def test_fresh_accounts_voting_together_on_several_ideas_make_one_case_not_one_per_idea(clock, mo):
    """Both rules match these votes. One ring case holds all 18; no burst case opens over the
    same votes (a vote is held by one case), so confirming the ring keeps every one out."""
    ideas = [IdeaFactory(title=f"Target {n}") for n in range(3)]
    fresh_group_votes_on(ideas, clock)
    clock.now = NOW + dt.timedelta(hours=1)
    result = stuffing_detect(since=NOW - dt.timedelta(hours=1))
    assert result["cases_opened"] == 1 and result["votes_quarantined"] == 18
    case = StuffingCase.objects.get()
    assert case.rule == StuffingCase.Rule.RING
    assert case.votes.count() == 18 and case.evidence["votes"] == 18
    case_decide(case=case, moderator=mo, confirm=True)
    assert [score(i) for i in ideas] == [0, 0, 0]


def test_a_released_vote_is_never_quarantined_again(clock, mo):
    ideas = [IdeaFactory(title=f"Launch {n}") for n in range(3)]
    fresh_group_votes_on(ideas, clock)
    clock.now = NOW + dt.timedelta(hours=1)
    stuffing_detect(since=NOW - dt.timedelta(hours=1))
    case_decide(case=StuffingCase.objects.get(), moderator=mo, confirm=False)
    assert [score(i) for i in ideas] == [6, 6, 6]
    # The next run scans the same votes: the bursts on each idea match them, but a moderator
    # has released them.
    clock.now += dt.timedelta(minutes=5)
    again = stuffing_detect(since=NOW - dt.timedelta(hours=1))
    assert again["cases_opened"] == 0 and again["votes_quarantined"] == 0
    assert [score(i) for i in ideas] == [6, 6, 6]
    assert Vote.objects.filter(cleared=True).count() == 18


def test_run_every_few_minutes_a_groups_burst_cases_become_its_one_ring_case(clock, mo):
    """As beat runs it: the first run sees the group on one idea only (a burst); once it has
    voted on enough ideas, the ring case takes the burst cases' votes and they go."""
    ideas = [IdeaFactory(title=f"Target {n}") for n in range(3)]
    accounts = fresh(6, "sock")
    for n, idea in enumerate(ideas):
        for i, account in enumerate(accounts):
            clock.now = NOW + dt.timedelta(minutes=10 * n + i)
            vote_cast(voter=account, idea=idea, value=1, network=NET)
        clock.now += dt.timedelta(minutes=3)
        stuffing_detect(since=NOW - dt.timedelta(hours=1))
    case = StuffingCase.objects.get()
    assert case.rule == StuffingCase.Rule.RING and case.votes.count() == 18
    assert AuditEntry.objects.filter(action="stuffing.superseded").count() == 2
    assert [score(i) for i in ideas] == [0, 0, 0]
    case_decide(case=case, moderator=mo, confirm=False)
    assert [score(i) for i in ideas] == [6, 6, 6]


def test_a_burst_left_with_fewer_accounts_than_the_minimum_opens_no_case(clock):
    """Three ring accounts and two more fresh ones voting on one idea: the ring takes its
    members' votes, and the two left are no burst (a ban from a burst case must not reach the
    ring's accounts)."""
    ideas = [IdeaFactory(title=f"Target {n}") for n in range(3)]
    ring = fresh(3, "ring")
    others = fresh(2, "other")
    for n, idea in enumerate(ideas):
        for i, account in enumerate(ring + (others if n == 0 else [])):
            clock.now = NOW + dt.timedelta(minutes=10 * n + i)
            vote_cast(voter=account, idea=idea, value=1, network=NET)
    clock.now = NOW + dt.timedelta(hours=1)
    stuffing_detect(since=NOW - dt.timedelta(hours=1))
    case = StuffingCase.objects.get()
    assert case.rule == StuffingCase.Rule.RING
    assert sorted(case.accounts.values_list("username", flat=True)) == ["ring0", "ring1", "ring2"]
    assert score(ideas[0]) == 2  # the two others' votes count
