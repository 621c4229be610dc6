import datetime as dt

import pytest
from django.utils import timezone

from core.models import JobRun
from votes.tasks import RECONCILE_JOB, reconcile_rankings

pytestmark = pytest.mark.django_db
# The details (job records, errors, timings) are for a monitor with the token (core.health).
MONITOR = {"Authorization": "Bearer monitor-token"}


@pytest.fixture(autouse=True)
def _healthz_token(settings):
    settings.IDEASTORM_HEALTHZ_TOKEN = "monitor-token"


def test_healthz_is_503_before_the_ranking_job_has_run(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] and body["broker"]["ok"]
    assert body["last_ranking_run"]["ok"] is False


def test_healthz_is_200_after_the_job_ran(client):
    reconcile_rankings.apply()
    response = client.get("/healthz", headers=MONITOR)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["last_ranking_run"]["detail"]["repaired"] == 0
    assert response.json()["last_ranking_run"]["detail"]["checked"] == 0


def test_healthz_is_503_when_the_last_success_is_stale(client):
    reconcile_rankings.apply()
    JobRun.objects.filter(name=RECONCILE_JOB).update(
        succeeded_at=timezone.now() - dt.timedelta(hours=2)
    )
    response = client.get("/healthz", headers=MONITOR)
    assert response.status_code == 503
    assert "beat" in response.json()["last_ranking_run"]["error"]


def test_healthz_is_503_and_fast_when_the_broker_is_unreachable(client, settings):
    from ideastorm.celery import app

    reconcile_rankings.apply()
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz", headers=MONITOR)
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    body = response.json()
    assert body["broker"]["ok"] is False
    assert body["broker"]["ms"] < 5000
