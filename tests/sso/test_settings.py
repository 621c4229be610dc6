"""SOCIALACCOUNT_PROVIDERS from the environment: any issuer, the Google, Microsoft and GitHub
presets, and a half-given configuration refused at start-up with the variable named."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from ideastorm.settings import MICROSOFT_CONSUMERS_TENANT, sso_form_action, sso_provider_settings
from tests.test_settings import manage_check


def apps(environ: dict) -> dict:
    return {
        app["provider_id"]: app for app in sso_provider_settings(environ)["openid_connect"]["APPS"]
    }


def test_nothing_configured_offers_nothing():
    providers = sso_provider_settings({})

    assert providers["openid_connect"]["APPS"] == []
    assert "github" not in providers


def test_any_issuer_with_discovery_pkce_and_the_strict_provider():
    providers = sso_provider_settings(
        {
            "IDEASTORM_OIDC_ISSUER": "https://idp.example.com/realms/staff/",
            "IDEASTORM_OIDC_CLIENT_ID": "ideastorm",
            "IDEASTORM_OIDC_CLIENT_SECRET": "s3cret",
        }
    )
    oidc = providers["openid_connect"]
    (app,) = oidc["APPS"]

    assert oidc["provider_class"] == "web.accounts.sso.oidc.OIDCProvider"
    assert oidc["OAUTH_PKCE_ENABLED"] is True
    assert (app["provider_id"], app["name"]) == ("oidc", "Single sign-on")
    assert (app["client_id"], app["secret"]) == ("ideastorm", "s3cret")
    assert app["settings"]["server_url"] == (
        "https://idp.example.com/realms/staff/.well-known/openid-configuration"
    )
    assert app["settings"]["issuer"] == "https://idp.example.com/realms/staff/"
    assert app["settings"]["oauth_pkce_enabled"] is True
    assert app["settings"]["fetch_userinfo"] is True


def test_the_presets():
    environ = {
        "IDEASTORM_OIDC_ISSUER": "https://idp.example.com",
        "IDEASTORM_OIDC_CLIENT_ID": "a",
        "IDEASTORM_OIDC_CLIENT_SECRET": "b",
        "IDEASTORM_OIDC_NAME": "Acme",
        "IDEASTORM_SSO_GOOGLE_CLIENT_ID": "g",
        "IDEASTORM_SSO_GOOGLE_CLIENT_SECRET": "gs",
        "IDEASTORM_SSO_MICROSOFT_CLIENT_ID": "m",
        "IDEASTORM_SSO_MICROSOFT_CLIENT_SECRET": "ms",
        "IDEASTORM_SSO_GITHUB_CLIENT_ID": "h",
        "IDEASTORM_SSO_GITHUB_CLIENT_SECRET": "hs",
    }
    found = apps(environ)

    assert list(found) == ["oidc", "google", "microsoft"]
    assert found["oidc"]["name"] == "Acme"
    assert found["google"]["settings"]["issuer"] == "https://accounts.google.com"
    microsoft = found["microsoft"]["settings"]
    assert microsoft["server_url"] == (
        "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"
    )
    assert microsoft["issuer"] == "https://login.microsoftonline.com/{tenantid}/v2.0"
    assert "xms_edov" in microsoft["email_verified_claims"]
    github = sso_provider_settings(environ)["github"]
    assert github["APP"] == {"client_id": "h", "secret": "hs"}
    assert "user:email" in github["SCOPE"]


@pytest.mark.parametrize(
    ("tenant", "issuer_tenant"),
    [
        ("organizations", "{tenantid}"),
        ("consumers", MICROSOFT_CONSUMERS_TENANT),
        ("72f988bf-86f1-41af-91ab-2d7cd011db47", "72f988bf-86f1-41af-91ab-2d7cd011db47"),
    ],
)
def test_a_microsoft_tenant_sets_the_issuer_its_tokens_name(tenant, issuer_tenant):
    found = apps(
        {
            "IDEASTORM_SSO_MICROSOFT_CLIENT_ID": "m",
            "IDEASTORM_SSO_MICROSOFT_CLIENT_SECRET": "ms",
            "IDEASTORM_SSO_MICROSOFT_TENANT": tenant,
        }
    )

    assert found["microsoft"]["settings"]["issuer"] == (
        f"https://login.microsoftonline.com/{issuer_tenant}/v2.0"
    )


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"IDEASTORM_OIDC_ISSUER": "https://idp.example.com"}, "IDEASTORM_OIDC_CLIENT_ID"),
        ({"IDEASTORM_OIDC_CLIENT_ID": "a", "IDEASTORM_OIDC_CLIENT_SECRET": "b"}, "ISSUER"),
        ({"IDEASTORM_SSO_GITHUB_CLIENT_ID": "a"}, "IDEASTORM_SSO_GITHUB_CLIENT_SECRET"),
        (
            {
                "IDEASTORM_OIDC_ISSUER": "idp.example.com",
                "IDEASTORM_OIDC_CLIENT_ID": "a",
                "IDEASTORM_OIDC_CLIENT_SECRET": "b",
            },
            "must be a URL",
        ),
        (
            {
                "IDEASTORM_SSO_MICROSOFT_CLIENT_ID": "a",
                "IDEASTORM_SSO_MICROSOFT_CLIENT_SECRET": "b",
                "IDEASTORM_SSO_MICROSOFT_TENANT": "x/../y",
            },
            "IDEASTORM_SSO_MICROSOFT_TENANT",
        ),
    ],
)
def test_a_half_given_configuration_is_refused_naming_the_variable(environ, named):
    with pytest.raises(ImproperlyConfigured, match=named):
        sso_provider_settings(environ)


def test_start_up_refuses_a_half_given_configuration():
    result = manage_check(IDEASTORM_SSO_GOOGLE_CLIENT_ID="only-the-id")

    assert result.returncode != 0
    assert "IDEASTORM_SSO_GOOGLE_CLIENT_SECRET" in result.stderr


def test_the_pages_let_a_log_in_button_go_on_to_each_provider():
    providers = sso_provider_settings(
        {
            "IDEASTORM_OIDC_ISSUER": "https://idp.example.com:8443/realms/staff",
            "IDEASTORM_OIDC_CLIENT_ID": "a",
            "IDEASTORM_OIDC_CLIENT_SECRET": "b",
            "IDEASTORM_SSO_MICROSOFT_CLIENT_ID": "m",
            "IDEASTORM_SSO_MICROSOFT_CLIENT_SECRET": "ms",
            "IDEASTORM_SSO_GITHUB_CLIENT_ID": "h",
            "IDEASTORM_SSO_GITHUB_CLIENT_SECRET": "hs",
        }
    )

    assert sso_form_action(providers) == [
        "https://idp.example.com:8443",
        "https://login.microsoftonline.com",
        "https://github.com",
    ]
