"""Single sign-on in Chromium, end to end through a real OpenID Connect provider
(tests/sso/provider): "Log in with Test SSO", log in and consent at the provider, back on the
site logged in."""

import re

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.factories import UserFactory
from tests.sso.oidc_provider import CALLBACK_PATH, configure_site, start_provider


@pytest.fixture(scope="module")
def browser_provider(live_server, tmp_path_factory):
    provider = start_provider(
        redirect_uris=[live_server.url + CALLBACK_PATH],
        log_dir=tmp_path_factory.mktemp("oidc-provider-e2e"),
    )
    yield provider
    provider.stop()


@pytest.fixture
def sso_site(settings, browser_provider):
    configure_site(settings, browser_provider)
    return browser_provider


def log_in_at_the_provider(page: Page, login: str) -> None:
    page.get_by_placeholder("Enter any login").fill(login)
    page.get_by_placeholder("and password").fill("anything")
    page.get_by_role("button", name="Sign-in").click()
    # The consent page is a new document: wait until it has loaded before pressing on it.
    expect(page.get_by_role("heading", name="Authorize")).to_be_visible()
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Continue").click()


def test_a_newcomer_logs_in_with_single_sign_on_and_gets_an_account(page: Page, sso_site):
    page.goto("/ideas/new/")
    expect(page).to_have_url("/accounts/login/?next=/ideas/new/")
    page.get_by_role("button", name="Log in with Test SSO").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(sso_site.url)}/interaction/"))
    log_in_at_the_provider(page, "ada")

    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.locator(".whoami")).to_have_text("ada")
    assert page.url.endswith("/ideas/new/")
    user = User.objects.get(username="ada")
    assert user.email_verified and not user.has_usable_password()


def test_a_member_with_a_verified_address_logs_into_their_own_account(page: Page, sso_site):
    UserFactory(username="rear-admiral", email="grace@example.com")

    page.goto("/accounts/login/")
    page.get_by_role("button", name="Log in with Test SSO").click()
    log_in_at_the_provider(page, "grace")

    expect(page.locator(".whoami")).to_have_text("rear-admiral")
    page.goto("/accounts/settings/")
    identities = page.get_by_test_id("sso-identities")
    expect(identities).to_contain_text("grace@example.com")
    expect(identities.get_by_role("button", name="Disconnect Test SSO")).to_be_visible()
    assert SocialAccount.objects.get(uid="grace").user.username == "rear-admiral"


def test_an_unverified_address_at_the_provider_lets_nobody_in(page: Page, sso_site):
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Log in with Test SSO").click()
    log_in_at_the_provider(page, "mallory.unverified")

    expect(page.get_by_role("heading", name="Single sign-on failed")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("did not confirm that your email address")
    expect(page.get_by_role("link", name="Back to log in")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    assert not User.objects.exists()
