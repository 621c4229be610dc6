"""API tokens: revoked with a password change (the settings page and the API); shown on the
settings page (created, last used, expiry) with a "Revoke API token" button; expired after
IDEASTORM_API_TOKEN_DAYS (core.auth.ExpiringTokenAuthentication), when POST /api/auth/token/
gives a new one; their last use noted at most once an hour, never a write per request."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import ApiTokenUse
from moderation.bans import ban_create
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "another-horse-battery-9"
# DRF answers 403 rather than 401 when session authentication comes first (no WWW-Authenticate).
REFUSED = {401, 403}


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def obtain(username: str = "alice", password: str = PASSWORD):
    return APIClient().post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )


def age(token: Token, days: float) -> None:
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=days))


# ---- revoked with the password ----


def test_changing_the_password_on_the_page_revokes_the_api_token(alice_client, alice):
    key = Token.objects.create(user=alice).key
    response = alice_client.post(
        reverse("account-password"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not Token.objects.filter(user=alice).exists()
    assert token_client(key).get("/api/users/me/").status_code in REFUSED


def test_changing_the_password_through_the_api_revokes_the_api_token(alice):
    key = Token.objects.create(user=alice).key
    session = APIClient()
    session.force_login(alice)
    response = session.post(
        "/api/users/me/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 204
    assert token_client(key).get("/api/users/me/").status_code in REFUSED
    # The new password gives a new token.
    assert obtain(password=NEW_PASSWORD).json()["token"] != key


def test_a_failed_password_change_keeps_the_token(alice_client, alice):
    Token.objects.create(user=alice)
    alice_client.post(
        reverse("account-password"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert Token.objects.filter(user=alice).exists()


# ---- the settings page ----


def test_settings_say_when_there_is_no_token(alice_client):
    html = alice_client.get(reverse("account-settings")).content.decode()
    assert "You have no API token" in html
    assert "Revoke API token" not in html


def machine_time(at: dt.datetime) -> str:
    """A <time datetime> as the pages write it: UTC, whole seconds (valid HTML)."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_settings_show_the_token_created_last_used_and_expiry_never_the_key(
    alice_client, alice, settings
):
    settings.IDEASTORM_API_TOKEN_DAYS = 30
    token = Token.objects.create(user=alice)
    html = alice_client.get(reverse("account-settings")).content.decode()
    assert "Revoke API token" in html
    assert token.key not in html
    assert f'datetime="{machine_time(token.created)}"' in html
    assert "Never" in html  # not used yet
    expires = token.created + dt.timedelta(days=30)
    assert f'datetime="{machine_time(expires)}"' in html
    token_client(token.key).get("/api/users/me/")
    used = ApiTokenUse.objects.get(token=token).last_used_at
    html = alice_client.get(reverse("account-settings")).content.decode()
    assert f'datetime="{machine_time(used)}"' in html


def test_revoke_api_token_on_the_settings_page(alice_client, alice):
    key = Token.objects.create(user=alice).key
    response = alice_client.post(reverse("account-token-revoke"), follow=True)
    assert response.redirect_chain == [(reverse("account-settings"), 302)]
    assert "Your API token is revoked." in response.content.decode()
    assert not Token.objects.filter(user=alice).exists()
    assert token_client(key).get("/api/users/me/").status_code in REFUSED


def test_revoking_needs_a_post_and_a_login(client, alice_client):
    assert alice_client.get(reverse("account-token-revoke")).status_code == 405
    client.logout()
    response = client.post(reverse("account-token-revoke"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_banned_member_may_revoke_their_token(alice_client, alice, mo):
    Token.objects.create(user=alice)
    ban_create(moderator=mo, user=alice, reason="Spam", days=3)
    assert alice_client.post(reverse("account-token-revoke")).status_code == 302
    assert not Token.objects.filter(user=alice).exists()


# ---- expiry ----


def test_the_api_uses_the_expiring_token_class():
    classes = django_settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    assert "core.auth.ExpiringTokenAuthentication" in classes
    assert "rest_framework.authentication.TokenAuthentication" not in classes


def test_an_expired_token_is_refused_with_the_reason(alice, settings):
    settings.IDEASTORM_API_TOKEN_DAYS = 30
    token = Token.objects.create(user=alice)
    age(token, 29)
    assert token_client(token.key).get("/api/users/me/").status_code == 200
    age(token, 31)
    response = token_client(token.key).get("/api/users/me/")
    assert response.status_code in REFUSED
    assert "Your API token expired on" in response.json()["detail"]
    assert response.json()["code"] == "authentication_failed"


def test_an_expired_token_is_replaced_by_logging_in_again(alice, settings):
    settings.IDEASTORM_API_TOKEN_DAYS = 30
    token = Token.objects.create(user=alice)
    age(token, 31)
    new_key = obtain().json()["token"]
    assert new_key != token.key
    assert token_client(new_key).get("/api/users/me/").status_code == 200
    assert obtain().json()["token"] == new_key  # a valid one is kept


def test_zero_days_means_tokens_never_expire(alice, settings):
    settings.IDEASTORM_API_TOKEN_DAYS = 0
    token = Token.objects.create(user=alice)
    age(token, 3650)
    assert token_client(token.key).get("/api/users/me/").status_code == 200
    assert obtain().json()["token"] == token.key


def test_a_bad_token_and_an_inactive_user_are_still_refused(alice):
    assert token_client("0" * 40).get("/api/users/me/").status_code in REFUSED
    key = Token.objects.create(user=alice).key
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    assert token_client(key).get("/api/users/me/").status_code in REFUSED


# ---- last use ----


def writes_to_token_use(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if ApiTokenUse._meta.db_table in q["sql"] and not q["sql"].lstrip().startswith("SELECT")
    ]


def test_last_use_is_noted_at_most_once_an_hour(alice):
    token = Token.objects.create(user=alice)
    client = token_client(token.key)
    with CaptureQueriesContext(connection) as first:
        assert client.get("/api/users/me/").status_code == 200
    assert len(writes_to_token_use(first)) == 1
    noted = ApiTokenUse.objects.get(token=token).last_used_at
    with CaptureQueriesContext(connection) as again:
        assert client.get("/api/users/me/").status_code == 200
    assert writes_to_token_use(again) == []
    assert ApiTokenUse.objects.get(token=token).last_used_at == noted
    ApiTokenUse.objects.filter(token=token).update(last_used_at=noted - dt.timedelta(hours=2))
    client.get("/api/users/me/")
    assert ApiTokenUse.objects.get(token=token).last_used_at > noted - dt.timedelta(minutes=1)


def test_reading_last_use_costs_no_extra_query(alice):
    """The token, its user and its last use come in one query, as the token and user did."""
    token = Token.objects.create(user=alice)
    client = token_client(token.key)
    client.get("/api/categories/")  # notes the first use
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/categories/")
    token_queries = [q for q in queries.captured_queries if "authtoken_token" in q["sql"]]
    assert len(token_queries) == 1


def test_revoking_deletes_the_last_use_with_the_token(alice):
    token = Token.objects.create(user=alice)
    token_client(token.key).get("/api/users/me/")
    assert ApiTokenUse.objects.filter(token=token).exists()
    assert token_client(token.key).delete("/api/auth/token/").status_code == 204
    assert not ApiTokenUse.objects.exists()
