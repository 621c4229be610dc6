"""Failed log-ins per address (core.ratelimit "login-ip"): one address trying many accounts
gets 429 on the log-in page and at POST /api/auth/token/ (the API's error shape, with
Retry-After), before any password is checked; other addresses are not affected; an IPv6
client counts by its /64; the limit fails open with the cache down, where the lockout per
account (accounts.lockout, in the database) still holds."""

from unittest import mock

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import lockout
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LIMIT = 3
THROTTLED = "Too many failed log-ins from your network"


@pytest.fixture
def low_limit(settings):
    settings.IDEAS_RATE_LIMIT_RATES = {**settings.IDEAS_RATE_LIMIT_RATES, "login-ip": (LIMIT, 3600)}


def log_in(client, username: str, password: str, address: str = "198.51.100.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def token(username: str, password: str, address: str = "198.51.100.7"):
    return APIClient().post(
        "/api/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def test_one_address_trying_many_accounts_gets_429_on_the_log_in_page(client, alice, low_limit):
    for n in range(LIMIT):
        assert log_in(client, f"someone-{n}", "guess").status_code == 200
    refused = log_in(client, "alice", PASSWORD)
    assert refused.status_code == 429
    assert THROTTLED in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    # Another address logs in.
    assert log_in(client, "alice", PASSWORD, address="203.0.113.1").status_code == 302


def test_the_api_token_counts_and_answers_429_in_the_api_shape(alice, low_limit):
    for n in range(LIMIT):
        assert token(f"someone-{n}", "guess").status_code == 400
    refused = token("alice", PASSWORD)
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "throttled" and THROTTLED in body["detail"]
    assert int(refused["Retry-After"]) > 0
    assert token("alice", PASSWORD, address="203.0.113.1").status_code == 200


def test_page_and_api_failures_add_up(client, alice, low_limit):
    log_in(client, "x", "guess")
    token("y", "guess")
    log_in(client, "z", "guess")
    assert token("alice", PASSWORD).status_code == 429


def test_successful_log_ins_do_not_count(client, alice, low_limit):
    for _ in range(LIMIT + 2):
        assert token("alice", PASSWORD).status_code == 200


def test_an_ipv6_client_counts_by_its_slash_64(client, alice, low_limit):
    for n in range(LIMIT):
        log_in(client, f"someone-{n}", "guess", address=f"2001:db8:5:6::{n + 1}")
    assert log_in(client, "alice", PASSWORD, address="2001:db8:5:6::ffff").status_code == 429
    assert log_in(client, "alice", PASSWORD, address="2001:db8:5:7::1").status_code == 302


def test_the_backend_refuses_too_for_other_log_in_forms(alice, low_limit):
    """The admin's log-in calls the backend without the page's check: it refuses there too."""
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR="198.51.100.7")
    for n in range(LIMIT):
        assert authenticate(request, username=f"someone-{n}", password="guess") is None
    with pytest.raises(lockout.AddressThrottled):
        authenticate(request, username="alice", password=PASSWORD)


def test_rate_limits_off_lifts_it(client, alice, low_limit, settings):
    settings.IDEAS_RATE_LIMITS = False
    for n in range(LIMIT + 1):
        log_in(client, f"someone-{n}", "guess")
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_with_the_cache_down_it_fails_open_and_the_account_lockout_holds(client, alice, low_limit):
    broken = mock.Mock(side_effect=ConnectionError("cache down"))
    with (
        mock.patch("core.ratelimit.cache.get", broken),
        mock.patch("core.ratelimit._count", broken),
    ):
        for _ in range(lockout.LOCKOUT_FAILURES):
            assert token("alice", "wrong").status_code == 400
        locked = token("alice", PASSWORD)
    assert locked.status_code == 400
    assert "this account is locked" in str(locked.json())
