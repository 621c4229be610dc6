"""Single sign-on on the site's own pages: the buttons, the identities in Settings and unlinking
them (never the last way in), the SSO-only mode, account deletion. No provider runs here: the
site is configured with one (and the presets), which is all these pages read."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from accounts.models import User
from actions.accounts import account_delete
from ideastorm.settings import sso_provider_settings
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from web.accounts.sso.adapter import SocialAccountAdapter
from web.accounts.sso.identities import providers

pytestmark = pytest.mark.django_db

ENVIRONMENT = {
    "IDEASTORM_OIDC_ISSUER": "https://idp.example.com",
    "IDEASTORM_OIDC_CLIENT_ID": "ideastorm",
    "IDEASTORM_OIDC_CLIENT_SECRET": "secret",
    "IDEASTORM_OIDC_NAME": "Acme SSO",
    "IDEASTORM_SSO_GITHUB_CLIENT_ID": "gh-id",
    "IDEASTORM_SSO_GITHUB_CLIENT_SECRET": "gh-secret",
}


@pytest.fixture
def configured(settings):
    settings.SOCIALACCOUNT_PROVIDERS = sso_provider_settings(ENVIRONMENT)


def identity(user, provider="oidc", uid=None, email="work@acme.example"):
    return SocialAccount.objects.create(
        user=user,
        provider=provider,
        uid=uid or f"{user.username}-{provider}",
        extra_data={"userinfo": {"sub": "x", "email": email}},
    )


def passwordless(**fields):
    user = UserFactory(**fields)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


# ---- the buttons ----------------------------------------------------------------------


def test_the_log_in_page_offers_each_provider_as_a_post_form_keeping_next(client, configured):
    response = client.get("/accounts/login/?next=/ideas/new/")
    text = response.content.decode()

    assert 'action="/accounts/sso/oidc/login/"' in text
    assert 'action="/accounts/sso/github/login/"' in text
    assert "Log in with Acme SSO" in text and "Log in with GitHub" in text
    assert text.count('name="next" value="/ideas/new/"') >= 3  # the password form and both


def test_the_sign_up_page_offers_them_too(client, configured):
    text = client.get("/accounts/signup/").content.decode()

    assert "Log in with Acme SSO" in text


def test_no_provider_configured_shows_no_single_sign_on(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = sso_provider_settings({})

    assert b"sso-buttons" not in client.get("/accounts/login/").content


def test_listing_the_providers_reads_no_database(rf, configured, django_assert_num_queries):
    with django_assert_num_queries(0):
        listed = providers(rf.get("/"))

    assert [(p.id, p.name) for p in listed] == [("oidc", "Acme SSO"), ("github", "GitHub")]


def test_a_starting_log_in_refuses_a_post_without_csrf(configured):
    client = Client(enforce_csrf_checks=True)

    assert client.post("/accounts/sso/oidc/login/").status_code == 403


# ---- identities in Settings --------------------------------------------------------------


def test_settings_list_identities_and_offer_the_providers_not_connected(client, configured):
    alice = UserFactory(username="alice")
    identity(alice, email="alice@acme.example")
    client.force_login(alice)

    text = client.get("/accounts/settings/").content.decode()

    assert "Single sign-on" in text
    assert "alice@acme.example" in text
    assert 'aria-label="Disconnect Acme SSO"' in text
    assert "Connect GitHub" in text
    assert "Connect Acme SSO" not in text
    assert 'name="process" value="connect"' in text


def test_disconnecting_works_while_a_password_remains(client, configured):
    alice = UserFactory(username="alice")
    linked = identity(alice)
    client.force_login(alice)

    response = client.post(f"/accounts/sso/identities/{linked.pk}/disconnect/", follow=True)

    assert not SocialAccount.objects.filter(pk=linked.pk).exists()
    assert "Disconnected" in response.content.decode()


def test_disconnecting_works_while_another_identity_remains(client, settings, configured):
    settings.IDEASTORM_SSO_ONLY = True
    member = passwordless(username="sam")
    linked = identity(member, "oidc")
    identity(member, "github")
    client.force_login(member)

    client.post(f"/accounts/sso/identities/{linked.pk}/disconnect/")

    assert list(SocialAccount.objects.values_list("provider", flat=True)) == ["github"]


def test_the_last_way_in_is_not_disconnected_and_settings_say_why(client, settings, configured):
    settings.IDEASTORM_SSO_ONLY = True
    member = UserFactory(username="sam")  # a password, but members don't use one here
    linked = identity(member)
    client.force_login(member)

    page = client.get("/accounts/settings/").content.decode()
    response = client.post(f"/accounts/sso/identities/{linked.pk}/disconnect/", follow=True)

    assert "It is your only way to log in: connect another provider first." in page
    assert "Disconnect Acme SSO" not in page
    assert SocialAccount.objects.filter(pk=linked.pk).exists()
    assert "Not disconnected. It is your only way to log in" in response.content.decode()


def test_without_a_password_or_a_confirmed_address_the_identity_stays(client, configured):
    member = passwordless(username="sam", email_verified_at=None)
    linked = identity(member)
    client.force_login(member)

    client.post(f"/accounts/sso/identities/{linked.pk}/disconnect/")

    assert SocialAccount.objects.filter(pk=linked.pk).exists()


def test_a_confirmed_address_is_a_way_in_while_sign_in_links_are_on(client, configured):
    member = passwordless(username="sam")
    linked = identity(member)
    client.force_login(member)

    client.post(f"/accounts/sso/identities/{linked.pk}/disconnect/")

    assert not SocialAccount.objects.filter(pk=linked.pk).exists()


def test_an_identity_with_a_provider_no_longer_offered_is_no_way_in(client, settings, configured):
    settings.IDEASTORM_SSO_ONLY = True
    member = passwordless(username="sam")
    linked = identity(member, "oidc")
    identity(member, "google")  # Google isn't configured any more
    client.force_login(member)

    client.post(f"/accounts/sso/identities/{linked.pk}/disconnect/")

    assert SocialAccount.objects.filter(pk=linked.pk).exists()


def test_another_members_identity_is_not_found(client, configured):
    theirs = identity(UserFactory(username="bob"))
    client.force_login(UserFactory(username="alice"))

    response = client.post(f"/accounts/sso/identities/{theirs.pk}/disconnect/")

    assert response.status_code == 404
    assert SocialAccount.objects.filter(pk=theirs.pk).exists()


def test_disconnecting_needs_a_log_in_and_a_post(client, configured):
    linked = identity(UserFactory(username="alice"))
    path = f"/accounts/sso/identities/{linked.pk}/disconnect/"

    assert client.post(path)["Location"].startswith("/accounts/login/")
    client.force_login(linked.user)
    assert client.get(path).status_code == 405


def test_deleting_the_account_removes_its_identities(configured):
    alice = UserFactory(username="alice")
    identity(alice)

    account_delete(user=alice)

    assert not SocialAccount.objects.exists()


# ---- SSO only ------------------------------------------------------------------------------


@pytest.fixture
def sso_only(settings, configured):
    settings.IDEASTORM_SSO_ONLY = True


def test_sso_only_turns_member_passwords_off_everywhere(client, sso_only):
    UserFactory(username="alice")

    assert client.login(username="alice", password=PASSWORD) is False
    response = client.post(
        "/api/auth/token/", {"username": "alice", "password": PASSWORD}, "application/json"
    )
    assert response.status_code == 400


def test_sso_only_keeps_staff_passwords(client, sso_only):
    UserFactory(username="admin", is_staff=True, is_superuser=True)

    assert client.login(username="admin", password=PASSWORD) is True
    assert client.get("/admin/").status_code == 200


def test_sso_only_still_makes_accounts_through_single_sign_on(rf, sso_only):
    assert SocialAccountAdapter(rf.get("/")).is_open_for_signup(rf.get("/"), None) is True


def test_sso_only_log_in_page_leads_with_single_sign_on_and_no_password_form(client, sso_only):
    text = client.get("/accounts/login/").content.decode()

    assert "Log in with your organisation" in text
    assert 'name="password"' not in text


def test_sso_only_sign_up_page_is_closed(client, sso_only):
    response = client.get("/accounts/signup/")

    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")
    before = User.objects.count()
    client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "password1": "another-horse-battery-9",
            "password2": "another-horse-battery-9",
        },
    )
    assert User.objects.count() == before
