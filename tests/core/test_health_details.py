"""/healthz (core.health): everyone gets the status and each check's ok, nothing that
describes the deployment; staff, or a monitor with IDEASTORM_HEALTHZ_TOKEN (a Bearer header or
?token=), get the details. The status codes never depend on who asks."""

import pytest

from tests.factories import UserFactory
from votes.tasks import reconcile_rankings

pytestmark = pytest.mark.django_db
TOKEN = "a-long-monitor-token"
BARE = {
    "status": "ok",
    "database": {"ok": True},
    "broker": {"ok": True},
    "last_ranking_run": {"ok": True},
}


@pytest.fixture
def healthy(settings):
    settings.IDEASTORM_HEALTHZ_TOKEN = TOKEN
    reconcile_rankings.apply()


def test_everyone_gets_the_status_and_each_checks_ok_only(client, healthy, alice):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == BARE
    client.force_login(alice)  # a member is no one special here
    assert client.get("/healthz").json() == BARE


def test_unhealthy_is_still_503_with_booleans_only(client, settings):
    settings.IDEASTORM_HEALTHZ_TOKEN = TOKEN
    response = client.get("/healthz")  # the ranking job has not run
    assert response.status_code == 503
    assert response.json() == {
        "status": "unhealthy",
        "database": {"ok": True},
        "broker": {"ok": True},
        "last_ranking_run": {"ok": False},
    }


@pytest.mark.parametrize(
    "how",
    [
        {"headers": {"Authorization": f"Bearer {TOKEN}"}},
        {"headers": {"Authorization": f"bearer {TOKEN}"}},
        {"data": {"token": TOKEN}},
    ],
)
def test_the_monitor_token_gets_the_details(client, healthy, how):
    body = client.get("/healthz", **how).json()
    assert body["database"]["vendor"]
    assert body["broker"]["transport"] and "ms" in body["broker"]
    assert body["last_ranking_run"]["detail"]["repaired"] == 0
    assert body["last_ranking_run"]["last_success"]


def test_staff_get_the_details(client, healthy):
    client.force_login(UserFactory(username="ops", is_staff=True))
    assert "vendor" in client.get("/healthz").json()["database"]


@pytest.mark.parametrize(
    "how",
    [
        {"headers": {"Authorization": "Bearer wrong"}},
        {"headers": {"Authorization": f"Token {TOKEN}"}},
        {"data": {"token": TOKEN[:-1]}},
        {"data": {"token": ""}},
    ],
)
def test_a_wrong_token_gets_the_bare_answer(client, healthy, how):
    assert client.get("/healthz", **how).json() == BARE


def test_with_no_token_configured_an_empty_one_gets_nothing(client, healthy, settings):
    settings.IDEASTORM_HEALTHZ_TOKEN = ""
    assert client.get("/healthz", {"token": ""}).json() == BARE
    assert client.get("/healthz", headers={"Authorization": "Bearer "}).json() == BARE
