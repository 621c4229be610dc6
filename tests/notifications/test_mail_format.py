"""Notification emails that mail providers accept: text and HTML parts, the headers of
Gmail's and Yahoo's bulk-sender rules (one-click List-Unsubscribe, Message-ID, Date, a named
sender), only verified addresses; and the signed page their footer links to, which works
without a session."""

import email
import email.policy
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from actions.ideas import idea_status_set
from notifications import emails
from notifications.models import Notification
from notifications.services import follow_set
from notifications.unsubscribe import email_token, email_token_user, unsubscribe_url
from tests.factories import IdeaFactory, NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture(autouse=True)
def site(settings):
    settings.IDEASTORM_SITE_URL = "https://ideas.example.com"
    settings.IDEASTORM_SITE_NAME = "Acme Ideas"
    settings.IDEASTORM_REPLY_TO = "help@example.com"
    settings.DEFAULT_FROM_EMAIL = "noreply@example.com"


@pytest.fixture
def idea():
    return IdeaFactory(
        title="Offline mode", author=UserFactory(username="author", email_frequency="never")
    )


def follower(username: str, idea, frequency: str = "each", **fields) -> User:
    user = UserFactory(username=username, email_frequency=frequency, **fields)
    follow_set(user=user, idea=idea, following=True)
    return user


def parsed(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def header(message, name: str) -> str:
    # A header longer than 78 characters is folded after its colon ("Name:\n <value>"), and
    # Python's parser keeps the folding space: strip it.
    return str(message[name]).strip()


def sent_to(address: str) -> list:
    return [parsed(m) for m in mail.outbox if m.to == [address]]


def one_click(url: str):
    # A mail provider's POST: no cookie, no session, no CSRF token (RFC 8058).
    client = Client(enforce_csrf_checks=True)
    return client.post(
        urlsplit(url).path, ONE_CLICK, content_type="application/x-www-form-urlencoded"
    )


def test_a_notification_email_has_both_parts_the_headers_and_a_working_one_click_link(idea, pat):
    erin = follower("erin", idea)
    follower("ed", idea)
    idea_status_set(idea=idea, actor=pat, status="planned")
    assert emails.emails_send_each() == 2
    message, other = parsed(mail.outbox[0]), parsed(mail.outbox[1])
    if message["To"] != "erin@example.com":
        message, other = other, message

    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    url = unsubscribe_url(erin)
    assert url.startswith("https://ideas.example.com/email/unsubscribe/")
    assert email_token_user(urlsplit(url).path.split("/")[-2]) == erin
    for part in (text, html):
        assert "Offline mode" in part
        assert url in part
        assert "https://ideas.example.com" + idea.get_absolute_url() in part
    assert "Manage or stop these emails" in html
    assert "<img" not in html and "<style" not in html and "<link" not in html

    assert header(message, "List-Unsubscribe") == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].endswith("@ideas.example.com>")
    assert message["Message-ID"] != other["Message-ID"]
    assert other["List-Unsubscribe"] != message["List-Unsubscribe"]
    assert message["Date"] is not None and message["Date"].datetime is not None
    assert message["From"].addresses[0].display_name == "Acme Ideas"
    assert message["From"].addresses[0].addr_spec == "noreply@example.com"
    assert message["Reply-To"] == "help@example.com"
    assert header(message, "Subject") == "[Acme Ideas] “Offline mode” is now Planned."

    response = one_click(url)
    assert response.status_code in (200, 204)
    assert "sessionid" not in response.cookies
    erin.refresh_from_db()
    assert erin.email_frequency == User.EmailFrequency.NEVER
    assert one_click(url).status_code in (200, 204)  # a provider may send it twice

    mail.outbox.clear()
    idea_status_set(idea=idea, actor=pat, status="in-progress")
    assert emails.emails_send_each() == 1
    assert sent_to("erin@example.com") == []
    assert len(sent_to("ed@example.com")) == 1


def test_the_digest_has_both_parts_each_update_and_the_manage_link(idea, pat):
    dora = follower("dora", idea, frequency="daily")
    idea_status_set(idea=idea, actor=pat, status="planned")
    idea_status_set(idea=idea, actor=pat, status="in-progress", response="Started.")
    assert emails.emails_send_digests() == 1
    (message,) = sent_to("dora@example.com")
    url = unsubscribe_url(dora)
    assert header(message, "List-Unsubscribe") == f"<{url}>"
    assert header(message, "Subject") == "[Acme Ideas] 2 updates on ideas you follow"
    for part in (message.get_body(("plain",)), message.get_body(("html",))):
        content = part.get_content()
        assert "is now Planned." in content and "is now In progress" in content
        assert "Offline mode" in content and url in content


def test_an_unverified_member_gets_no_notification_email(idea, pat):
    follower("una", idea, email_verified_at=None)
    follower("dan", idea, frequency="daily", email_verified_at=None)
    idea_status_set(idea=idea, actor=pat, status="planned")
    assert emails.emails_send_each() == 0
    assert emails.emails_send_digests() == 0
    assert mail.outbox == []
    assert Notification.objects.filter(recipient__username="una").exists()


def test_a_title_with_line_breaks_gives_a_one_line_subject_and_no_extra_header(pat):
    idea = IdeaFactory(title="Two\r\nBcc: victim@example.com", author=pat)
    follower("erin", idea)
    idea_status_set(idea=idea, actor=UserFactory(username="other-pm"), status="planned")
    emails.emails_send_each()
    (message,) = sent_to("erin@example.com")
    subject = "[Acme Ideas] “Two Bcc: victim@example.com” is now Planned."
    assert header(message, "Subject") == subject
    assert message["Bcc"] is None


def test_the_manage_page_shows_the_choice_and_changes_it_without_a_session(alice):
    client = Client(enforce_csrf_checks=True)
    path = reverse("email-unsubscribe", args=[email_token(alice)])
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("Each event", "A daily digest", "Never"):
        assert f">{label}</label>" in html
    assert re.search(r'<input type="radio"[^>]*value="each"[^>]*checked', html)
    assert 'name="robots" content="noindex"' in html
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "no-referrer"

    response = client.post(path, {"email_frequency": "daily"})
    assert response.status_code == 302 and response["Location"] == path
    alice.refresh_from_db()
    assert alice.email_frequency == User.EmailFrequency.DAILY
    after = client.get(path).content.decode()
    assert "You will get one email a day" in after

    client.post(path, {"email_frequency": "never"})
    alice.refresh_from_db()
    assert alice.email_frequency == User.EmailFrequency.NEVER
    assert "You will get no more emails" in client.get(path).content.decode()


def test_the_manage_page_refuses_an_unknown_choice(alice):
    path = reverse("email-unsubscribe", args=[email_token(alice)])
    response = Client().post(path, {"email_frequency": "hourly"})
    assert response.status_code == 400
    assert 'class="errors"' in response.content.decode()
    alice.refresh_from_db()
    assert alice.email_frequency == User.EmailFrequency.EACH


def test_the_manage_page_takes_only_get_and_post(alice):
    path = reverse("email-unsubscribe", args=[email_token(alice)])
    assert Client().put(path).status_code == 405
    assert Client().delete(path).status_code == 405


def test_switching_email_back_on_from_the_page_does_not_send_the_backlog(alice):
    User.objects.filter(pk=alice.pk).update(email_frequency="never")
    NotificationFactory(recipient=alice)
    path = reverse("email-unsubscribe", args=[email_token(alice)])
    Client().post(path, {"email_frequency": "each"})
    assert emails.emails_send_each() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "9" + token,
        lambda token: token.split(":")[0],
        lambda token: "not-a-token",
        lambda token: "99999999999999999999999:abc",
        lambda token: "١٢:abc",
    ],
)
def test_a_tampered_token_says_so_and_offers_to_log_in(alice, mangle):
    path = reverse("email-unsubscribe", args=[mangle(email_token(alice))])
    page = Client().get(path)
    assert page.status_code == 400
    html = page.content.decode()
    assert "This link does not work" in html
    assert reverse("login") + "?next=" in html
    assert one_click(path).status_code == 400
    assert Client().post(path, {"email_frequency": "never"}).status_code == 400
    alice.refresh_from_db()
    assert alice.email_frequency == User.EmailFrequency.EACH


def test_a_logged_in_member_with_a_bad_link_is_sent_to_settings(alice_client):
    page = alice_client.get(reverse("email-unsubscribe", args=["1:nonsense"]))
    assert page.status_code == 400
    assert reverse("account-settings") in page.content.decode()


def test_a_token_stops_working_once_the_email_changes(alice):
    url = unsubscribe_url(alice)
    User.objects.filter(pk=alice.pk).update(email="alice@new.example.com")
    assert Client().get(urlsplit(url).path).status_code == 400
    assert one_click(url).status_code == 400
    alice.refresh_from_db()
    assert alice.email_frequency == User.EmailFrequency.EACH
    assert email_token_user(email_token(alice)) == alice  # the new address's link works


def test_a_deleted_account_s_token_is_refused(alice):
    token = email_token(alice)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert email_token_user(token) is None
    assert Client().get(reverse("email-unsubscribe", args=[token])).status_code == 400
