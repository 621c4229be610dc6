"""IDEAS_VOTES_ASYNC_COMMIT: on PostgreSQL a vote's own transaction commits without waiting for
its WAL to reach the disk, and no other transaction does."""

import pytest
from django.db import connection, transaction

from tests.factories import IdeaFactory
from votes.models import Vote
from votes.ranking_sql import epoch_read
from votes.services import _new_vote_sql, vote_cast, vote_withdraw


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


class SettingSeen:
    """Reads synchronous_commit after every statement run inside a transaction."""

    def __init__(self):
        self.values = []
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        self.statements.append(sql)
        if connection.in_atomic_block and "SHOW synchronous_commit" not in sql:
            self.values.append(synchronous_commit())
        return result


def test_the_first_vote_statement_turns_it_off_for_its_transaction(postgres, alice):
    idea = IdeaFactory()
    sql = _new_vote_sql(1, True)
    with transaction.atomic():
        with connection.cursor() as cursor:
            now = idea.created_at
            cursor.execute(sql, [alice.pk, 1, now, "", idea.pk, 1, now, now])
            assert cursor.fetchone() == (1, 0, 1)
        # Off for the rest of the transaction the statement ran in (here the test's own).
        assert synchronous_commit() == "off"
    assert Vote.objects.filter(idea=idea, voter=alice).exists()


@pytest.mark.django_db(transaction=True)
def test_a_vote_in_its_own_transaction_commits_without_waiting(postgres, alice, bob, settings):
    settings.IDEAS_VOTES_ASYNC_COMMIT = True
    idea = IdeaFactory()
    epoch_read()  # the epoch row, which a flushed database lacks, exists before the votes
    seen = SettingSeen()
    with connection.execute_wrapper(seen):
        vote_cast(voter=alice, idea=idea, value=1)  # one statement, autocommit
        vote_cast(voter=alice, idea=idea, value=-1)  # a switch: vote_cast's own transaction
        vote_withdraw(voter=alice, idea=idea)  # vote_withdraw's own transaction
    # The first vote ran as a prepared statement that turns it off (see the test above).
    executed = next(sql for sql in seen.statements if sql.startswith("EXECUTE "))
    name = executed.split()[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s", [name])
        (statement,) = cursor.fetchone()
    assert "INSERT INTO votes_vote" in statement
    assert "set_config('synchronous_commit', 'off', true)" in statement
    assert seen.values and set(seen.values) == {"off"}
    # Nothing leaks into the next transaction on this connection.
    assert synchronous_commit() == "on"
    with transaction.atomic():
        vote_cast(voter=bob, idea=idea, value=1)
        assert synchronous_commit() == "on"


@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_the_commit_is_the_callers(postgres, alice):
    idea = IdeaFactory()
    with transaction.atomic():
        vote_cast(voter=alice, idea=idea, value=1)
        vote_cast(voter=alice, idea=idea, value=-1)
        assert synchronous_commit() == "on"


@pytest.mark.django_db(transaction=True)
def test_switched_off_every_vote_waits_for_the_disk(postgres, alice, settings):
    settings.IDEAS_VOTES_ASYNC_COMMIT = False
    idea = IdeaFactory()
    epoch_read()
    seen = SettingSeen()
    with connection.execute_wrapper(seen):
        vote_cast(voter=alice, idea=idea, value=1)
        vote_cast(voter=alice, idea=idea, value=-1)
        vote_withdraw(voter=alice, idea=idea)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    executed = [sql.split()[1] for sql in seen.statements if sql.startswith("EXECUTE ")]
    assert executed and all(name.endswith("_0") for name in executed)
    assert not any("set_config" in sql for sql in seen.statements if "PREPARE" not in sql)
    assert any("INSERT INTO votes_vote" in sql and "set_config" not in sql for sql in prepared)
    assert seen.values and set(seen.values) == {"on"}


@pytest.mark.django_db(transaction=True)
def test_a_vote_still_counts_after_the_server_forgot_the_prepared_statement(postgres, alice, bob):
    """As behind a pooler in transaction mode, or after DISCARD ALL: prepared again, once."""
    idea = IdeaFactory()
    vote_cast(voter=alice, idea=idea, value=1)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    state = vote_cast(voter=bob, idea=idea, value=1)
    assert (state.promotes, state.score) == (2, 2)
    assert Vote.objects.filter(idea=idea).count() == 2
