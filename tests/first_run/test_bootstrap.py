"""`manage.py bootstrap EMAIL`: the first administrator, with a one-time sign-in link instead of
a password typed anywhere."""

import re
import time
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import User
from accounts.recovery import LOGIN_LINK_MINUTES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"(\S+/accounts/login/link/[^/\s]+/)")


def bootstrap(email: str) -> tuple[str, str]:
    out = StringIO()
    call_command("bootstrap", email, stdout=out)
    text = out.getvalue()
    found = LINK.search(text)
    assert found, text
    return text, found.group(1)


def test_creates_a_superuser_and_prints_an_absolute_link(settings):
    settings.IDEASTORM_SITE_URL = "https://ideas.example.org"
    text, link = bootstrap("Ada@Example.COM")
    user = User.objects.get()
    assert (user.is_superuser, user.is_staff, user.is_active) == (True, True, True)
    assert user.email == "Ada@example.com" and user.email_verified
    assert not user.has_usable_password()
    assert "Created the superuser" in text
    assert link.startswith("https://ideas.example.org/accounts/login/link/")


def test_the_link_logs_in_once(client):
    _, link = bootstrap("ada@example.com")
    path = urlsplit(link).path
    assert "Log in" in client.get(path).content.decode()
    response = client.post(path)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)

    again = Client().post(path)
    assert again.status_code == 400
    assert "used already" in again.content.decode()


def test_is_idempotent_for_the_same_email(client):
    bootstrap("ada@example.com")
    text, link = bootstrap("ADA@example.com")
    assert User.objects.count() == 1
    assert "Found the superuser" in text
    assert client.post(urlsplit(link).path).status_code == 302


def test_the_link_expires(client, monkeypatch):
    made = int(time.time()) - LOGIN_LINK_MINUTES * 60 - 1
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(made))
    _, link = bootstrap("ada@example.com")
    monkeypatch.undo()
    response = client.post(urlsplit(link).path)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("email", ["", "not-an-address", "ada@", "two@@example.com"])
def test_a_bad_email_is_a_clear_error(email):
    with pytest.raises(CommandError, match="is not an email address"):
        call_command("bootstrap", email)
    assert not User.objects.exists()


def test_refuses_a_member_who_is_not_a_superuser():
    UserFactory(username="ada", email="ada@example.com")
    with pytest.raises(CommandError, match="not a superuser"):
        call_command("bootstrap", "ada@example.com")
    assert not User.objects.filter(is_superuser=True).exists()


def test_refuses_a_demo_account():
    UserFactory(username="admin", email="admin@example.com", is_superuser=True, is_demo=True)
    with pytest.raises(CommandError, match="demo account"):
        call_command("bootstrap", "admin@example.com")
