"""Email sign-in links (web.accounts.recovery): the same answer for any address, a link only
to a verified address, valid 15 minutes and once, opened by GET but used only by POST."""

import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from accounts.lockout import LOCKOUT_FAILURES, failure_record
from accounts.models import User
from accounts.recovery import LOGIN_LINK_MINUTES, login_link_token
from accounts.services import user_password_set
from moderation.bans import ban_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ASK = "/accounts/login/link/"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
LINK = re.compile(r"https?://\S+/accounts/login/link/[^/\s]+/")


def without_csrf(response) -> str:
    return CSRF.sub("", response.content.decode())


def ask(client: Client, email: str, next_url: str | None = None):
    data = {"email": email}
    if next_url is not None:
        data["next"] = next_url
    return client.post(ASK, data)


def link_path(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    assert found.group(0) in message.alternatives[0][0]
    return urlsplit(found.group(0)).path


def made_ago(monkeypatch, seconds: int) -> None:
    """Tokens signed from now on carry a timestamp this many seconds in the past."""
    then = int(time.time()) - seconds
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(then))


def test_urls_are_where_the_issue_says():
    assert reverse("login-link") == ASK
    assert reverse("login-link-sent") == "/accounts/login/link/sent/"
    assert reverse("login-link-confirm", args=["abc:def"]) == "/accounts/login/link/abc:def/"


def test_the_form_asks_for_the_email_and_keeps_next(client):
    html = client.get(ASK + "?next=/ideas/").content.decode()
    assert ">Email<" in html
    assert 'name="next" value="/ideas/"' in html
    assert ">Email me a sign-in link<" in html


@pytest.mark.parametrize("other", ["nobody@example.com", "unverified@example.com"])
def test_the_answer_is_the_same_whether_or_not_a_link_is_sent(alice, other):
    UserFactory(username="unverified", email="unverified@example.com", email_verified_at=None)
    known, unknown = Client(), Client()
    answers = [ask(known, "alice@example.com"), ask(unknown, other)]
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0].url == answers[1].url == "/accounts/login/link/sent/"
    pages = [known.get(answers[0].url), unknown.get(answers[1].url)]
    assert [p.status_code for p in pages] == [200, 200]
    assert without_csrf(pages[0]) == without_csrf(pages[1])
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]


def test_the_email_names_the_site_and_opening_the_link_does_not_log_in(client, alice):
    ask(client, "Alice@Example.com")
    [message] = mail.outbox
    assert "IdeaStorm" in message.subject
    assert "15 minutes" in message.body
    path = link_path(message)
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert ">Log in as alice<" in html
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert page["Referrer-Policy"] == "strict-origin"
    assert "_auth_user_id" not in client.session
    # A mail scanner opening it twice spends nothing.
    assert client.get(path).status_code == 200


def test_pressing_the_button_logs_in(client, alice):
    ask(client, "alice@example.com")
    response = client.post(link_path(mail.outbox[0]))
    assert response.status_code == 302
    assert response.url == "/"
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert response["Referrer-Policy"] == "strict-origin"


def test_the_link_works_once(client, alice):
    ask(client, "alice@example.com")
    path = link_path(mail.outbox[0])
    assert client.post(path).status_code == 302
    other = Client()
    again = other.post(path)
    assert again.status_code == 400
    assert "used already" in again.content.decode()
    assert "_auth_user_id" not in other.session
    html = other.get(path).content.decode()
    assert "used already" in html
    assert f'href="{ASK}"' in html  # the way to a new one


def test_the_link_expires_after_15_minutes(client, alice, monkeypatch):
    made_ago(monkeypatch, LOGIN_LINK_MINUTES * 60 + 1)
    ask(client, "alice@example.com")
    path = link_path(mail.outbox[0])
    monkeypatch.undo()
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "has expired: links work for 15 minutes" in html
    assert ">Email me a new link<" in html and f'href="{ASK}"' in html
    assert client.post(path).status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_link_within_its_15_minutes_works(client, alice, monkeypatch):
    made_ago(monkeypatch, LOGIN_LINK_MINUTES * 60 - 30)
    ask(client, "alice@example.com")
    path = link_path(mail.outbox[0])
    monkeypatch.undo()
    assert client.post(path).status_code == 302


def test_a_tampered_link_says_so(client, alice):
    ask(client, "alice@example.com")
    path = link_path(mail.outbox[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, token[:20], "nonsense"):
        response = client.post(reverse("login-link-confirm", args=[bad]))
        assert response.status_code == 400
        assert "copied incompletely" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_next_is_carried_through_the_link(client, alice):
    ask(client, "alice@example.com", next_url="/ideas/?sort=new")
    response = client.post(link_path(mail.outbox[0]))
    assert response.url == "/ideas/?sort=new"


def test_an_unsafe_next_is_refused(client, alice):
    ask(client, "alice@example.com", next_url="https://evil.test/")
    response = client.post(link_path(mail.outbox[0]))
    assert response.url == "/"
    # Even in a link we signed ourselves.
    Client().logout()
    alice.refresh_from_db()
    token = login_link_token(user=alice, next_url="//evil.test/path")
    response = Client().post(reverse("login-link-confirm", args=[token]))
    assert response.status_code == 302
    assert response.url == "/"


def test_an_unverified_address_gets_no_link(client):
    UserFactory(username="carol", email="carol@example.com", email_verified_at=None)
    assert ask(client, "carol@example.com").status_code == 302
    assert mail.outbox == []


def test_a_link_made_before_the_address_lost_its_verification_fails(client, alice):
    token = login_link_token(user=alice)
    User.objects.filter(pk=alice.pk).update(email_verified_at=None)
    assert client.post(reverse("login-link-confirm", args=[token])).status_code == 400


def test_a_password_change_spends_the_link(client, alice):
    ask(client, "alice@example.com")
    path = link_path(mail.outbox[0])
    user_password_set(user=alice, password="yet-another-passphrase-3")
    assert client.post(path).status_code == 400


def test_inactive_and_deleted_accounts_get_no_link(client):
    UserFactory(username="gone", email="gone@example.com", is_active=False)
    ask(client, "gone@example.com")
    assert mail.outbox == []


def test_a_banned_member_may_log_in_with_a_link(client, alice, mo):
    ban_create(moderator=mo, user=alice, reason="Spam", days=7)
    ask(client, "alice@example.com")
    response = client.post(link_path(mail.outbox[0]))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_a_locked_account_may_log_in_with_a_link(client, alice):
    """The lock stops password guessing; a link proves the mailbox instead."""
    for _ in range(LOCKOUT_FAILURES):
        failure_record("alice")
    ask(client, "alice@example.com")
    assert client.post(link_path(mail.outbox[0])).status_code == 302


def test_logged_in_as_someone_else_the_link_switches_accounts(client, alice, bob):
    client.force_login(bob)
    ask(client, "alice@example.com")
    path = link_path(mail.outbox[0])
    html = client.get(path).content.decode()
    assert "You are logged in as bob now" in html
    client.post(path)
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_other_methods_are_refused(client):
    assert client.put(ASK).status_code == 405
    assert client.put(reverse("login-link-confirm", args=["x"])).status_code == 405
    assert client.post("/accounts/login/link/sent/").status_code == 405


def test_bad_input_is_a_400(client):
    response = ask(client, "")
    assert response.status_code == 400
    assert response.context["form"].errors["email"]


def test_too_many_links_for_one_address_get_429(alice, settings):
    settings.IDEAS_RATE_LIMIT_RATES = {
        **settings.IDEAS_RATE_LIMIT_RATES,
        "email-link-to": (1, 3600),
    }
    assert ask(Client(), "alice@example.com").status_code == 302
    # Reset and sign-in link emails count together, per address written to.
    assert (
        Client().post("/accounts/password/reset/", {"email": "alice@example.com"}).status_code
        == 429
    )
    assert ask(Client(), "alice@example.com").status_code == 429
    assert len(mail.outbox) == 1


class TestSingleSignOnOnly:
    @pytest.fixture(autouse=True)
    def _sso_only(self, settings):
        settings.IDEASTORM_SSO_ONLY = True

    def test_the_page_says_members_use_single_sign_on(self, client):
        html = client.get(ASK).content.decode()
        assert "log in with single sign-on" in html
        assert 'href="/accounts/login/"' in html

    def test_members_get_no_link_and_staff_do(self, client, alice):
        UserFactory(username="admin", email="admin@example.com", is_staff=True)
        ask(client, "alice@example.com")
        ask(client, "admin@example.com")
        [message] = mail.outbox
        assert message.to == ["admin@example.com"]
        assert client.post(link_path(message)).status_code == 302

    def test_a_members_link_no_longer_works(self, client, alice):
        token = login_link_token(user=alice)
        assert client.post(reverse("login-link-confirm", args=[token])).status_code == 400
        assert "_auth_user_id" not in client.session
