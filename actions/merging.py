"""Merging duplicate ideas, and undoing a merge exactly.

A merge moves the duplicate's votes, comments and follows to the idea kept. A voter counts
once: where someone voted on both, their vote on the kept idea stands and the other is set
aside (kept in the Merge record, not deleted for good). The duplicate leaves every list and
redirects to the kept idea. Undo puts back exactly what moved, so both ideas' votes, and with
them their scores and keys (recounted from the votes table), are what they were.

Both run while new votes wait (a SHARE lock on the votes table, as the full rebuild takes),
so no vote slips between the move and the recount.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from comments.models import Comment
from core.audit import audit_record
from core.roles import is_product_manager
from ideas.models import Idea, Merge, Status, StatusChange
from ideas.search import words
from notifications.models import Follow
from votes.models import Vote
from votes.rebuild import ideas_recount, votes_lock_out
from webhooks.models import Event
from webhooks.services import idea_event_emit

VOTE_FIELDS = [
    "id", "voter_id", "value", "created_at", "network", "quarantine_id", "recorded_by_id",
    "recorded_note",
]  # fmt: skip


def _ensure_pm(actor) -> None:
    if not is_product_manager(actor):
        raise PermissionDenied("Only product managers merge ideas.")


def _check(merged: Idea, kept: Idea) -> None:
    if merged.pk == kept.pk:
        raise ValidationError({"kept": "An idea can't be merged into itself."})
    if merged.merged_into_id:
        raise ValidationError(
            {"merged": f"This idea is already merged into #{merged.merged_into_id}."}
        )
    if kept.merged_into_id:
        raise ValidationError(
            {"kept": f"#{kept.pk} is itself merged into #{kept.merged_into_id}: merge into that."}
        )
    # Only ideas everyone sees merge, either way: a merge announces both (the idea.merged
    # webhook, the duplicate's redirect), which must not reveal a held or hidden idea.
    if merged.withdrawn_at or merged.hidden_at or merged.held_at:
        raise ValidationError(
            {"merged": "This idea is withdrawn, hidden or waiting for review: it can't be merged."}
        )
    if kept.withdrawn_at or kept.hidden_at or kept.held_at:
        raise ValidationError({"kept": f"#{kept.pk} is withdrawn, hidden or waiting for review."})


@transaction.atomic
def idea_merge(*, actor, merged: Idea, kept: Idea, reason: str = "") -> Merge:
    """Merge `merged` into `kept`."""
    _ensure_pm(actor)
    votes_lock_out()
    ideas = Idea.objects.select_for_update().in_bulk([merged.pk, kept.pk])
    merged, kept = ideas[merged.pk], ideas[kept.pk]
    _check(merged, kept)
    now = timezone.now()

    kept_voters = Vote.objects.filter(idea=kept).values("voter_id")
    overlapping = Vote.objects.filter(idea=merged, voter_id__in=kept_voters)
    dropped = [
        {**row, "created_at": row["created_at"].isoformat()}
        for row in overlapping.values(*VOTE_FIELDS)
    ]
    overlapping.delete()
    moving = Vote.objects.filter(idea=merged)
    moved_votes = list(moving.values_list("pk", flat=True))
    moving.update(idea=kept)

    comments = Comment.objects.filter(idea=merged)
    moved_comments = list(comments.values_list("pk", flat=True))
    comments.update(idea=kept)

    kept_followers = Follow.objects.filter(idea=kept).values("user_id")
    follows = Follow.objects.filter(idea=merged).exclude(user_id__in=kept_followers)
    moved_follows = list(follows.values_list("pk", flat=True))
    follows.update(idea=kept)

    old_status = merged.status
    merged.merged_into, merged.status = kept, Status.DUPLICATE
    merged.save(update_fields=["merged_into", "status", "updated_at"])
    StatusChange.objects.create(
        idea=merged,
        actor=actor,
        old_status=old_status,
        new_status=Status.DUPLICATE,
        response="",
        created_at=now,
    )
    ideas_recount([merged.pk, kept.pk])
    merge = Merge.objects.create(
        kept=kept,
        merged=merged,
        actor=actor,
        created_at=now,
        moved={
            "votes": moved_votes,
            "dropped_votes": dropped,
            "comments": moved_comments,
            "follows": moved_follows,
            "status": old_status,
        },
    )
    audit_record(
        actor=actor,
        action="idea.merged",
        target=merged,
        reason=reason,
        before={"status": old_status, "votes": len(moved_votes) + len(dropped)},
        after={
            "status": Status.DUPLICATE,
            "merged_into": kept.pk,
            "votes_moved": len(moved_votes),
            "votes_set_aside": len(dropped),
            "comments_moved": len(moved_comments),
        },
    )
    idea_event_emit(event=Event.IDEA_MERGED, idea=merged, merged_into=kept)
    return merge


@transaction.atomic
def idea_merge_undo(*, actor, merge: Merge) -> Merge:
    """Put back what the merge moved. Votes cast on the kept idea since stay there; a moved
    vote that its voter withdrew since stays withdrawn."""
    _ensure_pm(actor)
    votes_lock_out()
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at:
        raise ValidationError("This merge is already undone.")
    ideas = Idea.objects.select_for_update().in_bulk([merge.merged_id, merge.kept_id])
    merged, kept = ideas[merge.merged_id], ideas[merge.kept_id]
    if kept.merged_into_id:
        raise ValidationError(
            f"#{kept.pk} has since been merged into #{kept.merged_into_id}: undo that first."
        )
    moved = merge.moved
    Vote.objects.filter(pk__in=moved["votes"], idea=kept).update(idea=merged)
    Vote.objects.bulk_create(
        [
            Vote(idea=merged, **{**row, "created_at": row["created_at"]})
            for row in moved["dropped_votes"]
            if not Vote.objects.filter(voter_id=row["voter_id"], idea=merged).exists()
        ]
    )
    Comment.objects.filter(pk__in=moved["comments"], idea=kept).update(idea=merged)
    Follow.objects.filter(pk__in=moved["follows"], idea=kept).exclude(
        user_id__in=Follow.objects.filter(idea=merged).values("user_id")
    ).update(idea=merged)

    now = timezone.now()
    merged.merged_into, merged.status = None, moved["status"]
    merged.save(update_fields=["merged_into", "status", "updated_at"])
    StatusChange.objects.create(
        idea=merged,
        actor=actor,
        old_status=Status.DUPLICATE,
        new_status=moved["status"],
        response="",
        created_at=now,
    )
    ideas_recount([merged.pk, kept.pk])
    merge.undone_at, merge.undone_by = now, actor
    merge.save(update_fields=["undone_at", "undone_by"])
    audit_record(
        actor=actor,
        action="idea.merge_undone",
        target=merged,
        before={"merged_into": kept.pk, "status": Status.DUPLICATE},
        after={"status": merged.status},
    )
    # The idea is back on its own; "merged_into" names the idea it had been merged into.
    idea_event_emit(event=Event.IDEA_MERGE_UNDONE, idea=merged, merged_into=kept)
    return merge


SUGGESTION_POOL = 400
SUGGESTION_MIN = 0.45
SUGGESTIONS = 30


def _trigrams(text: str) -> set[str]:
    grams = set()
    for word in words(text):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def suggested_merges() -> list[dict]:
    """Pairs of open ideas whose titles (mostly) and descriptions look alike, best first,
    among the most supported open ideas: each pair suggests keeping the better-supported one.
    Trigram and word overlap in Python, so it works the same on SQLite."""
    pool = list(
        Idea.objects.visible()
        .open()
        .order_by("-score", "-id")
        .values("pk", "title", "description", "score")[:SUGGESTION_POOL]
    )
    shapes = [
        (idea, _trigrams(idea["title"]), set(words(idea["description"][:400]))) for idea in pool
    ]
    pairs = []
    for i, (a, a_title, a_text) in enumerate(shapes):
        for b, b_title, b_text in shapes[i + 1 :]:
            title = _jaccard(a_title, b_title)
            if title < SUGGESTION_MIN / 2:
                continue
            likeness = 0.7 * title + 0.3 * _jaccard(a_text, b_text)
            if likeness >= SUGGESTION_MIN:
                keep, merge = (a, b) if (a["score"], a["pk"]) >= (b["score"], b["pk"]) else (b, a)
                pairs.append({"keep": keep, "merge": merge, "likeness": round(likeness, 2)})
    pairs.sort(key=lambda p: -p["likeness"])
    return pairs[:SUGGESTIONS]
