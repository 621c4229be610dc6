"""Snapshots of the top product requests for the product managers' dashboard."""

from django.db import transaction
from django.utils import timezone

from ideas.models import Category, Idea
from votes.models import TopRequestEntry, TopRequestSnapshot

TOP_N = 50


def _ranked(ideas) -> list[tuple[int, int, int, int]]:
    """The top open ideas that people can see: a hidden, held, withdrawn or merged idea would
    take a place in the list that the dashboard then shows to nobody."""
    return list(
        ideas.visible()
        .open()
        .ranked("top")
        .values_list("pk", "score", "promotes", "demotes")[:TOP_N]
    )


def top_requests_snapshot(*, now=None) -> dict:
    """Store the top open ideas overall and per category, with each one's rank in the previous
    snapshot. One snapshot per hour: a second run within the hour replaces it, so running twice
    changes nothing."""
    now = now or timezone.now()
    period = now.replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        previous = TopRequestSnapshot.objects.filter(period__lt=period).first()
        before = {}
        if previous:
            before = {
                (category_id, idea_id): rank
                for category_id, idea_id, rank in previous.entries.values_list(
                    "category_id", "idea_id", "rank"
                )
            }
        TopRequestSnapshot.objects.filter(period=period).delete()
        snapshot = TopRequestSnapshot.objects.create(period=period, taken_at=now)
        lists = [(None, _ranked(Idea.objects.all()))]
        lists += [(c.pk, _ranked(Idea.objects.filter(category=c))) for c in Category.objects.all()]
        entries = [
            TopRequestEntry(
                snapshot=snapshot,
                category_id=category_id,
                idea_id=idea_id,
                rank=rank,
                score=score,
                promotes=promotes,
                demotes=demotes,
                previous_rank=before.get((category_id, idea_id)),
            )
            for category_id, ranked in lists
            for rank, (idea_id, score, promotes, demotes) in enumerate(ranked, start=1)
        ]
        TopRequestEntry.objects.bulk_create(entries, batch_size=1000)
    return {"snapshot": snapshot.pk, "entries": len(entries)}
