"""Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature), secret
rotation with a grace period, the per-attempt history, retries enqueued for their due time,
and the merge-undone and archived events."""

import base64
import datetime as dt
import hashlib
import hmac
import json
from unittest import mock

import pytest
from django.utils import timezone

from actions.ideas import ideas_archive_stale
from actions.merging import idea_merge, idea_merge_undo
from tests.factories import IdeaFactory, UserFactory
from webhooks import services, tasks
from webhooks.models import Delivery, DeliveryAttempt
from webhooks.signing import signature, standard_secret, standard_signature_valid

pytestmark = pytest.mark.django_db


def lower(headers) -> dict:
    return {k.lower(): v for k, v in headers.items()}


def verify(whsec: str, headers: dict, body: bytes) -> bool:
    """A receiver's check, written from the Standard Webhooks specification alone: the key is
    the base64 after "whsec_"; each "v1,<base64>" in webhook-signature is the HMAC-SHA256 of
    "<webhook-id>.<webhook-timestamp>.<body>"."""
    key = base64.b64decode(whsec.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in headers["webhook-signature"].split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False


def test_a_delivery_carries_standard_webhooks_headers_a_receiver_can_verify(receiver, make_webhook):
    webhook = make_webhook()
    before = int(timezone.now().timestamp())
    delivery = services.webhook_ping(webhook=webhook)
    assert services.delivery_send(delivery_id=delivery.pk) == "succeeded"

    [request] = receiver.requests
    headers = lower(request.headers)
    assert headers["webhook-id"] == headers["x-ideastorm-delivery"] == str(delivery.pk)
    assert before <= int(headers["webhook-timestamp"]) <= timezone.now().timestamp()
    sent_at = dt.datetime.fromisoformat(json.loads(request.body)["sent_at"])
    assert int(headers["webhook-timestamp"]) == int(sent_at.timestamp())
    assert (
        headers["webhook-signature"].startswith("v1,") and " " not in headers["webhook-signature"]
    )
    whsec = standard_secret(webhook.secret)
    assert whsec.startswith("whsec_")
    assert base64.b64decode(whsec[6:]) == webhook.secret.encode()
    assert verify(whsec, headers, request.body)
    assert not verify(whsec, headers, request.body + b" ")
    assert not verify(standard_secret("another"), headers, request.body)
    # The existing header is still there, made with the same secret.
    assert headers["x-ideastorm-signature"] == signature(webhook.secret, request.body)


def test_a_retry_keeps_the_webhook_id_and_signs_a_new_timestamp(receiver, make_webhook):
    receiver.status = 500
    webhook = make_webhook()
    delivery = services.webhook_ping(webhook=webhook)
    services.delivery_send(delivery_id=delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with mock.patch(
        "django.utils.timezone.now", lambda: dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    ):
        services.delivery_send(delivery_id=delivery.pk)
    first, second = (lower(r.headers) for r in receiver.requests)
    assert first["webhook-id"] == second["webhook-id"]
    assert int(second["webhook-timestamp"]) > int(first["webhook-timestamp"])
    for request in receiver.requests:
        assert verify(standard_secret(webhook.secret), lower(request.headers), request.body)


def test_after_a_rotation_both_secrets_verify_until_the_grace_period_ends(receiver, make_webhook):
    webhook = make_webhook()
    old = webhook.secret
    webhook = services.webhook_secret_rotate(webhook=webhook)
    assert webhook.secret != old and webhook.previous_secret == old
    assert webhook.previous_secret_expires_at - timezone.now() > dt.timedelta(hours=23)

    services.delivery_send(delivery_id=services.webhook_ping(webhook=webhook).pk)
    request = receiver.requests[-1]
    headers = lower(request.headers)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert verify(standard_secret(webhook.secret), headers, request.body)
    assert verify(standard_secret(old), headers, request.body)
    stamp = int(headers["webhook-timestamp"])
    for secret in (old, webhook.secret):
        assert standard_signature_valid(
            secret, headers["webhook-id"], stamp, request.body, headers["webhook-signature"]
        )
    # X-IdeaStorm-Signature is made with the current secret.
    assert headers["x-ideastorm-signature"] == signature(webhook.secret, request.body)

    # The grace period over, only the new secret signs.
    webhook.previous_secret_expires_at = timezone.now() - dt.timedelta(seconds=1)
    webhook.save(update_fields=["previous_secret_expires_at"])
    services.delivery_send(delivery_id=services.webhook_ping(webhook=webhook).pk)
    request = receiver.requests[-1]
    headers = lower(request.headers)
    assert " " not in headers["webhook-signature"]
    assert verify(standard_secret(webhook.secret), headers, request.body)
    assert not verify(standard_secret(old), headers, request.body)


def test_rotating_twice_keeps_only_the_secret_just_replaced(make_webhook):
    webhook = make_webhook()
    first = webhook.secret
    second = services.webhook_secret_rotate(webhook=webhook).secret
    webhook = services.webhook_secret_rotate(webhook=webhook)
    assert webhook.previous_secret == second
    assert first not in webhook.signing_secrets(timezone.now())


def test_every_attempt_is_recorded_with_its_time_duration_code_and_error(receiver, make_webhook):
    receiver.status = 503
    delivery = services.webhook_ping(webhook=make_webhook())
    services.delivery_send(delivery_id=delivery.pk)
    receiver.status = 200
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    services.delivery_send(delivery_id=delivery.pk)

    first, second = DeliveryAttempt.objects.filter(delivery=delivery).order_by("number")
    assert (first.number, first.response_code, first.error) == (1, 503, "HTTP 503")
    assert (second.number, second.response_code, second.error) == (2, 200, "")
    assert first.started_at < second.started_at
    assert 0 <= first.duration_ms < 5000
    assert second.response_body.startswith("thanks") and len(second.response_body) == 200


def test_an_unreachable_receiver_is_recorded_without_a_code(make_webhook, receiver):
    webhook = make_webhook()
    webhook.url = "http://127.0.0.1:9/hook"  # discard port: nothing listens
    webhook.save(update_fields=["url"])
    delivery = services.webhook_ping(webhook=webhook)
    services.delivery_send(delivery_id=delivery.pk)
    [attempt] = DeliveryAttempt.objects.filter(delivery=delivery)
    assert attempt.response_code is None and attempt.error


def test_the_delivery_page_in_the_admin_lists_the_attempts(receiver, make_webhook, client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    receiver.status = 500
    delivery = services.webhook_ping(webhook=make_webhook())
    services.delivery_send(delivery_id=delivery.pk)
    page = client.get(f"/admin/webhooks/delivery/{delivery.pk}/change/").content.decode()
    assert "Attempts" in page and "Duration (ms)" in page and "HTTP 500" in page


def test_the_admin_rotates_the_secret_and_shows_the_whsec_form(make_webhook, client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    webhook = make_webhook()
    old = webhook.secret
    page = client.get(f"/admin/webhooks/webhook/{webhook.pk}/change/").content.decode()
    assert standard_secret(old) in page and "/rotate-secret/" in page
    assert client.get(f"/admin/webhooks/webhook/{webhook.pk}/rotate-secret/").status_code == 405
    response = client.post(f"/admin/webhooks/webhook/{webhook.pk}/rotate-secret/")
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert webhook.secret != old and webhook.previous_secret == old


def test_a_member_cannot_rotate_a_secret(make_webhook, client):
    client.force_login(UserFactory(username="someone"))
    webhook = make_webhook()
    old = webhook.secret
    client.post(f"/admin/webhooks/webhook/{webhook.pk}/rotate-secret/")
    webhook.refresh_from_db()
    assert webhook.secret == old


def test_a_soon_retry_is_enqueued_for_its_due_time_a_late_one_left_to_the_job(
    receiver, make_webhook
):
    receiver.status = 500
    delivery = services.webhook_ping(webhook=make_webhook())
    with mock.patch.object(tasks.deliver, "apply_async") as apply_async:
        services.delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    [call] = apply_async.call_args_list
    assert call.args == ((delivery.pk,),) and call.kwargs == {"eta": delivery.next_attempt_at}

    # The 4th attempt fails: the next is 2 hours away, the retry job's.
    Delivery.objects.filter(pk=delivery.pk).update(attempts=3, next_attempt_at=timezone.now())
    with mock.patch.object(tasks.deliver, "apply_async") as apply_async:
        services.delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert apply_async.call_count == 0
    assert dt.timedelta(minutes=119) < delivery.next_attempt_at - timezone.now()


def test_a_broker_outage_at_retry_time_leaves_the_retry_to_the_job(receiver, make_webhook):
    receiver.status = 500
    delivery = services.webhook_ping(webhook=make_webhook())
    with mock.patch.object(tasks.deliver, "apply_async", side_effect=ConnectionError("down")):
        assert services.delivery_send(delivery_id=delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert delivery.next_attempt_at is not None


def sent(webhook) -> list[tuple[str, dict]]:
    return [(d.event, d.payload) for d in webhook.deliveries.order_by("id")]


def test_undoing_a_merge_is_announced(pat, make_webhook):
    webhook = make_webhook(events=["idea.merge_undone"])
    merged, kept = IdeaFactory(title="Backlit keys"), IdeaFactory(title="Backlit keyboards")
    merge = idea_merge(actor=pat, merged=merged, kept=kept)
    assert sent(webhook) == []
    idea_merge_undo(actor=pat, merge=merge)
    [(event, payload)] = sent(webhook)
    assert event == "idea.merge_undone"
    assert (payload["idea"]["id"], payload["idea"]["status"]) == (merged.pk, "new")
    assert payload["merged_into"]["id"] == kept.pk


def test_archived_ideas_are_announced_each_once(settings, make_webhook):
    settings.IDEAS_STALE_AFTER_DAYS = 30
    webhook = make_webhook(events=["idea.archived"])
    status_only = make_webhook(events=["idea.status_changed"])
    old = timezone.now() - dt.timedelta(days=40)
    stale = [IdeaFactory(created_at=old), IdeaFactory(created_at=old)]
    IdeaFactory(created_at=old, hidden_at=timezone.now())  # not public: not announced
    IdeaFactory()  # fresh: not archived
    assert ideas_archive_stale()["archived"] == 2
    ideas_archive_stale()
    events = sent(webhook)
    assert [e for e, _ in events] == ["idea.archived", "idea.archived"]
    assert sorted(p["idea"]["id"] for _, p in events) == sorted(i.pk for i in stale)
    assert all(p["idea"]["status"] == "archived" for _, p in events)
    assert events[0][1]["reason"].startswith("Archived after 1 month without votes or comments")
    assert sent(status_only) == []
