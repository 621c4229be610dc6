"""Many members voting on one hot idea at once (the bench's hot_vote row): every vote a first
vote by a new voter, from parallel threads on their own database connections, with votes
committing asynchronously. The idea's counters and Popular key stay exact: the reconcile job
finds nothing to repair."""

import math
import threading

import pytest
from django.db import connection

from ideas.models import Idea
from tests.factories import IdeaFactory, UserFactory
from votes.models import Vote
from votes.rebuild import rankings_reconcile
from votes.services import vote_cast

THREADS = 8
VOTES_PER_THREAD = 6


@pytest.mark.django_db(transaction=True)
def test_first_votes_racing_on_one_idea_keep_its_figures_exact(postgres, settings):
    settings.IDEAS_VOTES_ASYNC_COMMIT = True
    idea = IdeaFactory()
    voters = [UserFactory() for _ in range(THREADS * VOTES_PER_THREAD)]
    barrier = threading.Barrier(THREADS)
    errors, states = [], []

    def work(mine):
        try:
            barrier.wait()
            for n, voter in enumerate(mine):
                value = -1 if n % 3 == 2 else 1  # a demote in three
                states.append(vote_cast(voter=voter, idea=idea.pk, value=value))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(voters[i::THREADS],)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    promotes = Vote.objects.filter(idea=idea, value=1).count()
    demotes = Vote.objects.filter(idea=idea, value=-1).count()
    assert promotes + demotes == len(voters)
    stored = Idea.objects.get(pk=idea.pk)
    assert (stored.promotes, stored.demotes, stored.score) == (
        promotes,
        demotes,
        promotes - demotes,
    )
    # Each answer counted its own vote: the vote's own statement moved the counters.
    assert sorted(s.promotes + s.demotes for s in states) == list(range(1, len(voters) + 1))
    assert rankings_reconcile(since=None)["repaired"] == 0
    rebuilt = Idea.objects.get(pk=idea.pk).popular_key
    assert math.isclose(stored.popular_key, rebuilt, rel_tol=1e-9)
