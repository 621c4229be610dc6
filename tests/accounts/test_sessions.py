"""Where a member is logged in (Settings, and /api/users/me/sessions/): each log-in is listed
with its browser, network and last activity; a member ends one of their other sessions, or
every other one ("Log out everywhere", which also ends sessions logged in before the list was
kept, and revokes the API token). Only a SHA-256 of each session key is stored."""

import datetime as dt
import hashlib

import pytest
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import LoginSession, User
from accounts.sessions import SEEN_AT
from accounts.tasks import forget_login_throttles
from moderation.bans import ban_create
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
NEW_PASSWORD = "another-horse-battery-9"


def logged_in(username: str, user_agent: str, address: str) -> Client:
    """A browser that logged in through the log-in page."""
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def session_of(client: Client) -> LoginSession:
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return LoginSession.objects.get(key_hash=hashlib.sha256(key.encode()).hexdigest())


def is_logged_in(client: Client) -> bool:
    response = client.get(reverse("account-settings"))
    assert response.status_code in {200, 302}
    return response.status_code == 200


@pytest.fixture
def laptop(alice):
    return logged_in("alice", FIREFOX_LINUX, "198.51.100.7")


@pytest.fixture
def phone(alice):
    return logged_in("alice", SAFARI_IPHONE, "203.0.113.42")


# ---- the list ----


def test_each_log_in_is_listed_with_its_browser_network_and_this_device_marked(laptop, phone):
    response = laptop.get(reverse("account-settings"))
    listed = response.context["login_sessions"]
    assert [s.device for s in listed] == ["Firefox 128 on Linux", "Safari 17 on iOS"]
    assert [s.is_current for s in listed] == [True, False]
    assert [s.network for s in listed] == ["198.51.100.0/24", "203.0.113.0/24"]
    html = response.content.decode()
    assert "Where you\N{RIGHT SINGLE QUOTATION MARK}re logged in" in html
    assert "This device" in html and "Safari 17 on iOS" in html and "203.0.113.0/24" in html
    end_phone = reverse("account-session-end", args=[session_of(phone).pk])
    assert f'action="{end_phone}"' in html
    assert f'action="{reverse("account-sessions-end-others")}"' in html
    # No button ends this device from the list: the header's "Log out" does.
    assert reverse("account-session-end", args=[session_of(laptop).pk]) not in html


def test_only_a_hash_of_the_session_key_is_stored(laptop):
    key = laptop.cookies[settings.SESSION_COOKIE_NAME].value
    row = session_of(laptop)
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = [str(value) for value in LoginSession.objects.values_list().get(pk=row.pk)]
    assert not any(key in value for value in stored)


def test_a_user_agent_is_stored_without_control_characters_and_cut_short(alice):
    client = logged_in("alice", "curl/8.5\x00\x1b[31m" + "x" * 500, "198.51.100.7")
    device = session_of(client).device
    assert device.startswith("curl/8.5[31m") and len(device) == 200
    assert not any(ord(c) < 32 for c in device)


def test_last_activity_is_written_at_most_every_five_minutes(laptop):
    row = session_of(laptop)
    laptop.get(reverse("home"))
    assert session_of(laptop).last_seen_at == row.last_seen_at
    # Five minutes later (as the session remembers it), from another network.
    session = laptop.session
    session[SEEN_AT] -= 301
    session.save()
    laptop.get(reverse("home"), REMOTE_ADDR="192.0.2.9")
    touched = session_of(laptop)
    assert touched.last_seen_at > row.last_seen_at
    assert touched.network == "192.0.2.0/24"


def test_a_request_between_writes_does_not_touch_the_sessions_table(laptop):
    laptop.get(reverse("home"))
    with CaptureQueriesContext(connection) as captured:
        laptop.get(reverse("idea-list"))
    assert captured.captured_queries
    assert not [q for q in captured.captured_queries if "accounts_loginsession" in q["sql"]]


def test_a_session_from_before_the_list_is_recorded_on_its_next_request(laptop):
    session_of(laptop).delete()
    session = laptop.session
    del session[SEEN_AT]
    session.save()
    assert is_logged_in(laptop)
    assert session_of(laptop).device == "Firefox 128 on Linux"


def test_logging_out_forgets_the_session(laptop, phone):
    laptop.post(reverse("logout"))
    assert LoginSession.objects.count() == 1
    assert session_of(phone)


# ---- ending one ----


def test_ending_another_session_logs_it_out(laptop, phone):
    target = session_of(phone)
    response = laptop.post(reverse("account-session-end", args=[target.pk]), follow=True)
    assert response.redirect_chain == [(reverse("account-settings"), 302)]
    assert "That session is logged out." in response.content.decode()
    assert not LoginSession.objects.filter(pk=target.pk).exists()
    assert not is_logged_in(phone)
    assert is_logged_in(laptop)
    assert [
        s.is_current for s in laptop.get(reverse("account-settings")).context["login_sessions"]
    ] == [True]


def test_ending_this_session_from_its_own_url_logs_out(laptop):
    response = laptop.post(reverse("account-session-end", args=[session_of(laptop).pk]))
    assert response.status_code == 302
    assert not is_logged_in(laptop)
    assert not LoginSession.objects.exists()


def test_another_members_session_is_a_404(laptop, bob):
    target = session_of(laptop)
    intruder = Client()
    intruder.force_login(bob)
    assert intruder.post(reverse("account-session-end", args=[target.pk])).status_code == 404
    api = APIClient()
    api.force_login(bob)
    response = api.delete(reverse("api-user-session-detail", args=[target.pk]))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert is_logged_in(laptop)


def test_ending_a_session_is_a_post_for_a_member(laptop, client):
    target = reverse("account-session-end", args=[session_of(laptop).pk])
    assert laptop.get(target).status_code == 405
    assert laptop.get(reverse("account-sessions-end-others")).status_code == 405
    response = client.post(target)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert is_logged_in(laptop)


# ---- log out everywhere ----


def test_log_out_everywhere_ends_the_others_and_keeps_this_one(alice, laptop, phone):
    # Logged in before sessions were recorded: no row says it exists.
    tablet = logged_in("alice", FIREFOX_LINUX, "192.0.2.1")
    session_of(tablet).delete()

    response = laptop.post(reverse("account-sessions-end-others"), follow=True)

    assert response.redirect_chain == [(reverse("account-settings"), 302)]
    assert "You are logged out everywhere else" in response.content.decode()
    assert not is_logged_in(phone)
    assert not is_logged_in(tablet)
    assert is_logged_in(laptop)
    listed = laptop.get(reverse("account-settings")).context["login_sessions"]
    assert [(s.device, s.is_current) for s in listed] == [("Firefox 128 on Linux", True)]
    assert LoginSession.objects.count() == 1
    # The phone's Django session is gone, not merely refused.
    assert Session.objects.count() == 1


def test_log_out_everywhere_revokes_the_api_token(alice, laptop):
    key = Token.objects.create(user=alice).key
    laptop.post(reverse("account-sessions-end-others"))
    assert not Token.objects.filter(user=alice).exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(reverse("api-user-me")).status_code in {401, 403}


def test_the_settings_page_says_log_out_everywhere_revokes_the_token(alice, laptop):
    Token.objects.create(user=alice)
    html = laptop.get(reverse("account-settings")).content.decode()
    assert "or “Log out everywhere” below, revokes it too" in html
    assert "revokes your API token" in html


def test_log_out_everywhere_twice_keeps_this_session(laptop, phone):
    laptop.post(reverse("account-sessions-end-others"))
    laptop.post(reverse("account-sessions-end-others"))
    assert is_logged_in(laptop)
    assert User.objects.get(username="alice").session_epoch == 2


def test_a_new_log_in_after_log_out_everywhere_works(laptop, phone):
    laptop.post(reverse("account-sessions-end-others"))
    again = logged_in("alice", SAFARI_IPHONE, "203.0.113.42")
    assert is_logged_in(again)
    assert len(laptop.get(reverse("account-settings")).context["login_sessions"]) == 2


# ---- a password change ----


def test_changing_the_password_still_logs_out_the_other_sessions(laptop, phone):
    response = laptop.post(
        reverse("account-password"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not is_logged_in(phone)
    assert is_logged_in(laptop)
    listed = laptop.get(reverse("account-settings")).context["login_sessions"]
    assert [s.is_current for s in listed] == [True]


def test_a_password_change_ends_other_sessions_after_log_out_everywhere_too(alice, laptop):
    laptop.post(reverse("account-sessions-end-others"))
    phone = logged_in("alice", SAFARI_IPHONE, "203.0.113.42")
    laptop.post(
        reverse("account-password"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert not is_logged_in(phone)
    assert is_logged_in(laptop)


def test_the_session_hash_is_djangos_until_the_epoch_moves(alice):
    djangos = AbstractBaseUser._get_session_auth_hash(alice)
    assert alice.get_session_auth_hash() == djangos
    alice.session_epoch = 1
    assert alice.get_session_auth_hash() != djangos


# ---- housekeeping ----


def test_the_daily_job_deletes_expired_records(laptop, phone):
    LoginSession.objects.filter(pk=session_of(phone).pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert forget_login_throttles()["login_sessions_deleted"] == 1
    assert forget_login_throttles()["login_sessions_deleted"] == 0  # safe to run twice
    assert list(LoginSession.objects.all()) == [session_of(laptop)]


def test_an_expired_session_is_not_listed(laptop, phone):
    LoginSession.objects.filter(pk=session_of(phone).pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert len(laptop.get(reverse("account-settings")).context["login_sessions"]) == 1


def test_deleting_the_account_deletes_its_sessions_records(alice, laptop, phone):
    laptop.post(reverse("account-delete"), {"password": PASSWORD})
    assert not LoginSession.objects.exists()
    assert not is_logged_in(phone)


def test_a_banned_member_may_end_their_sessions(alice, mo, laptop, phone):
    ban_create(moderator=mo, user=alice, reason="Spam", days=7)
    response = laptop.post(reverse("account-session-end", args=[session_of(phone).pk]))
    assert response.status_code == 302
    assert laptop.post(reverse("account-sessions-end-others")).status_code == 302


# ---- the API ----


def test_the_api_lists_the_sessions_this_one_first(laptop, phone):
    api = APIClient()
    api.cookies = laptop.cookies
    response = api.get(reverse("api-user-session-list"))
    assert response.status_code == 200
    body = response.json()
    assert [(s["device"], s["current"]) for s in body] == [
        ("Firefox 128 on Linux", True),
        ("Safari 17 on iOS", False),
    ]
    assert set(body[0]) == {"id", "device", "network", "created_at", "last_seen_at", "current"}


def test_with_a_token_no_session_is_current(alice, laptop):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    body = api.get(reverse("api-user-session-list")).json()
    assert [s["current"] for s in body] == [False]


def test_the_api_ends_a_session(alice, laptop, phone):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    response = api.delete(reverse("api-user-session-detail", args=[session_of(phone).pk]))
    assert response.status_code == 204
    assert not is_logged_in(phone)
    assert is_logged_in(laptop)


def test_the_api_refuses_a_visitor(laptop):
    response = APIClient().get(reverse("api-user-session-list"))
    assert response.status_code in {401, 403}
    assert set(response.json()) >= {"detail", "code"}
