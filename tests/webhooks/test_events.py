import json

import pytest
from django.conf import settings
from django.urls import reverse

from actions.ideas import idea_status_set, idea_submit
from actions.merging import idea_merge
from actions.moderation import content_restore
from tests.factories import IdeaFactory, UserFactory
from votes.services import vote_cast
from webhooks import services, tasks
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db


def sent(webhook) -> list[tuple[str, dict]]:
    return [(d.event, d.payload) for d in webhook.deliveries.order_by("id")]


def test_creating_an_idea_is_delivered_to_subscribed_webhooks_only(
    alice, category, receiver, make_webhook, eager_tasks, django_capture_on_commit_callbacks
):
    subscribed = make_webhook(events=["idea.created", "idea.merged"])
    other_event = make_webhook(events=["idea.status_changed"])
    inactive = make_webhook(events=["idea.created"], active=False)
    with django_capture_on_commit_callbacks(execute=True):
        idea = idea_submit(author=alice, title="Dark mode", description="Please", category=category)

    [(event, payload)] = sent(subscribed)
    assert event == "idea.created"
    assert payload["idea"] == {
        "id": idea.pk,
        "title": "Dark mode",
        "url": settings.IDEASTORM_SITE_URL + idea.get_absolute_url(),
        "status": "new",
        "score": 0,
        "promotes": 0,
        "demotes": 0,
        "category": "Notebooks",
        "created_at": idea.created_at.isoformat(),
    }
    assert sent(other_event) == sent(inactive) == []
    # Sent by the after-commit enqueue (run eagerly here).
    [request] = receiver.requests
    assert json.loads(request.body)["idea"]["id"] == idea.pk
    assert Delivery.objects.get().status == "succeeded"


def test_a_held_idea_is_announced_when_a_moderator_approves_it(
    settings, category, make_webhook, mo
):
    settings.IDEAS_HOLD_NEW_ACCOUNTS = True
    webhook = make_webhook()
    newcomer = UserFactory(username="newcomer")
    idea = idea_submit(author=newcomer, title="Free stickers", description="x", category=category)
    assert idea.held_at is not None and sent(webhook) == []
    content_restore(moderator=mo, target=idea)
    assert [event for event, _ in sent(webhook)] == ["idea.created"]


def test_a_status_change_and_an_official_response_go_to_their_subscribers(pat, make_webhook):
    status_hook = make_webhook(events=["idea.status_changed"])
    response_hook = make_webhook(events=["idea.official_response"])
    both = make_webhook(events=["idea.status_changed", "idea.official_response"])
    idea = IdeaFactory(title="Quiet fans")

    idea_status_set(idea=idea, actor=pat, status="planned")
    idea_status_set(idea=idea, actor=pat, status="planned", response="Shipping in **May**.")
    idea_status_set(idea=idea, actor=pat, status="declined", response="Too costly.")

    assert [(e, p["old_status"], p["new_status"]) for e, p in sent(status_hook)] == [
        ("idea.status_changed", "new", "planned"),
        ("idea.status_changed", "planned", "declined"),
    ]
    assert [(e, p["response"], p["idea"]["status"]) for e, p in sent(response_hook)] == [
        ("idea.official_response", "Shipping in **May**.", "planned"),
        ("idea.official_response", "Too costly.", "declined"),
    ]
    assert [e for e, _ in sent(both)] == [
        "idea.status_changed",
        "idea.official_response",
        "idea.status_changed",
        "idea.official_response",
    ]


def test_merging_sends_the_merged_idea_and_the_one_kept(pat, make_webhook):
    webhook = make_webhook(events=["idea.merged"])
    not_subscribed = make_webhook(events=["idea.created", "idea.status_changed"])
    merged, kept = IdeaFactory(title="Backlit keys"), IdeaFactory(title="Backlit keyboards")
    vote_cast(voter=UserFactory(username="voter"), idea=merged, value=1)

    idea_merge(actor=pat, merged=merged, kept=kept)

    [(event, payload)] = sent(webhook)
    assert event == "idea.merged"
    assert (payload["idea"]["id"], payload["idea"]["status"]) == (merged.pk, "duplicate")
    assert (payload["merged_into"]["id"], payload["merged_into"]["score"]) == (kept.pk, 1)
    assert payload["merged_into"]["url"].endswith(kept.get_absolute_url())
    assert sent(not_subscribed) == []


def test_an_unknown_event_is_refused():
    with pytest.raises(ValueError):
        services.event_emit(event="idea.exploded", payload={})


def test_with_the_broker_down_the_request_succeeds_and_the_retry_job_delivers(
    alice_client, category, receiver, make_webhook, monkeypatch, django_capture_on_commit_callbacks
):
    webhook = make_webhook()

    def broker_down(*args, **kwargs):
        raise OSError("broker unreachable")

    monkeypatch.setattr(tasks.deliver, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("idea-new"),
            {
                "title": "Standard power cables",
                "description": "One plug for every notebook.",
                "category": "notebooks",
            },
        )
    assert response.status_code == 302
    assert receiver.requests == []
    assert Delivery.objects.get(webhook=webhook).status == "pending"

    assert tasks.deliveries_retry.run()["succeeded"] == 1
    [request] = receiver.requests
    assert json.loads(request.body)["idea"]["title"] == "Standard power cables"
    assert tasks.deliveries_retry.run()["attempted"] == 0
