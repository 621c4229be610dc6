import datetime as dt
import json

import pytest
from django.utils import timezone

from webhooks import services, tasks
from webhooks.models import Delivery
from webhooks.signing import signature, signature_valid

pytestmark = pytest.mark.django_db


def due_now(delivery: Delivery) -> None:
    # Time passes: the delivery's next attempt is due.
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_a_ping_is_signed_with_the_webhooks_secret_and_carries_the_headers(receiver, make_webhook):
    webhook = make_webhook()
    delivery = services.webhook_ping(webhook=webhook)
    assert tasks.deliver.run(delivery.pk) == "succeeded"

    [request] = receiver.requests
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert request.path == "/hook"
    assert headers["content-type"] == "application/json"
    assert headers["x-ideastorm-event"] == "ping"
    assert headers["x-ideastorm-delivery"] == str(delivery.pk)
    assert headers["x-ideastorm-signature"] == signature(webhook.secret, request.body)
    assert signature_valid(webhook.secret, request.body, headers["x-ideastorm-signature"])
    assert not signature_valid("another-secret", request.body, headers["x-ideastorm-signature"])
    body = json.loads(request.body)
    assert body["event"] == "ping" and body["webhook"]["id"] == webhook.pk
    assert dt.datetime.fromisoformat(body["sent_at"]) <= timezone.now()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 1, 200)
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    assert len(delivery.response_body) == 200


def test_a_succeeded_delivery_is_never_sent_again(receiver, make_webhook):
    delivery = services.webhook_ping(webhook=make_webhook())
    assert services.delivery_send(delivery_id=delivery.pk) == "succeeded"
    due_now(delivery)
    assert services.delivery_send(delivery_id=delivery.pk) is None
    assert tasks.deliveries_retry.run()["attempted"] == 0
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_a_server_error_is_recorded_and_retried_with_growing_waits_then_fails(
    receiver, make_webhook
):
    receiver.status = 500
    delivery = services.webhook_ping(webhook=make_webhook())
    waits = []
    for attempt in range(1, 7):
        before = timezone.now()
        assert services.delivery_send(delivery_id=delivery.pk) in ("pending", "failed")
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.response_code) == (attempt, 500)
        assert delivery.error == "HTTP 500" and delivery.response_body.startswith("thanks")
        if delivery.next_attempt_at:
            waits.append(round((delivery.next_attempt_at - before).total_seconds() / 60))
            # Not due yet: a second run now sends nothing.
            assert services.delivery_send(delivery_id=delivery.pk) is None
            due_now(delivery)
    assert waits == [1, 5, 30, 120, 720]
    assert (delivery.status, delivery.next_attempt_at, delivery.delivered_at) == (
        "failed",
        None,
        None,
    )
    assert len(receiver.requests) == 6


def test_a_receiver_that_recovers_gets_the_delivery_on_the_retry(receiver, make_webhook):
    receiver.status = 503
    delivery = services.webhook_ping(webhook=make_webhook())
    assert services.delivery_send(delivery_id=delivery.pk) == "pending"
    receiver.status = 204
    due_now(delivery)
    assert tasks.deliveries_retry.run()["succeeded"] == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.error) == (
        "succeeded",
        2,
        204,
        "",
    )
    # Same delivery id both times, so a receiver can tell a retry from a new event.
    ids = {r.headers["X-Ideastorm-Delivery"] for r in receiver.requests}
    assert ids == {str(delivery.pk)}


def test_an_unreachable_receiver_records_the_error_and_waits(make_webhook, receiver):
    webhook = make_webhook()
    webhook.url = "http://127.0.0.1:9/nothing-listens-here"
    webhook.save()
    delivery = services.webhook_ping(webhook=webhook)
    assert services.delivery_send(delivery_id=delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert delivery.response_code is None and delivery.error
    assert delivery.next_attempt_at > timezone.now()


def test_a_redirect_is_not_followed_and_counts_as_a_failure(receiver, make_webhook):
    receiver.status = 302
    delivery = services.webhook_ping(webhook=make_webhook())
    assert services.delivery_send(delivery_id=delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert delivery.response_code == 302 and len(receiver.requests) == 1
