"""The test OpenID Connect provider (tests/sso/oidc_provider.py), one per session, and a site
configured to log in with it."""

import pytest

from tests.sso.oidc_provider import CALLBACK_PATH, configure_site, start_provider


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    provider = start_provider(
        redirect_uris=[f"http://testserver{CALLBACK_PATH}"],
        log_dir=tmp_path_factory.mktemp("oidc-provider"),
    )
    yield provider
    provider.stop()


@pytest.fixture
def sso_site(settings, oidc_provider):
    """The site logs in with the provider ("Test SSO", provider id "oidc")."""
    configure_site(settings, oidc_provider)
    return oidc_provider
