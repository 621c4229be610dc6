"""What each provider's claims mean here, without a provider running: which address counts as
vouched for (GitHub's primary verified one, Entra ID's xms_edov), and the issuer a
multi-tenant Microsoft token must name."""

import pytest
from allauth.socialaccount.adapter import get_adapter

from ideastorm.settings import sso_provider_settings
from web.accounts.sso.adapter import verified_email
from web.accounts.sso.oidc import SSORefused

ENVIRONMENT = {
    "IDEASTORM_SSO_MICROSOFT_CLIENT_ID": "m",
    "IDEASTORM_SSO_MICROSOFT_CLIENT_SECRET": "ms",
    "IDEASTORM_SSO_GITHUB_CLIENT_ID": "h",
    "IDEASTORM_SSO_GITHUB_CLIENT_SECRET": "hs",
}
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


@pytest.fixture
def provider(rf, settings, db):
    settings.SOCIALACCOUNT_PROVIDERS = sso_provider_settings(ENVIRONMENT)
    request = rf.get("/")
    return lambda name: get_adapter(request).get_provider(request, name)


def github_login(provider, emails):
    profile = {"id": 583231, "login": "octocat", "email": "public@example.com", "emails": emails}
    return provider("github").sociallogin_from_response(None, profile)


def test_github_vouches_for_its_primary_verified_address(provider):
    login = github_login(
        provider,
        [
            {"email": "old@example.com", "primary": False, "verified": True},
            {"email": "octo@work.example", "primary": True, "verified": True},
        ],
    )

    assert verified_email(login) == "octo@work.example"


def test_github_unverified_primary_address_is_not_vouched_for(provider):
    login = github_login(
        provider,
        [
            {"email": "octo@work.example", "primary": True, "verified": False},
            {"email": "old@example.com", "primary": False, "verified": True},
        ],
    )

    assert verified_email(login) is None


def microsoft_login(provider, id_token, userinfo):
    claims = {"sub": "s", "tid": TENANT, **id_token}
    data = {"id_token": claims, "userinfo": {"sub": "s", **userinfo}}
    return provider("microsoft").sociallogin_from_response(None, data)


def test_entra_id_vouches_with_xms_edov_in_the_id_token(provider):
    login = microsoft_login(provider, {"xms_edov": True}, {"email": "ada@contoso.example"})

    assert verified_email(login) == "ada@contoso.example"


def test_entra_id_without_xms_edov_vouches_for_nothing(provider):
    login = microsoft_login(provider, {}, {"email": "ada@contoso.example", "xms_edov": True})

    assert verified_email(login) is None


def test_a_multi_tenant_token_must_name_its_own_tenant(provider, rf):
    microsoft = provider("microsoft")
    adapter = microsoft.get_oauth2_adapter(rf.get("/"))
    adapter._openid_config = {"issuer": "https://login.microsoftonline.com/{tenantid}/v2.0"}
    own = f"https://login.microsoftonline.com/{TENANT}/v2.0"

    adapter._check_issuer(microsoft.app, {"iss": own, "tid": TENANT})
    with pytest.raises(SSORefused):
        adapter._check_issuer(microsoft.app, {"iss": own, "tid": "another-tenant"})
