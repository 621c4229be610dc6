"""Password reset by email (web.accounts.recovery): the same answer for any address, a link
that works once within PASSWORD_RESET_TIMEOUT, and what a reset does to the account."""

import datetime as dt
import re
import smtplib
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.cache import SessionStore
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from accounts import recovery
from accounts.models import User
from accounts.recovery import password_reset_tokens
from accounts.services import user_anonymise
from moderation.bans import ban_create
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from web.accounts import recovery as views

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"
NEW_PASSWORD = "a-brand-new-passphrase-7"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
LINK = re.compile(r"https?://\S+/accounts/password/reset/[^/\s]+/[^/\s]+/")


def without_csrf(response) -> str:
    return CSRF.sub("", response.content.decode())


def ask(client: Client, email: str):
    return client.post(RESET, {"email": email})


def reset_link(message) -> str:
    """The path of the reset link in an email's text, checked to be in its HTML too."""
    found = LINK.search(message.body)
    assert found, message.body
    html = message.alternatives[0][0]
    assert found.group(0) in html
    return urlsplit(found.group(0)).path


def reset_with(client: Client, path: str, password: str = NEW_PASSWORD):
    response = client.get(path)
    assert response.status_code == 302
    form_url = response.url
    assert form_url.endswith("/set-password/")
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_urls_are_where_the_issue_says():
    assert reverse("password-reset") == RESET
    assert reverse("password-reset-sent") == "/accounts/password/reset/sent/"
    assert reverse("password-reset-done") == "/accounts/password/reset/done/"
    confirm = reverse("password-reset-confirm", kwargs={"uidb64": "MQ", "token": "abc-def"})
    assert confirm == "/accounts/password/reset/MQ/abc-def/"


def test_the_login_page_links_to_the_reset_and_the_sign_in_link(client):
    html = client.get("/accounts/login/?next=/ideas/").content.decode()
    assert f'href="{RESET}"' in html
    assert ">Forgot your password?<" in html
    assert 'href="/accounts/login/link/?next=/ideas/"' in html
    assert ">Email me a sign-in link<" in html


def test_the_form_asks_for_the_email(client):
    response = client.get(RESET)
    assert response.status_code == 200
    html = response.content.decode()
    assert ">Email<" in html
    assert ">Email me a reset link<" in html


def test_the_answer_is_the_same_whether_or_not_an_account_uses_the_address(alice):
    known, unknown = Client(), Client()
    answers = [ask(known, "alice@example.com"), ask(unknown, "nobody@example.com")]
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0].url == answers[1].url == "/accounts/password/reset/sent/"
    assert answers[0].content == answers[1].content
    pages = [known.get(answers[0].url), unknown.get(answers[1].url)]
    assert [p.status_code for p in pages] == [200, 200]
    assert without_csrf(pages[0]) == without_csrf(pages[1])
    assert "If an account uses that address" in without_csrf(pages[0])
    assert len(mail.outbox) == 1


def test_the_email_leaves_after_the_answer_is_written(alice):
    """The view returns before anything is sent: the WSGI server's close() sends it, so the
    answer takes as long for an address with an account as for one without."""
    request = RequestFactory().post(RESET, {"email": "alice@example.com"})
    request.user, request.session, request._dont_enforce_csrf_checks = (
        AnonymousUser(),
        SessionStore(),
        True,
    )
    response = views.password_reset(request)
    assert response.status_code == 302
    assert mail.outbox == []
    response.close()
    assert len(mail.outbox) == 1


def test_the_email_names_the_site_and_its_link_sets_a_new_password(client, alice):
    Token.objects.create(user=alice)
    ask(client, "ALICE@example.com")  # case aside
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "IdeaStorm" in message.subject
    assert "alice" in message.body
    response = reset_with(client, reset_link(message))
    assert response.status_code == 302
    assert response.url == "/accounts/password/reset/done/"
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    # Logged in at once, as alice, and told so.
    assert client.session["_auth_user_id"] == str(alice.pk)
    done = client.get(response.url).content.decode()
    assert "Your password is set" in done and "alice" in done
    # The API token went with the old password.
    assert not Token.objects.filter(user=alice).exists()
    fresh = Client()
    assert fresh.login(username="alice", password=NEW_PASSWORD)


def test_a_reset_ends_the_other_sessions(client, alice):
    elsewhere = Client()
    elsewhere.force_login(alice)
    assert elsewhere.get("/accounts/settings/").status_code == 200
    ask(client, "alice@example.com")
    reset_with(client, reset_link(mail.outbox[0]))
    assert elsewhere.get("/accounts/settings/").status_code == 302
    assert client.get("/accounts/settings/").status_code == 200


def test_the_link_works_once(client, alice):
    ask(client, "alice@example.com")
    path = reset_link(mail.outbox[0])
    reset_with(client, path)
    again = Client().get(path)
    assert again.status_code == 200
    html = again.content.decode()
    assert "This link doesn't work" in html
    assert f'href="{RESET}"' in html  # a way to ask for a new one
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_an_expired_link_says_so_and_offers_a_new_one(client, alice, monkeypatch, settings):
    ask(client, "alice@example.com")
    path = reset_link(mail.outbox[0])
    later = dt.datetime.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 5)
    monkeypatch.setattr(password_reset_tokens, "_now", lambda: later)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "has expired (links work for 60 minutes)" in html
    assert f'href="{RESET}"' in html
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_a_link_within_its_hour_still_works(client, alice, monkeypatch, settings):
    ask(client, "alice@example.com")
    path = reset_link(mail.outbox[0])
    later = dt.datetime.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 60)
    monkeypatch.setattr(password_reset_tokens, "_now", lambda: later)
    assert reset_with(client, path).status_code == 302


@pytest.mark.parametrize("part", ["uidb64", "token"])
def test_a_tampered_link_says_so(client, alice, bob, part):
    ask(client, "alice@example.com")
    uidb64, token = reset_link(mail.outbox[0]).removeprefix(RESET).strip("/").split("/")
    if part == "uidb64":  # alice's token on bob's account
        uidb64 = urlsafe_base64_encode(str(bob.pk).encode())
    else:
        token = token[:-1] + ("a" if token[-1] != "a" else "b")
    response = client.get(f"{RESET}{uidb64}/{token}/")
    assert response.status_code == 200
    assert "This link doesn't work" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_token_stays_out_of_the_address_bar_and_the_referer(client, alice):
    ask(client, "alice@example.com")
    path = reset_link(mail.outbox[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    response = client.get(path)
    assert token not in response.url
    assert response["Referrer-Policy"] == "strict-origin"
    form = client.get(response.url)
    assert form.status_code == 200
    assert form["Referrer-Policy"] == "strict-origin"
    assert "no-cache" in form["Cache-Control"] or "no-store" in form["Cache-Control"]
    assert token not in form.content.decode()


def test_the_new_password_is_checked(client, alice):
    ask(client, "alice@example.com")
    response = client.get(reset_link(mail.outbox[0]))
    bad = client.post(response.url, {"new_password1": "123", "new_password2": "123"})
    assert bad.status_code == 200
    assert bad.context["form"].errors
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_a_reset_verifies_the_address(client, alice):
    User.objects.filter(pk=alice.pk).update(email_verified_at=None)
    ask(client, "alice@example.com")
    reset_with(client, reset_link(mail.outbox[0]))
    alice.refresh_from_db()
    assert alice.email_verified


def test_an_address_verified_by_another_account_stays_theirs(client):
    owner = UserFactory(username="owner", email="shared@example.com")
    other = UserFactory(username="other", email="Shared@example.com", email_verified_at=None)
    ask(client, "shared@example.com")
    # Each account using the address gets its own link.
    assert sorted(m.body.split(",")[0] for m in mail.outbox) == ["Hello other", "Hello owner"]
    [message] = [m for m in mail.outbox if m.body.startswith("Hello other")]
    assert reset_with(client, reset_link(message)).status_code == 302
    other.refresh_from_db()
    owner.refresh_from_db()
    assert other.check_password(NEW_PASSWORD)
    assert not other.email_verified
    assert owner.email_verified


def test_an_account_without_a_password_gets_a_sign_in_link_instead(client):
    sso = UserFactory(username="sso-member", email="sso@example.com")
    sso.set_unusable_password()
    sso.save(update_fields=["password"])
    ask(client, "sso@example.com")
    [message] = mail.outbox
    assert "/accounts/login/link/" in message.body
    assert "/accounts/password/reset/" not in message.body
    assert "sign-in link" in message.subject
    assert "has no password" in message.body


def test_no_email_for_accounts_that_cannot_be_recovered(client, alice):
    unverified = UserFactory(username="nopass", email="nopass@example.com", email_verified_at=None)
    unverified.set_unusable_password()
    unverified.save(update_fields=["password"])
    UserFactory(username="gone", email="gone@example.com", is_active=False)
    customer = UserFactory(
        username="customer", email="customer@example.com", email_verified_at=None
    )
    User.objects.filter(pk=customer.pk).update(recorded_customer=True)
    deleted = UserFactory(username="deleted", email="deleted@example.com")
    user_anonymise(user=deleted)
    for email in ("nopass@example.com", "gone@example.com", "customer@example.com", ""):
        ask(client, email)
    ask(client, "deleted@example.com")
    assert mail.outbox == []


def test_bad_input_is_a_400_with_the_field_message(client, alice):
    response = ask(client, "not-an-address")
    assert response.status_code == 400
    assert response.context["form"].errors["email"]
    assert mail.outbox == []


def test_other_methods_are_refused(client):
    assert client.put(RESET).status_code == 405
    assert client.post("/accounts/password/reset/sent/").status_code == 405


def test_too_many_requests_for_one_address_get_429(client, alice, settings):
    settings.IDEAS_RATE_LIMIT_RATES = {
        **settings.IDEAS_RATE_LIMIT_RATES,
        "email-link-to": (2, 3600),
    }
    assert [ask(Client(), "alice@example.com").status_code for _ in range(2)] == [302, 302]
    refused = ask(Client(), "Alice@Example.com")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "asked for this address" in refused.content.decode()
    # The same for an address with no account: the limit tells nothing.
    for _ in range(2):
        ask(Client(), "nobody@example.com")
    assert ask(Client(), "nobody@example.com").status_code == 429
    assert len(mail.outbox) == 2


def test_too_many_requests_from_one_network_get_429(client, settings):
    settings.IDEAS_RATE_LIMIT_RATES = {
        **settings.IDEAS_RATE_LIMIT_RATES,
        "email-link-ip": (3, 3600),
    }
    statuses = [ask(client, f"person{n}@example.com").status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    # The reset and the sign-in link share it.
    assert client.post("/accounts/login/link/", {"email": "x@example.com"}).status_code == 429


def test_the_limits_fail_open_when_the_cache_is_down(client, alice, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr("core.ratelimit._count", down)
    assert ask(client, "alice@example.com").status_code == 302
    assert len(mail.outbox) == 1


def test_a_failed_send_is_logged_and_the_answer_is_unchanged(client, alice, monkeypatch, caplog):
    def smtp_down(**message):
        raise smtplib.SMTPConnectError(421, "try later")

    monkeypatch.setattr(recovery, "mail_send", smtp_down)
    response = ask(client, "alice@example.com")
    assert response.status_code == 302
    assert response.url == "/accounts/password/reset/sent/"
    assert "Could not send the accounts/email/password_reset email." in caplog.text
    assert "alice@example.com" not in caplog.text


def test_a_banned_member_may_reset_their_password(client, alice, mo):
    ban_create(moderator=mo, user=alice, reason="Spam", days=7)
    client.force_login(alice)
    assert ask(client, "alice@example.com").status_code == 302
    assert reset_with(client, reset_link(mail.outbox[0])).status_code == 302


class TestSingleSignOnOnly:
    @pytest.fixture(autouse=True)
    def _sso_only(self, settings):
        settings.IDEASTORM_SSO_ONLY = True

    def test_the_page_says_members_use_single_sign_on(self, client):
        html = client.get(RESET).content.decode()
        assert "log in with single sign-on" in html
        assert 'href="/accounts/login/"' in html

    def test_the_login_page_shows_no_recovery_links(self, client):
        html = client.get("/accounts/login/").content.decode()
        assert "Forgot your password?" not in html
        assert "Email me a sign-in link" not in html

    def test_members_get_nothing_and_staff_still_can_reset(self, client, alice):
        UserFactory(username="admin", email="admin@example.com", is_staff=True)
        first = ask(client, "alice@example.com")
        second = ask(Client(), "admin@example.com")
        assert first.status_code == second.status_code == 302
        [message] = mail.outbox
        assert message.to == ["admin@example.com"]
        assert reset_with(client, reset_link(message)).status_code == 302

    def test_a_members_link_sent_before_the_switch_no_longer_works(self, client, alice, settings):
        settings.IDEASTORM_SSO_ONLY = False
        ask(client, "alice@example.com")
        path = reset_link(mail.outbox[0])
        settings.IDEASTORM_SSO_ONLY = True
        assert "This link doesn't work" in client.get(path).content.decode()
