import threading

import pytest
from django.db import IntegrityError, connection, transaction

from ideas.models import Idea
from tests.factories import IdeaFactory, UserFactory
from votes.models import Vote
from votes.rebuild import rankings_reconcile
from votes.services import vote_cast, vote_withdraw

pytestmark = pytest.mark.django_db


def counts(idea):
    idea = Idea.objects.get(pk=idea.pk)
    return idea.promotes, idea.demotes, idea.score


def test_new_idea_starts_at_zero():
    assert counts(IdeaFactory()) == (0, 0, 0)


def test_promote_counts_once_and_second_identical_vote_is_a_no_op(alice):
    idea = IdeaFactory()
    state = vote_cast(voter=alice, idea=idea, value=1)
    assert (state.score, state.promotes, state.demotes, state.my_vote) == (1, 1, 0, 1)
    state = vote_cast(voter=alice, idea=idea, value=1)
    assert (state.score, state.promotes, state.my_vote) == (1, 1, 1)
    assert Vote.objects.filter(idea=idea).count() == 1


def test_switching_sides_moves_one_count_to_the_other(alice, bob):
    idea = IdeaFactory()
    vote_cast(voter=bob, idea=idea, value=1)
    vote_cast(voter=alice, idea=idea, value=1)
    state = vote_cast(voter=alice, idea=idea, value=-1)
    assert (state.promotes, state.demotes, state.score, state.my_vote) == (1, 1, 0, -1)
    assert Vote.objects.get(voter=alice, idea=idea).value == -1


def test_withdraw_removes_the_vote_and_its_count(alice):
    idea = IdeaFactory()
    vote_cast(voter=alice, idea=idea, value=-1)
    state = vote_withdraw(voter=alice, idea=idea)
    assert (state.promotes, state.demotes, state.score, state.my_vote) == (0, 0, 0, None)
    assert not Vote.objects.filter(voter=alice, idea=idea).exists()


def test_withdraw_without_a_vote_changes_nothing(alice, bob):
    idea = IdeaFactory()
    vote_cast(voter=bob, idea=idea, value=1)
    state = vote_withdraw(voter=alice, idea=idea)
    assert (state.promotes, state.score) == (1, 1)


def test_vote_value_other_than_plus_or_minus_one_is_refused(alice):
    idea = IdeaFactory()
    with pytest.raises(ValueError):
        vote_cast(voter=alice, idea=idea, value=2)
    assert counts(idea) == (0, 0, 0)


def test_database_refuses_a_second_vote_row_for_the_same_voter_and_idea(alice):
    idea = IdeaFactory()
    vote_cast(voter=alice, idea=idea, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(voter=alice, idea=idea, value=-1, created_at=idea.created_at)


def test_database_refuses_a_vote_value_of_zero(alice):
    idea = IdeaFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(voter=alice, idea=idea, value=0, created_at=idea.created_at)


def test_database_refuses_a_score_that_is_not_promotes_minus_demotes():
    idea = IdeaFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Idea.objects.filter(pk=idea.pk).update(score=5)


def test_reconcile_repairs_drifted_counters_and_reports_how_many(alice, bob):
    drifted, exact = IdeaFactory(), IdeaFactory()
    vote_cast(voter=alice, idea=drifted, value=1)
    vote_cast(voter=bob, idea=drifted, value=-1)
    vote_cast(voter=alice, idea=exact, value=1)
    Idea.objects.filter(pk=drifted.pk).update(promotes=7, demotes=0, score=7)
    assert rankings_reconcile(since=None) == {"checked": 2, "repaired": 1}
    assert counts(drifted) == (1, 1, 0)
    assert counts(exact) == (1, 0, 1)
    assert rankings_reconcile(since=None)["repaired"] == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_keep_counts_exact(postgres):
    """Many voters and repeated, switching votes from parallel threads: counts stay exact."""
    idea = IdeaFactory()
    voters = [UserFactory() for _ in range(12)]
    barrier = threading.Barrier(len(voters))
    errors = []

    def work(voter):
        try:
            barrier.wait()
            for value in (1, 1, -1, 1, -1, -1, 1):
                vote_cast(voter=voter, idea=idea, value=value)
            vote_cast(voter=voter, idea=idea, value=1 if voter.pk % 2 else -1)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(v,)) for v in voters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    promotes = Vote.objects.filter(idea=idea, value=1).count()
    demotes = Vote.objects.filter(idea=idea, value=-1).count()
    assert promotes + demotes == len(voters)
    assert counts(idea) == (promotes, demotes, promotes - demotes)


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_votes_by_the_same_voter_make_one_row(postgres, alice):
    idea = IdeaFactory()
    barrier = threading.Barrier(6)
    errors = []

    def work():
        try:
            barrier.wait()
            vote_cast(voter=alice, idea=idea, value=1)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Vote.objects.filter(idea=idea).count() == 1
    assert counts(idea) == (1, 0, 1)


def test_a_vote_still_counts_when_the_epoch_row_was_deleted(alice):
    from votes.models import RankingEpoch

    RankingEpoch.objects.all().delete()
    idea = IdeaFactory()
    state = vote_cast(voter=alice, idea=idea, value=1)
    assert (state.score, state.promotes) == (1, 1)
    assert RankingEpoch.objects.filter(pk=1).exists()


def test_voting_on_a_missing_idea_raises_does_not_exist(alice):
    with pytest.raises(Idea.DoesNotExist):
        vote_cast(voter=alice, idea=999_999, value=1)
    with pytest.raises(Idea.DoesNotExist):
        vote_withdraw(voter=alice, idea=999_999)
    assert not Vote.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_votes_during_rebases_keep_keys_consistent(postgres, settings):
    """A vote that read t0 before a rebase and wrote after it would be off by 2^steps. With a
    one-second half-life and t0 set 900 s back (under the 960 cap), a rebase is due every
    64 s of t0's lag."""
    import datetime as dt
    import math

    from django.utils import timezone

    from votes.models import RankingEpoch
    from votes.ranking_sql import epoch_read
    from votes.rebuild import ranking_rebase, rankings_rebuild

    settings.IDEAS_HALF_LIFE_DAYS = 1 / 86400
    RankingEpoch.objects.update_or_create(
        pk=1,
        defaults={
            "t0": timezone.now() - dt.timedelta(seconds=900),
            "half_life_days": 1 / 86400,
        },
    )
    ideas = IdeaFactory.create_batch(3)
    voters = [UserFactory() for _ in range(8)]
    done = threading.Event()
    start = threading.Barrier(len(voters) + 1)
    errors, rebases = [], []

    def vote(voter):
        try:
            start.wait()
            for round_ in range(6):
                for idea in ideas:
                    vote_cast(voter=voter, idea=idea, value=1 if round_ % 2 else -1)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    def rebase():
        try:
            start.wait()
            while not done.is_set():
                t0 = epoch_read().t0
                if t0 + dt.timedelta(seconds=70) < timezone.now():
                    rebases.append(ranking_rebase(now=t0 + dt.timedelta(seconds=70))["steps"])
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    rebaser = threading.Thread(target=rebase)
    rebaser.start()
    threads = [threading.Thread(target=vote, args=(v,)) for v in voters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    rebaser.join()
    assert errors == []
    assert len(rebases) >= 5
    now = timezone.now()
    epoch = epoch_read()
    before = {i.pk: epoch.decayed(i.popular_key, now) for i in Idea.objects.all()}
    rankings_rebuild()
    epoch = epoch_read()
    after = {i.pk: epoch.decayed(i.popular_key, now) for i in Idea.objects.all()}
    for pk, score in before.items():
        assert math.isclose(score, after[pk], rel_tol=1e-6, abs_tol=1e-9), (pk, score, after[pk])


@pytest.mark.django_db(transaction=True)
def test_casts_racing_withdrawals_by_the_same_voter_never_fail_and_stay_exact(postgres):
    """A cast that collides with a row a concurrent withdrawal then deletes inserts again."""
    import random

    ideas = IdeaFactory.create_batch(2)
    voters = [UserFactory() for _ in range(4)]
    errors = []

    def work(voter, seed):
        rng = random.Random(seed)
        try:
            for _ in range(40):
                idea = rng.choice(ideas)
                if rng.random() < 0.4:
                    vote_withdraw(voter=voter, idea=idea)
                else:
                    vote_cast(voter=voter, idea=idea, value=rng.choice([1, -1]))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=(voter, seed))
        for seed, voter in enumerate(voters * 2)  # two threads per voter
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for idea in ideas:
        promotes = Vote.objects.filter(idea=idea, value=1).count()
        demotes = Vote.objects.filter(idea=idea, value=-1).count()
        assert counts(idea) == (promotes, demotes, promotes - demotes)
