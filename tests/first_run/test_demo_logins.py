"""The demo accounts' password is public (demo/data/cast.json): it logs in on the page, the
API's token and the admin only in demo mode (IDEASTORM_DEMO) or with DEBUG on."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from demo import content
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = content.DEMO_PASSWORD


def member(username: str, password: str, **fields) -> User:
    user = UserFactory(username=username, **fields)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def demo_alice(db):
    return member("alice", DEMO_PASSWORD, is_demo=True)


def log_in(client, password=DEMO_PASSWORD):
    return client.post(reverse("login"), {"username": "alice", "password": password})


def token(password=DEMO_PASSWORD):
    return APIClient().post(
        "/api/auth/token/", {"username": "alice", "password": password}, format="json"
    )


def test_demo_password_is_refused_outside_demo_mode(client, demo_alice, settings):
    settings.IDEASTORM_DEMO, settings.DEBUG = False, False
    page = log_in(client)
    assert page.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "work only while the board runs in demo mode" in page.content.decode()
    api = token()
    assert api.status_code == 400
    assert "demo mode" in str(api.json())


def test_demo_password_logs_in_in_demo_mode(client, demo_alice, settings):
    settings.IDEASTORM_DEMO, settings.DEBUG = True, False
    assert log_in(client).status_code == 302
    assert client.session["_auth_user_id"] == str(demo_alice.pk)
    assert "token" in token().json()


def test_demo_password_logs_in_with_debug_on(demo_alice, settings):
    settings.IDEASTORM_DEMO, settings.DEBUG = False, True
    assert "token" in token().json()


def test_a_wrong_password_says_nothing_about_demo_mode(client, demo_alice, settings):
    settings.IDEASTORM_DEMO, settings.DEBUG = False, False
    page = log_in(client, password="not-the-password")
    assert "demo mode" not in page.content.decode()


def test_members_log_in_outside_demo_mode(client, settings):
    settings.IDEASTORM_DEMO, settings.DEBUG = False, False
    member("alice", DEMO_PASSWORD)  # the same words, not a demo account
    assert log_in(client).status_code == 302


def test_seed_demo_marks_its_accounts(settings):
    from django.core.management import call_command

    call_command("seed_demo", users=12, ideas=5, votes=10, verbosity=0)
    assert not User.objects.filter(is_demo=False).exists()
    settings.IDEASTORM_DEMO, settings.DEBUG = False, False
    assert token().status_code == 400


def test_migration_marks_accounts_of_boards_seeded_before():
    shared = make_password(DEMO_PASSWORD)
    seeded = [UserFactory(username=name) for name in ("alice", "bob", "carol")]
    User.objects.filter(pk__in=[u.pk for u in seeded]).update(password=shared)
    own = member("dana", DEMO_PASSWORD)  # her own salt
    other = make_password("something else")
    twins = [UserFactory(username=name) for name in ("eve", "finn")]
    User.objects.filter(pk__in=[u.pk for u in twins]).update(password=other)
    migration = importlib.import_module("accounts.migrations.0011_user_is_demo")

    migration.mark_demo_accounts(apps, None)

    assert set(User.objects.filter(is_demo=True).values_list("username", flat=True)) == {
        "alice",
        "bob",
        "carol",
    }
    assert not User.objects.get(pk=own.pk).is_demo
