"""The vote write path: one row per voter and idea, counters moved in the same transaction."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ideas.models import Idea
from votes.models import Vote


@dataclass(frozen=True)
class VoteState:
    score: int
    promotes: int
    demotes: int
    my_vote: int | None


def _count_changes(old: int | None, new: int | None) -> dict:
    """F() updates that move the idea's counters from the old vote to the new one."""
    promotes = (new == 1) - (old == 1)
    demotes = (new == -1) - (old == -1)
    changes = {}
    if promotes:
        changes["promotes"] = F("promotes") + promotes
    if demotes:
        changes["demotes"] = F("demotes") + demotes
    if changes:
        changes["score"] = F("score") + (promotes - demotes)
    return changes


def _state(idea_id: int, my_vote: int | None) -> VoteState:
    promotes, demotes, score = Idea.objects.values_list("promotes", "demotes", "score").get(
        pk=idea_id
    )
    return VoteState(score=score, promotes=promotes, demotes=demotes, my_vote=my_vote)


def vote_cast(*, voter, idea: Idea, value: int) -> VoteState:
    """Promote (1) or demote (-1). The same vote twice is a no-op; the other side switches."""
    if value not in (Vote.PROMOTE, Vote.DEMOTE):
        raise ValueError("A vote is 1 (promote) or -1 (demote).")
    with transaction.atomic():
        existing = Vote.objects.select_for_update().filter(voter=voter, idea=idea).first()
        if existing is None:
            try:
                with transaction.atomic():
                    Vote.objects.create(
                        voter=voter, idea=idea, value=value, created_at=timezone.now()
                    )
                old = None
            except IntegrityError:
                # A concurrent request inserted the row first: lock it and go on from there.
                existing = Vote.objects.select_for_update().get(voter=voter, idea=idea)
        if existing is not None:
            old = existing.value
            if old != value:
                existing.value = value
                existing.created_at = timezone.now()
                existing.save(update_fields=["value", "created_at"])
        changes = _count_changes(old, value)
        if changes:
            Idea.objects.filter(pk=idea.pk).update(**changes)
        return _state(idea.pk, value)


def vote_withdraw(*, voter, idea: Idea) -> VoteState:
    """Take the voter's vote back; nothing happens if there is none."""
    with transaction.atomic():
        existing = Vote.objects.select_for_update().filter(voter=voter, idea=idea).first()
        if existing is not None:
            existing.delete()
            Idea.objects.filter(pk=idea.pk).update(**_count_changes(existing.value, None))
        return _state(idea.pk, None)


def vote_counts_reconcile() -> int:
    """Recount every idea's promotes and demotes from the votes table, in one set-based UPDATE.
    Returns the number of ideas whose counters had drifted and were repaired."""
    from django.db import connection

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
                UPDATE ideas_idea SET promotes = counted.p, demotes = counted.d,
                                      score = counted.p - counted.d
                FROM (
                    SELECT i.id,
                           COALESCE(SUM(CASE WHEN v.value = 1 THEN 1 ELSE 0 END), 0) AS p,
                           COALESCE(SUM(CASE WHEN v.value = -1 THEN 1 ELSE 0 END), 0) AS d
                    FROM ideas_idea i LEFT JOIN votes_vote v ON v.idea_id = i.id
                    GROUP BY i.id
                ) AS counted
                WHERE ideas_idea.id = counted.id
                  AND (ideas_idea.promotes <> counted.p OR ideas_idea.demotes <> counted.d)
                """
        )
        return cursor.rowcount
