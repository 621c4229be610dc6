"""Verified email: a link at sign-up and on every change; log in with a verified address; the
address a member verifies is theirs alone; nothing tells whether an address has an account."""

import re

import pytest
from django.core import signing
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from accounts.verification import EMAIL_LINK_DAYS, email_link_token
from tests.conftest import PASSWORD
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "username": "newbie",
    "email": "newbie@example.com",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def link_in(mail) -> str:
    return re.search(r"/accounts/email/confirm/[^/\s]+/", mail.body).group()


@pytest.fixture
def signed_up(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("signup"), SIGN_UP, follow=True)
    assert "We sent a link to newbie@example.com" in response.content.decode()
    return User.objects.get(username="newbie")


def test_sign_up_sends_a_link_in_both_parts_and_leaves_the_address_unverified(
    signed_up, mailoutbox
):
    [mail] = mailoutbox
    assert mail.to == ["newbie@example.com"] and "Confirm" in mail.subject
    assert link_in(mail) in mail.alternatives[0][0]
    assert signed_up.email_verified_at is None


def test_the_link_shows_a_button_and_only_the_post_verifies(client, signed_up, mailoutbox):
    link = link_in(mailoutbox[0])
    page = client.get(link)
    assert page.status_code == 200 and "Confirm my email address" in page.content.decode()
    signed_up.refresh_from_db()
    assert signed_up.email_verified_at is None  # a mail scanner opening it confirms nothing
    response = client.post(link, follow=True)
    assert "is confirmed" in response.content.decode()
    signed_up.refresh_from_db()
    assert signed_up.email_verified


def test_a_used_link_says_so(client, signed_up, mailoutbox):
    link = link_in(mailoutbox[0])
    client.post(link)
    again = client.post(link)
    assert again.status_code == 400 and "already used" in again.content.decode()


def test_an_expired_or_altered_link_says_so_and_offers_a_new_one(client, signed_up, settings):
    token = email_link_token(user=signed_up, email=signed_up.email)
    altered = client.get(reverse("email-confirm", args=[token[:-3] + "abc"]))
    assert altered.status_code == 400 and "not valid" in altered.content.decode()
    old = signing.TimestampSigner(salt="ideastorm.accounts.email-link")
    stamp = signing.b62_encode(int(__import__("time").time()) - EMAIL_LINK_DAYS * 86400 - 60)
    # A token signed long ago: rebuild one with an old timestamp.
    value = token.rsplit(":", 2)[0]
    expired = value + ":" + stamp
    expired = expired + ":" + old.signature(expired)
    page = client.get(reverse("email-confirm", args=[expired]))
    html = page.content.decode()
    assert page.status_code == 400 and "expired" in html and "Get a new link" in html


def test_send_again_is_rate_limited_per_member(client, signed_up, settings):
    settings.IDEAS_RATE_LIMIT_RATES = {**settings.IDEAS_RATE_LIMIT_RATES, "email-link": (2, 3600)}
    client.force_login(signed_up)
    url = reverse("email-verify-send")
    assert [client.post(url).status_code for _ in range(3)] == [302, 302, 429]


def test_signing_up_with_a_members_address_is_answered_alike_and_tells_its_owner(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("signup"), {**SIGN_UP, "email": "ALICE@example.com"}, follow=True
        )
    assert (
        response.status_code == 200
        and "We sent a link to ALICE@example.com" in response.content.decode()
    )
    [mail] = mailoutbox
    assert "already belongs to one" in mail.body and "/accounts/email/confirm/" not in mail.body


def test_a_verified_address_belongs_to_one_account(client, alice, mailoutbox):
    squatter = UserFactory(username="squatter", email="carol@example.com", email_verified_at=None)
    carol = UserFactory(username="carol", email="carol@example.com", email_verified_at=None)
    client.post(reverse("email-confirm", args=[email_link_token(user=carol, email=carol.email)]))
    taken = client.post(
        reverse("email-confirm", args=[email_link_token(user=squatter, email=squatter.email)])
    )
    assert (
        taken.status_code == 400 and "already belongs to another account" in taken.content.decode()
    )
    squatter.refresh_from_db()
    assert squatter.email_verified_at is None


def test_an_email_change_takes_effect_when_confirmed_and_tells_the_old_address(
    alice_client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    data = {"email": "alice@new.example", "auto_follow": "on", "email_frequency": "each"}
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("account-settings"), data)
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    [link_mail] = mailoutbox
    assert link_mail.to == ["alice@new.example"]
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(link_in(link_mail), follow=True)
    assert response.redirect_chain[-1][0] == reverse("account-settings")
    alice.refresh_from_db()
    assert alice.email == "alice@new.example" and alice.email_verified
    notice = mailoutbox[-1]
    assert notice.to == ["alice@example.com"] and "alice@new.example" in notice.body
    # The change link is spent once the address moved.
    assert alice_client.post(link_in(link_mail)).status_code == 400


def test_an_unverified_address_is_replaced_at_once_and_the_new_one_gets_the_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    typo = UserFactory(username="typo", email="typo@exmaple.com", email_verified_at=None)
    client.force_login(typo)
    data = {"email": "typo@example.com", "auto_follow": "on", "email_frequency": "each"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account-settings"), data)
    typo.refresh_from_db()
    assert typo.email == "typo@example.com" and typo.email_verified_at is None
    assert [m.to for m in mailoutbox] == [["typo@example.com"]]


def test_log_in_with_a_verified_email_on_the_page_and_the_api(client, alice):
    response = client.post(
        reverse("login"), {"username": "Alice@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 302 and client.session.get("_auth_user_id") == str(alice.pk)
    api = APIClient().post(
        "/api/auth/token/", {"username": "alice@example.com", "password": PASSWORD}
    )
    assert api.status_code == 200 and "token" in api.json()


def test_an_unverified_email_does_not_log_in(client):
    UserFactory(username="dave", email="dave@example.com", email_verified_at=None)
    response = client.post(reverse("login"), {"username": "dave@example.com", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_unverified_members_may_vote_and_post_unless_the_site_requires_it(client, settings):
    category = CategoryFactory()
    dave = UserFactory(username="dave", email="dave@example.com", email_verified_at=None)
    client.force_login(dave)
    new = {
        "title": "Dark mode for the dashboard",
        "description": "Easier on the eyes at night.",
        "category": category.slug,
    }
    assert client.post(reverse("idea-new"), new).status_code == 302
    settings.IDEAS_REQUIRE_VERIFIED_EMAIL = True
    refused = client.post(reverse("idea-new"), {**new, "title": "Another idea entirely"})
    assert refused.status_code == 403 and "Confirm your email address" in refused.content.decode()


def test_the_api_says_whether_the_address_is_confirmed(alice):
    api = APIClient()
    api.force_authenticate(alice)
    assert api.get("/api/users/me/").json()["email_verified"] is True


# ---- found in review ---------------------------------------------------------------------


def test_a_change_link_dies_with_a_password_reset(client, alice):
    # Someone who held alice's session for a moment asked to move her address to theirs.
    token = email_link_token(user=alice, email="evil@attacker.test", replaces=alice.email)
    alice.set_password("a-brand-new-passphrase-7")
    alice.save()
    response = client.post(reverse("email-confirm", args=[token]))
    assert response.status_code == 400 and "already used" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_a_change_link_dies_with_log_out_everywhere(client, alice):
    token = email_link_token(user=alice, email="evil@attacker.test", replaces=alice.email)
    User.objects.filter(pk=alice.pk).update(session_epoch=alice.session_epoch + 1)
    assert client.post(reverse("email-confirm", args=[token])).status_code == 400
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_asking_for_new_addresses_is_rate_limited(alice_client, alice, settings, mailoutbox):
    settings.IDEAS_RATE_LIMIT_RATES = {**settings.IDEAS_RATE_LIMIT_RATES, "email-link": (2, 3600)}
    codes = [
        alice_client.post(
            reverse("account-settings"),
            {"email": f"target{n}@example.net", "auto_follow": "on", "email_frequency": "each"},
        ).status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]
    api = APIClient()
    api.force_authenticate(alice)
    assert api.patch("/api/users/me/", {"email": "t@example.net"}, format="json").status_code == 429


def test_a_username_spelled_like_an_address_does_not_take_its_log_in(client, alice):
    UserFactory(username="alice@example.com", email="mallory@example.com")
    response = client.post(
        reverse("login"), {"username": "alice@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(alice.pk)
