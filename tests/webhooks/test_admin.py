import pytest

from tests.factories import UserFactory
from webhooks import services
from webhooks.models import Delivery, Webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_an_admin_registers_a_webhook_and_sees_its_secret(admin_client, dns):
    dns["hooks.example.com"] = ["93.184.215.14"]
    response = admin_client.post(
        "/admin/webhooks/webhook/add/",
        {"url": "https://hooks.example.com/ideastorm", "events": ["idea.created"], "active": "on"},
    )
    assert response.status_code == 302
    webhook = Webhook.objects.get()
    assert webhook.events == ["idea.created"] and len(webhook.secret) == 64
    page = admin_client.get(f"/admin/webhooks/webhook/{webhook.pk}/change/")
    assert webhook.secret in page.content.decode()


@pytest.mark.parametrize("url", ["ftp://example.com/hook", "not a url"])
def test_the_admin_refuses_a_url_that_is_not_http(admin_client, url):
    response = admin_client.post(
        "/admin/webhooks/webhook/add/", {"url": url, "events": ["idea.created"]}
    )
    assert response.status_code == 200 and not Webhook.objects.exists()


def test_send_test_on_the_change_form_delivers_a_ping(
    admin_client, receiver, make_webhook, django_capture_on_commit_callbacks, eager_tasks
):
    webhook = make_webhook(events=[])
    page = admin_client.get(f"/admin/webhooks/webhook/{webhook.pk}/change/")
    assert f"/admin/webhooks/webhook/{webhook.pk}/send-test/" in page.content.decode()
    assert admin_client.get(f"/admin/webhooks/webhook/{webhook.pk}/send-test/").status_code == 405

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/webhooks/webhook/{webhook.pk}/send-test/")
    assert response.status_code == 302
    [request] = receiver.requests
    assert request.headers["X-Ideastorm-Event"] == "ping"
    assert Delivery.objects.get().status == "succeeded"
    # The delivery log under the webhook, and on its own page.
    page = admin_client.get(f"/admin/webhooks/webhook/{webhook.pk}/change/").content.decode()
    assert "Succeeded" in page and "All 1 deliveries" in page
    assert admin_client.get("/admin/webhooks/delivery/").status_code == 200


def test_the_send_test_action_queues_a_ping_per_selected_webhook(admin_client, make_webhook):
    first, second = make_webhook(), make_webhook()
    response = admin_client.post(
        "/admin/webhooks/webhook/",
        {"action": "send_test", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    assert sorted(Delivery.objects.values_list("webhook_id", "event")) == [
        (first.pk, "ping"),
        (second.pk, "ping"),
    ]


def test_the_delivery_log_is_read_only(admin_client, make_webhook):
    delivery = services.webhook_ping(webhook=make_webhook())
    page = admin_client.get(f"/admin/webhooks/delivery/{delivery.pk}/change/")
    assert page.status_code == 200 and b'type="submit"' not in page.content.split(b"<form")[-1]
    assert admin_client.get("/admin/webhooks/delivery/add/").status_code == 403
    assert admin_client.post(f"/admin/webhooks/delivery/{delivery.pk}/delete/").status_code == 403


def test_members_cannot_reach_the_webhooks(client, make_webhook):
    webhook = make_webhook()
    client.force_login(UserFactory(username="alice"))
    response = client.post(f"/admin/webhooks/webhook/{webhook.pk}/send-test/")
    assert response.status_code == 302 and "/login/" in response.url
    assert not Delivery.objects.exists()
