"""/readyz (core.health): what a load balancer polls. Ready while the database answers and every
migration is applied; the broker and the cache only degrade it (a node serves without Redis)."""

from unittest import mock

import pytest

from core import health

pytestmark = pytest.mark.django_db
TOKEN = "a-long-monitor-token"


@pytest.fixture(autouse=True)
def _fresh_probes(settings):
    settings.IDEASTORM_HEALTHZ_TOKEN = TOKEN
    health._memo.clear()
    health._migrated.clear()
    yield
    health._memo.clear()
    health._migrated.clear()


def test_ready_with_everything_up_and_booleans_only_for_everyone(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True},
        "migrations": {"ok": True},
        "broker": {"ok": True},
        "cache": {"ok": True},
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_monitor_token_gets_the_details(client):
    body = client.get("/readyz", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert body["cache"]["backend"] and "ms" in body["broker"]


def test_a_pending_migration_makes_the_node_unready(client):
    with mock.patch.object(
        health.MigrationExecutor, "migration_plan", return_value=[("app", False)]
    ):
        response = client.get("/readyz", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 503
    assert response.json()["status"] == "unready"
    assert response.json()["migrations"]["pending"] == 1


def test_a_dead_broker_degrades_but_keeps_the_node_in_the_pool(client):
    from ideastorm.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"] == {"ok": False}


def test_probes_are_remembered_for_a_moment(client):
    with mock.patch.object(health, "_probe_broker", wraps=health._probe_broker) as probe:
        for _ in range(5):
            client.get("/readyz")
            client.get("/healthz")
    assert probe.call_count == 1
