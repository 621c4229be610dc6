"""Login lockout (accounts.lockout): 30 wrong passwords within an hour lock the username for an
hour, on the log-in page and the API token endpoint alike; it lives in the database only."""

from datetime import UTC, timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import lockout
from accounts.models import LoginThrottle
from ideastorm.celery import BEAT_SCHEDULE
from tests.conftest import PASSWORD

LOCKED = "Too many failed log-ins: this account is locked until"


def log_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def token(username: str, password: str):
    return APIClient().post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )


def fail(username: str, times: int) -> None:
    for _ in range(times):
        assert token(username, "wrong-password").status_code == 400


@pytest.mark.django_db
def test_thirty_wrong_passwords_lock_the_account_even_for_the_right_one(client, alice):
    fail("alice", lockout.LOCKOUT_FAILURES - 1)
    assert log_in(client, "alice", PASSWORD).status_code == 302
    client.logout()

    fail("alice", lockout.LOCKOUT_FAILURES)
    until = LoginThrottle.objects.get(username="alice").locked_until
    assert until - timezone.now() == pytest.approx(
        lockout.LOCKOUT_DURATION, abs=timedelta(seconds=10)
    )

    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 200
    message = f"{LOCKED} {until.astimezone(UTC):%H:%M} UTC."
    assert response.context["form"].non_field_errors() == [message]
    assert message in response.content.decode()
    assert "_auth_user_id" not in client.session

    response = token("alice", PASSWORD)
    assert response.status_code == 400
    assert response.json()["errors"] == {"non_field_errors": [message]}


@pytest.mark.django_db
def test_the_lock_expires(client, alice):
    fail("alice", lockout.LOCKOUT_FAILURES)
    assert token("alice", PASSWORD).status_code == 400
    later = timezone.now() + lockout.LOCKOUT_DURATION + timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert token("alice", PASSWORD).status_code == 200
        assert log_in(client, "alice", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_successful_log_in_resets_the_count(client, alice):
    fail("alice", lockout.LOCKOUT_FAILURES - 1)
    assert token("alice", PASSWORD).status_code == 200
    assert LoginThrottle.objects.get(username="alice").failures == 0
    fail("alice", lockout.LOCKOUT_FAILURES - 1)
    assert log_in(client, "alice", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_failures_older_than_the_window_start_a_new_count(alice):
    fail("alice", lockout.LOCKOUT_FAILURES - 1)
    later = timezone.now() + lockout.LOCKOUT_WINDOW + timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        fail("alice", lockout.LOCKOUT_FAILURES - 1)
        assert token("alice", PASSWORD).status_code == 200


@pytest.mark.django_db
def test_attempts_while_locked_do_not_extend_the_lock(alice):
    fail("alice", lockout.LOCKOUT_FAILURES)
    until = LoginThrottle.objects.get(username="alice").locked_until
    fail("alice", 5)
    assert LoginThrottle.objects.get(username="alice").locked_until == until


@pytest.mark.django_db
def test_an_unknown_username_locks_like_a_real_one(client):
    fail("nobody", lockout.LOCKOUT_FAILURES)
    response = log_in(client, "nobody", "whatever")
    assert LOCKED in response.content.decode()


@pytest.mark.django_db
def test_the_wrong_password_on_the_page_counts_and_shows_the_usual_error(client, alice):
    response = log_in(client, "alice", "wrong-password")
    assert response.status_code == 200
    assert LOCKED not in response.content.decode()
    assert LoginThrottle.objects.get(username="alice").failures == 1


@pytest.mark.django_db
def test_lockout_works_with_the_cache_down(settings, client, alice):
    settings.CACHES = {
        "default": {
            "BACKEND": "ideastorm.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
        }
    }
    fail("alice", lockout.LOCKOUT_FAILURES)
    assert LOCKED in log_in(client, "alice", PASSWORD).content.decode()


@pytest.mark.django_db
def test_signup_logs_the_new_member_in_with_the_lockout_backend(client):
    client.post(
        reverse("signup"),
        {
            "username": "carol",
            "email": "carol@example.com",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert client.get(reverse("home")).context["user"].username == "carol"


@pytest.mark.django_db
def test_the_daily_job_forgets_only_records_that_neither_lock_nor_count(settings):
    from accounts.tasks import FORGET_THROTTLES_JOB, forget_login_throttles
    from core.models import JobRun

    now = timezone.now()
    window = lockout.LOCKOUT_WINDOW
    stay = {
        "locked": {"locked_until": now + timedelta(minutes=5)},
        "recent": {"failures": 3, "first_failure_at": now - window + timedelta(minutes=1)},
    }
    go = {
        "lock-ended": {"locked_until": now - timedelta(minutes=1)},
        "old-failures": {"failures": 4, "first_failure_at": now - window - timedelta(minutes=1)},
        "reset": {"failures": 0},
    }
    for username, fields in {**stay, **go}.items():
        LoginThrottle.objects.create(username=username, **fields)
    assert forget_login_throttles()["deleted"] == len(go)
    assert set(LoginThrottle.objects.values_list("username", flat=True)) == set(stay)
    assert forget_login_throttles()["deleted"] == 0  # safe to run twice
    assert JobRun.objects.get(name=FORGET_THROTTLES_JOB).ok
    entry = BEAT_SCHEDULE["forget-login-throttles"]
    assert entry["task"] == "accounts.tasks.forget_login_throttles"
