"""Writes to votes: casting, withdrawing and quarantining them.

The vote path (`vote_cast`, `vote_withdraw`) touches only the database: one vote row and one
UPDATE of the idea's counters and Popular key, in the same transaction. The SQL for those
figures is in votes/ranking_sql.py; the jobs that rebuild them from the votes table, which
stays the source of truth, are in votes/rebuild.py.
"""

import functools
import weakref
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from board.selectors import board_settings
from core.metrics import votes_counted
from core.pagecache import votes_changed
from ideas.models import Idea
from votes.models import Vote
from votes.ranking_sql import ensure_epoch_row, epoch_read, is_postgres, weight_sql, wilson_sql
from votes.rebuild import ideas_recount

# A new vote goes only to an idea everyone sees: not withdrawn, hidden, held for review or
# merged. Checked inside the vote's own INSERT, so it costs no query. (A vote already cast may
# still be switched; withdrawn only on an idea everyone sees, see vote_withdraw.)
VOTABLE = (
    "withdrawn_at IS NULL AND hidden_at IS NULL AND held_at IS NULL AND merged_into_id IS NULL"
)
# The first-vote statement is prepared once per database connection: PostgreSQL takes longer to
# parse and plan it than to run it. Keyed by the driver's connection, so a new connection
# prepares it again.
_PREPARED: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()
NEW_VOTE_TYPES = (
    "bigint",
    "integer",
    "timestamptz",
    "text",
    "bigint",
    "integer",
    "timestamptz",
    "timestamptz",
)
# SQLSTATE invalid_sql_statement_name: the server does not know the prepared statement.
INVALID_STATEMENT_NAME = "26000"


@dataclass(frozen=True)
class VoteState:
    score: int
    promotes: int
    demotes: int
    my_vote: int | None


def _apply_vote_change(
    idea_id: int, old: Vote | None, new_value: int | None, now, *, retry: bool = True
) -> tuple:
    """One UPDATE moving the idea's counters and Popular key from the old vote to the new one.

    It reads t0 itself, and runs after the vote row was written: that write holds a lock on
    the votes table which a rebase waits for (and vice versa), so t0 cannot move in between."""
    old_value = old.value if old else None
    promotes = (new_value == 1) - (old_value == 1)
    demotes = (new_value == -1) - (old_value == -1)
    key_delta, params = [], []
    if old is not None:
        key_delta.append(f"- %s * {weight_sql('%s')}")
        params += [old.value, old.created_at]
    if new_value is not None:
        key_delta.append(f"+ %s * {weight_sql('%s')}")
        params += [new_value, now]
    # promotes/demotes are ints from this function, never user input.
    p, d = f"(promotes + {int(promotes)})", f"(demotes + {int(demotes)})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE ideas_idea
               SET promotes = {p}, demotes = {d}, score = score + {int(promotes - demotes)},
                   popular_key = popular_key {" ".join(key_delta)},
                   wilson = {wilson_sql(p, d)}, last_voted_at = %s
              FROM votes_rankingepoch e
             WHERE ideas_idea.id = %s AND e.id = 1
            RETURNING promotes, demotes, score
            """,
            [*params, now, idea_id],
        )
        counts = cursor.fetchone()
    if counts is None:
        # No idea, or no epoch row (it comes from a migration: only if someone deleted it).
        if retry:
            ensure_epoch_row()
            return _apply_vote_change(idea_id, old, new_value, now, retry=False)
        raise Idea.DoesNotExist(f"No idea {idea_id}.")
    return counts


def _state(idea_id: int, my_vote: int | None, counts: tuple | None = None) -> VoteState:
    if counts is None:
        counts = Idea.objects.values_list("promotes", "demotes", "score").get(pk=idea_id)
    promotes, demotes, score = counts
    return VoteState(score=score, promotes=promotes, demotes=demotes, my_vote=my_vote)


# The board's admins may switch demoting off (board.models.BoardSettings); demotes cast before
# stay counted.
DEMOTES_OFF = "Demoting is switched off on this board: promote the ideas you want instead."


@votes_counted
def vote_cast(*, voter, idea: Idea | int, value: int, network: str = "") -> VoteState:
    """Promote (1) or demote (-1) an idea (or an idea's id; a missing one raises
    Idea.DoesNotExist). The same vote twice is a no-op; the other side switches. The vote
    shows in the Popular order as soon as this returns. `network` (core.network.network_of)
    is kept for the vote-stuffing job. A quarantined vote may be switched or withdrawn, and
    stays out of every count either way."""
    # No ensure_not_banned here, unlike the other write services: this is the hot path, and
    # web.middleware and NotBanned already refuse a banned member's vote.
    if value not in (Vote.PROMOTE, Vote.DEMOTE):
        raise ValueError("A vote is 1 (promote) or -1 (demote).")
    if value == Vote.DEMOTE and not board_settings().downvotes_enabled:
        raise ValidationError({"value": DEMOTES_OFF})
    idea_id = getattr(idea, "pk", idea)
    now = timezone.now()
    own_transaction = not connection.in_atomic_block
    if is_postgres():
        counts = _new_vote_in_one_statement(voter.pk, idea_id, value, now, network)
        if counts is not None:
            votes_changed(voter=voter)
            return _state(idea_id, value, counts)
    with transaction.atomic():
        if own_transaction:
            _commit_without_waiting_for_disk()
        while True:
            if _insert_vote(voter.pk, idea_id, value, now, network):
                counts = _apply_vote_change(idea_id, None, value, now)
                break
            existing = _locked_vote(voter, idea_id)
            if existing is not None:
                if existing.value == value:
                    return _state(idea_id, value)
                old = Vote(value=existing.value, created_at=existing.created_at)
                existing.value, existing.created_at = value, now
                existing.save(update_fields=["value", "created_at"])
                if existing.quarantine_id is not None:
                    return _state(idea_id, value)
                counts = _apply_vote_change(idea_id, old, value, now)
                break
            if not Idea.objects.visible().filter(pk=idea_id).exists():
                raise Idea.DoesNotExist(f"No idea {idea_id}.")
            # The vote we collided with was withdrawn meanwhile: insert again.
        votes_changed(voter=voter)
        return _state(idea_id, value, counts)


def _insert_vote(voter_id: int, idea_id: int, value: int, now, network: str) -> bool:
    """Insert the vote unless one exists (or the idea does not). ON CONFLICT waits for a
    concurrent insert of the same pair to commit or roll back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO votes_vote (voter_id, idea_id, value, created_at, network) "
            f"SELECT %s, id, %s, %s, %s FROM ideas_idea WHERE id = %s AND {VOTABLE} "
            "ON CONFLICT (voter_id, idea_id) DO NOTHING RETURNING id",
            [voter_id, value, now, network, idea_id],
        )
        return cursor.fetchone() is not None


def _new_vote_in_one_statement(
    voter_id: int, idea_id: int, value: int, now, network: str
) -> tuple | None:
    """PostgreSQL: insert a first vote and move the idea's figures in one statement, which in
    autocommit is one round trip and one commit. Returns None when there was nothing to insert
    (a vote exists, or the idea does not) or the epoch row is missing: the caller then takes
    the general path. t0 is read by the same statement, after its lock on the votes table."""
    params = [voter_id, value, now, network, idea_id, value, now, now]
    # Alone, the statement is its own transaction, whose commit it may make asynchronous; inside
    # a caller's transaction that choice is the caller's.
    in_transaction = connection.in_atomic_block
    async_commit = _async_commit() and not in_transaction
    name = f"ideastorm_new_vote_{'promote' if value == 1 else 'demote'}_{int(async_commit)}"
    for attempt in range(2):
        try:
            # A missing epoch row makes the key NULL, which NOT NULL refuses: nothing is written.
            savepoint = transaction.atomic() if in_transaction else nullcontext()
            with savepoint, connection.cursor() as cursor:
                _execute_prepared(cursor, name, _new_vote_sql(value, async_commit), params)
                return cursor.fetchone()
        except IntegrityError:
            ensure_epoch_row()
            return None
        except DatabaseError as exc:
            # The server forgot the statement (a pooler in transaction mode, DISCARD ALL):
            # prepare it again, once.
            if attempt or getattr(exc.__cause__, "pgcode", None) != INVALID_STATEMENT_NAME:
                raise
            _PREPARED.pop(connection.connection, None)
    return None  # not reached


def _execute_prepared(cursor, name: str, sql: str, params: list) -> None:
    """Run `sql` (its parameters as %s, typed NEW_VOTE_TYPES) as the statement `name`,
    prepared on this connection the first time. Behind a transaction-mode pooler
    (DATABASE_TRANSACTION_POOLING) a prepared statement lives on whichever server connection
    prepared it, not on ours: the statement is sent whole instead."""
    if settings.DATABASE_TRANSACTION_POOLING:
        cursor.execute(sql, params)
        return
    prepared = _PREPARED.setdefault(connection.connection, set())
    if name not in prepared:
        numbered = sql % tuple(f"${n}" for n in range(1, len(params) + 1))
        cursor.execute(f"PREPARE {name} ({', '.join(NEW_VOTE_TYPES)}) AS {numbered}")
        prepared.add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)


@functools.cache
def _new_vote_sql(value: int, async_commit: bool) -> str:
    p, d = (f"(promotes + {int(value == 1)})", f"(demotes + {int(value == -1)})")
    t0 = "(SELECT t0 FROM votes_rankingepoch WHERE id = 1)"
    half_life = "(SELECT half_life_days FROM votes_rankingepoch WHERE id = 1)"
    weight = weight_sql("%s", t0, half_life)
    # NULL without the epoch row; GREATEST would otherwise turn a NULL exponent into -1000.
    epoch_exists = "(SELECT 1.0 FROM votes_rankingepoch WHERE id = 1)"
    # set_config(..., true) lasts until this statement's own transaction commits.
    without_waiting = "AND set_config('synchronous_commit', 'off', true) = 'off'"
    return f"""
        WITH ins AS (
            INSERT INTO votes_vote (voter_id, idea_id, value, created_at, network)
            SELECT %s, id, %s, %s, %s FROM ideas_idea WHERE id = %s AND {VOTABLE}
                   {without_waiting if async_commit else ""}
            ON CONFLICT (voter_id, idea_id) DO NOTHING
            RETURNING idea_id
        )
        UPDATE ideas_idea
           SET promotes = {p}, demotes = {d}, score = score + {int(value)},
               popular_key = popular_key + %s * {weight} * {epoch_exists},
               wilson = {wilson_sql(p, d)}, last_voted_at = %s
          FROM ins
         WHERE ideas_idea.id = ins.idea_id
        RETURNING promotes, demotes, score
    """


@votes_counted
def vote_withdraw(*, voter, idea: Idea | int) -> VoteState:
    """Take the voter's vote back; nothing happens if there is none. Only on an idea everyone
    sees, as a vote is cast: any other answers as an unknown idea would (its counts stay
    unseen)."""
    idea_id = getattr(idea, "pk", idea)
    if not Idea.objects.visible().filter(pk=idea_id).exists():
        raise Idea.DoesNotExist(f"No idea {idea_id}.")
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if own_transaction:
            _commit_without_waiting_for_disk()
        existing = _locked_vote(voter, idea_id)
        if existing is None:
            return _state(idea_id, None)
        existing.delete()
        if existing.quarantine_id is not None:
            return _state(idea_id, None)
        counts = _apply_vote_change(idea_id, existing, None, timezone.now())
        votes_changed(voter=voter)
        return _state(idea_id, None, counts)


@transaction.atomic
def votes_reassign(*, from_voter, to_voter) -> int:
    """Make from_voter's votes to_voter's (a member claiming the account a product manager
    recorded votes on for their address). Where both voted on an idea, the member's own vote
    stands and the recorded one goes, its weight taken off the idea. Returns how many moved."""
    now = timezone.now()
    theirs = Vote.objects.filter(voter=to_voter).values("idea_id")
    for vote in Vote.objects.select_for_update().filter(voter=from_voter, idea_id__in=theirs):
        vote.delete()
        if vote.quarantine_id is None:
            _apply_vote_change(vote.idea_id, vote, None, now)
    moved = Vote.objects.filter(voter=from_voter).update(voter=to_voter)
    votes_changed(voter=to_voter)
    return moved


def _async_commit() -> bool:
    return settings.IDEAS_VOTES_ASYNC_COMMIT and is_postgres()


def _commit_without_waiting_for_disk() -> None:
    """PostgreSQL, IDEAS_VOTES_ASYNC_COMMIT: this vote's transaction will not wait for its WAL
    to be flushed (see the setting). For the caller's own transaction only."""
    if _async_commit():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('synchronous_commit', 'off', true)")


def _locked_vote(voter, idea_id: int) -> Vote | None:
    return (
        Vote.objects.select_for_update()
        .only("value", "created_at", "quarantine_id")
        .filter(voter=voter, idea_id=idea_id)
        .first()
    )


def votes_quarantine_set(
    *, vote_ids: list[int] | None = None, case_id: int | None, release_case: int | None = None
) -> list[int]:
    """Put votes in quarantine under a stuffing case (vote_ids, case_id) or let a case's votes
    count again, for good (release_case: they are marked cleared), and recount the ideas they
    touch from the votes table. Vote rows are locked before idea rows, in the vote path's
    order, so the two never deadlock; a vote in flight on one of these ideas either is in the
    recount or adds itself after it.
    Returns the ids of the ideas recounted."""
    with transaction.atomic():
        epoch = epoch_read(lock="share")
        votes = Vote.objects.all()
        if release_case is not None:
            votes = votes.filter(quarantine_id=release_case)
        else:
            # A vote a moderator released (cleared) is never quarantined again.
            votes = votes.filter(pk__in=vote_ids or [], quarantine__isnull=True, cleared=False)
        locked = list(votes.select_for_update().order_by("pk").values_list("pk", "idea_id"))
        if not locked:
            return []
        # Released votes are marked cleared: a moderator said they are fine.
        cleared = {"cleared": True} if release_case is not None else {}
        Vote.objects.filter(pk__in=[pk for pk, _ in locked]).update(
            quarantine_id=case_id, **cleared
        )
        idea_ids = sorted({idea_id for _, idea_id in locked})
        ideas_recount(idea_ids, epoch=epoch)
    return idea_ids


def votes_quarantine_move(*, vote_ids: list[int], case_id: int) -> int:
    """Hand quarantined votes to another case (a ring takes a burst's votes). They stay out of
    every count, so nothing is recounted."""
    return Vote.objects.filter(pk__in=vote_ids, quarantine__isnull=False).update(
        quarantine_id=case_id
    )
