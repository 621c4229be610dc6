import pytest

from ideas.models import Idea
from tests.factories import IdeaFactory
from webhooks import tasks
from webhooks.models import WebhookThreshold

pytestmark = pytest.mark.django_db


def score(idea, value: int) -> None:
    # Counters as the vote path leaves them; no need to cast hundreds of votes.
    Idea.objects.filter(pk=idea.pk).update(score=value, promotes=max(value, 0), demotes=0)


def announced(webhook) -> list[tuple[int, int]]:
    return [
        (d.payload["idea"]["id"], d.payload["threshold"]) for d in webhook.deliveries.order_by("id")
    ]


def test_each_threshold_is_announced_once_per_idea(make_webhook):
    webhook = make_webhook(events=["idea.vote_threshold"])
    other = make_webhook(events=["idea.created"])
    quiet, rising = IdeaFactory(), IdeaFactory()
    score(quiet, 9)
    score(rising, 10)

    assert tasks.vote_thresholds_announce.run()["announced"] == 1
    assert tasks.vote_thresholds_announce.run()["announced"] == 0
    assert announced(webhook) == [(rising.pk, 10)]

    score(rising, 49)
    tasks.vote_thresholds_announce.run()
    score(rising, 57)
    tasks.vote_thresholds_announce.run()
    # Falling back and rising again announces nothing new.
    score(rising, 8)
    tasks.vote_thresholds_announce.run()
    score(rising, 60)
    tasks.vote_thresholds_announce.run()
    assert announced(webhook) == [(rising.pk, 10), (rising.pk, 50)]
    assert other.deliveries.count() == 0
    assert WebhookThreshold.objects.get(idea=rising).announced == 50


def test_an_idea_past_several_thresholds_is_announced_once_at_the_highest(make_webhook):
    webhook = make_webhook(events=["idea.vote_threshold"])
    idea = IdeaFactory()
    score(idea, 120)
    tasks.vote_thresholds_announce.run()
    tasks.vote_thresholds_announce.run()
    assert announced(webhook) == [(idea.pk, 100)]
    assert webhook.deliveries.get().payload["idea"]["score"] == 120


def test_hidden_ideas_are_not_announced(make_webhook):
    from django.utils import timezone

    webhook = make_webhook(events=["idea.vote_threshold"])
    idea = IdeaFactory(hidden_at=timezone.now())
    score(idea, 10)
    tasks.vote_thresholds_announce.run()
    assert announced(webhook) == []
