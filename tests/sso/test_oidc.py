"""Single sign-on against a real OpenID Connect provider (tests/sso/provider): the site's side
through Django's test client, the person's side (log in, consent) over HTTP at the provider's
own pages. Every refusal ends on the error page with the reason, and with nobody logged in."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.models import User
from tests.factories import UserFactory
from tests.sso.oidc_provider import (
    CALLBACK_PATH,
    Proxy,
    b64_encode,
    b64_json,
    jwt_parts,
    log_in_at_provider,
    site_settings,
    start_provider,
)
from web.accounts.sso import oidc

pytestmark = pytest.mark.django_db
SITE = "http://testserver"
LOGIN_PATH = "/accounts/sso/oidc/login/"


def start(client: Client, next_url: str = "/ideas/") -> str:
    """Press "Log in with Test SSO": the site answers with the provider's authorization URL."""
    response = client.post(LOGIN_PATH, {"next": next_url})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def come_back(client: Client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(parts.path, parse_qs(parts.query))


def sso_log_in(client: Client, login: str, next_url: str = "/ideas/"):
    """The whole round trip; returns the callback URL used and the site's last answer."""
    callback_url = log_in_at_provider(start(client, next_url), login, site=SITE)
    return callback_url, come_back(client, callback_url)


def logged_in(client: Client) -> User | None:
    pk = client.session.get(SESSION_KEY)
    return User.objects.get(pk=pk) if pk else None


def refused(response, *words: str) -> str:
    assert response.status_code in (401, 403), response.status_code
    text = response.content.decode()
    assert "Single sign-on failed" in text
    for word in words:
        assert word in text, text
    return text


# ---- signing in ------------------------------------------------------------------------


def test_a_new_member_signs_up_through_the_provider_and_lands_where_they_were(client, sso_site):
    callback_url, response = sso_log_in(client, "ada", next_url="/ideas/?sort=new")

    assert response.status_code == 302
    assert response["Location"] == "/ideas/?sort=new"
    user = logged_in(client)
    assert user.username == "ada"
    assert user.email == "ada@example.com"
    assert user.email_verified_at is not None
    assert not user.has_usable_password()
    identity = SocialAccount.objects.get(user=user)
    assert (identity.provider, identity.uid) == ("oidc", "ada")
    assert urlsplit(callback_url).path == CALLBACK_PATH


def test_the_authorization_request_carries_state_nonce_and_pkce(client, sso_site):
    query = parse_qs(urlsplit(start(client)).query)

    assert query["response_type"] == ["code"]
    assert set(query["scope"][0].split()) >= {"openid", "email", "profile"}
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 20
    assert query["nonce"] == [oidc.nonce_for(query["state"][0])]
    assert query["redirect_uri"] == [SITE + CALLBACK_PATH]


def test_the_next_log_in_finds_the_linked_identity(client, sso_site):
    sso_log_in(client, "ada")
    client.logout()
    _, response = sso_log_in(Client(), "ada")

    assert response.status_code == 302
    assert User.objects.filter(email="ada@example.com").count() == 1


def test_a_new_name_is_made_free_when_the_preferred_one_is_taken(client, sso_site):
    UserFactory(username="ada", email="someone-else@example.com")

    sso_log_in(client, "ada")

    assert logged_in(client).username == "ada-2"


def test_a_verified_local_account_with_the_address_is_linked(client, sso_site):
    grace = UserFactory(username="rear-admiral", email="Grace@example.com")

    _, response = sso_log_in(client, "grace")

    assert response.status_code == 302
    assert logged_in(client) == grace
    assert SocialAccount.objects.get(uid="grace").user == grace
    assert User.objects.filter(email__iexact="grace@example.com").count() == 1


def test_an_unverified_local_account_with_the_address_is_not_logged_into(client, sso_site):
    # Anyone may have typed grace's address at sign-up: that account is not grace's, and it
    # doesn't keep grace out either. She gets an account of her own, the address verified.
    squatter = UserFactory(username="grace", email="grace@example.com", email_verified_at=None)

    _, response = sso_log_in(client, "grace")

    assert response.status_code == 302
    grace = logged_in(client)
    assert grace is not None and grace != squatter and grace.email_verified
    assert SocialAccount.objects.get(uid="grace").user == grace
    squatter.refresh_from_db()
    assert squatter.email_verified_at is None


def test_an_unverified_email_claim_logs_nobody_in_and_makes_no_account(client, sso_site):
    _, response = sso_log_in(client, "mallory.unverified")

    refused(response, "Test SSO did not confirm that your email address is yours")
    assert logged_in(client) is None
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()


def test_no_email_claim_at_all_logs_nobody_in(client, sso_site):
    _, response = sso_log_in(client, "noemail")

    refused(response, "did not confirm that your email address is yours")
    assert not User.objects.exists()


def test_a_member_connects_an_identity_from_settings(client, sso_site):
    alice = UserFactory(username="alice")
    client.force_login(alice)
    response = client.post(LOGIN_PATH, {"process": "connect", "next": "/accounts/settings/"})
    callback_url = log_in_at_provider(response["Location"], "work-alice", site=SITE)

    response = come_back(client, callback_url)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/settings/"
    assert SocialAccount.objects.get(uid="work-alice").user == alice
    assert logged_in(client) == alice


def test_a_get_on_the_log_in_url_shows_a_button_and_goes_nowhere(client, sso_site):
    response = client.get(LOGIN_PATH)

    assert response.status_code == 200
    assert b"Log in with Test SSO" in response.content
    assert b'method="post"' in response.content


def test_a_provider_that_is_not_configured_is_not_found(client, sso_site):
    assert client.post("/accounts/sso/nowhere/login/").status_code == 404
    assert client.get("/accounts/sso/nowhere/login/callback/").status_code == 404
    assert client.post("/accounts/sso/github/login/").status_code == 404


def test_a_provider_that_does_not_answer_ends_on_the_error_page(client, settings, sso_site):
    settings.SOCIALACCOUNT_PROVIDERS = site_settings(sso_site, issuer="http://127.0.0.1:9")

    response = client.post(LOGIN_PATH)

    refused(response, "could not be asked who you are")


# ---- refusals: state, issuer, signature, nonce -------------------------------------------


def test_a_replayed_callback_is_refused(client, sso_site):
    callback_url, response = sso_log_in(client, "ada")
    assert response.status_code == 302
    client.post("/accounts/logout/")

    refused(come_back(client, callback_url), "already used")
    assert logged_in(client) is None

    # In another browser (an attacker who saw the URL): no state of theirs, no session.
    stranger = Client()
    refused(come_back(stranger, callback_url), "already used")
    assert logged_in(stranger) is None


def test_a_discovery_document_naming_another_issuer_stops_before_the_provider(
    client, settings, oidc_provider, tmp_path
):
    # The provider calls itself http://localhost:<port>; the site trusts http://127.0.0.1:<port>.
    impostor = start_provider(
        redirect_uris=[SITE + CALLBACK_PATH], log_dir=tmp_path, issuer="http://localhost:0"
    )
    try:
        settings.SOCIALACCOUNT_PROVIDERS = site_settings(impostor, issuer=impostor.url)
        response = client.post(LOGIN_PATH)
    finally:
        impostor.stop()

    refused(response, "it says it is “http://localhost:0”", f"trusts “{impostor.url}”")
    assert logged_in(client) is None


def _issuer_proxy(provider):
    """Discovery says the proxy is the issuer; the provider's tokens still name the provider."""

    def rewrite(path, body):
        if path == "/.well-known/openid-configuration":
            body["issuer"] = proxy.url
        return body

    proxy = Proxy(target=provider.url, rewrite=rewrite)
    return proxy


def test_an_id_token_from_another_issuer_is_refused(client, settings, sso_site):
    with _issuer_proxy(sso_site) as proxy:
        settings.SOCIALACCOUNT_PROVIDERS = site_settings(sso_site, issuer=proxy.url)
        callback_url = log_in_at_provider(start(client), "ada", site=SITE)
        # A provider that doesn't send RFC 9207's `iss` with the code.
        parts = urlsplit(callback_url)
        query = {k: v for k, v in parse_qs(parts.query).items() if k != "iss"}
        response = come_back(client, f"{SITE}{parts.path}?{urlencode(query, doseq=True)}")

    refused(response, f"it says it is “{sso_site.issuer}”", f"trusts “{proxy.url}”")
    assert logged_in(client) is None
    assert not User.objects.exists()


def test_a_code_sent_back_by_another_issuer_is_refused(client, settings, sso_site):
    with _issuer_proxy(sso_site) as proxy:
        settings.SOCIALACCOUNT_PROVIDERS = site_settings(sso_site, issuer=proxy.url)
        callback_url = log_in_at_provider(start(client), "ada", site=SITE)
        assert parse_qs(urlsplit(callback_url).query)["iss"] == [sso_site.issuer]
        response = come_back(client, callback_url)

    refused(response, f"it says it is “{sso_site.issuer}”")
    assert logged_in(client) is None


def test_an_id_token_changed_on_the_way_is_refused(client, settings, sso_site):
    def tamper(path, body):
        if path == "/token" and "id_token" in body:
            header, payload, signature = jwt_parts(body["id_token"])
            claims = b64_json(payload) | {"sub": "grace"}
            body["id_token"] = ".".join([header, b64_encode(claims), signature])
        return body

    with Proxy(target=sso_site.url, rewrite=tamper) as proxy:
        settings.SOCIALACCOUNT_PROVIDERS = site_settings(
            sso_site, openid_configuration_overrides={"token_endpoint": f"{proxy.url}/token"}
        )
        _, response = sso_log_in(client, "ada")

    refused(response, "signature is not valid")
    assert logged_in(client) is None
    assert not User.objects.exists()


def test_an_id_token_signed_with_keys_the_site_does_not_trust_is_refused(
    client, settings, sso_site, tmp_path
):
    # Another provider process: the same key id, another key. The site reads its keys.
    other = start_provider(redirect_uris=[SITE + CALLBACK_PATH], log_dir=tmp_path)
    try:
        settings.SOCIALACCOUNT_PROVIDERS = site_settings(
            sso_site, openid_configuration_overrides={"jwks_uri": f"{other.url}/jwks"}
        )
        _, response = sso_log_in(client, "ada")
    finally:
        other.stop()

    refused(response, "signature is not valid")
    assert logged_in(client) is None


def test_an_id_token_made_for_another_attempt_is_refused(client, sso_site, monkeypatch):
    callback_url = log_in_at_provider(start(client), "ada", site=SITE)
    # The token's nonce is that attempt's; now the site expects another one.
    monkeypatch.setattr(oidc, "nonce_for", lambda state_id: "another-attempt")

    refused(come_back(client, callback_url), "made for another sign-in attempt")
    assert logged_in(client) is None


def test_cancelling_at_the_provider_says_so(client, sso_site):
    query = parse_qs(urlsplit(start(client)).query)
    response = client.get(CALLBACK_PATH, {"state": query["state"][0], "error": "access_denied"})

    assert response.status_code == 200
    assert "You cancelled logging in with Test SSO" in response.content.decode()
    assert logged_in(client) is None
