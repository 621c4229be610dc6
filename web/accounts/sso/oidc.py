"""OpenID Connect as allauth's `openid_connect` provider does it (discovery, the code flow
with PKCE, `state` kept in the session and spent once), plus what it leaves out:

- the discovery document must name the issuer we were configured with (OpenID Connect
  Discovery 4.3), and every ID token that issuer (allauth trusts the document's word);
- the ID token's signature is always checked against the provider's published keys, with an
  asymmetric algorithm only (allauth skips it for tokens that came over TLS);
- a `nonce` goes with every authorization request and must come back in the ID token: an
  HMAC of the request's `state`, so the token belongs to this very attempt in this session;
- the userinfo answer must be about the ID token's subject;
- the callback's `iss` parameter (RFC 9207), when the provider sends one, must be the issuer.

Any failure ends on the error page (SSORefused carries what it says), never in a session."""

import logging

import jwt
from allauth.account.models import EmailAddress
from allauth.core.internal.datakit import parse_bool_safely
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare, get_random_string, salted_hmac
from django.utils.translation import gettext_lazy as _
from requests import RequestException

log = logging.getLogger(__name__)

# Signatures only a key holder makes: no "none", no shared-secret HMAC.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
# Clocks of two servers differ a little.
LEEWAY_SECONDS = 60
STATE_LENGTH = 24
# The multi-tenant Microsoft endpoints' issuer, for each token its own tenant's.
TENANT_PLACEHOLDER = "{tenantid}"

WRONG_ISSUER = _("it says it is “%(got)s”, but this site trusts “%(expected)s”")
BAD_SIGNATURE = _("its ID token's signature is not valid")
BAD_TOKEN = _("its ID token is not valid (%(why)s)")
WRONG_NONCE = _("its ID token was made for another sign-in attempt")
WRONG_SUBJECT = _("its user information is about someone else than its ID token")
NO_ID_TOKEN = _("it sent no ID token")


class SSORefused(OAuth2Error):
    """The provider's answer is not to be trusted; `reason` says why, for the error page."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


def nonce_for(state_id: str) -> str:
    return salted_hmac("ideastorm.sso.nonce", state_id, algorithm="sha256").hexdigest()


def _same_issuer(a: str, b: str) -> bool:
    # "https://idp.example.com" and "https://idp.example.com/" name one issuer.
    return a.rstrip("/") == b.rstrip("/")


class OIDCAdapter(OpenIDConnectOAuth2Adapter):
    @property
    def openid_config(self) -> dict:
        config = super().openid_config
        expected = self.get_provider().app.settings["issuer"]
        issuer = config.get("issuer")
        if not isinstance(issuer, str) or not _same_issuer(issuer, expected):
            raise SSORefused(WRONG_ISSUER % {"got": issuer, "expected": expected})
        return config

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        response = kwargs["response"]
        self._check_iss_parameter(request)
        id_token = response.get("id_token")
        if not isinstance(id_token, str):
            raise SSORefused(NO_ID_TOKEN)
        data = {"id_token": self._decode_id_token(app, id_token)}
        if app.settings.get("fetch_userinfo", True):
            userinfo = self._fetch_user_info(token.token)
            if userinfo.get("sub") != data["id_token"]["sub"]:
                raise SSORefused(WRONG_SUBJECT)
            data["userinfo"] = userinfo
        return self.get_provider().sociallogin_from_response(request, data)

    def _check_iss_parameter(self, request: HttpRequest) -> None:
        iss = request.GET.get("iss")
        issuer = self.openid_config["issuer"]
        if iss is not None and iss != issuer and TENANT_PLACEHOLDER not in issuer:
            raise SSORefused(WRONG_ISSUER % {"got": iss, "expected": issuer})

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        try:
            header = jwt.get_unverified_header(id_token)
            if header.get("alg") not in ALGORITHMS:
                raise SSORefused(BAD_TOKEN % {"why": f"algorithm {header.get('alg')!r}"})
            alg, key = jwtkit.fetch_key(id_token, self.openid_config["jwks_uri"], _lookup_key)
            claims = jwt.decode(
                id_token,
                key=key,
                algorithms=[alg],
                audience=app.client_id,
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "sub", "aud", "exp", "iat"], "verify_iss": False},
            )
        except SSORefused:
            raise
        except jwt.InvalidSignatureError as error:
            raise SSORefused(BAD_SIGNATURE) from error
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as error:
            raise SSORefused(BAD_TOKEN % {"why": error}) from error
        except OAuth2Error as error:  # a key id the provider doesn't publish
            raise SSORefused(BAD_TOKEN % {"why": error}) from error
        self._check_issuer(app, claims)
        # Several audiences: the one who asked must be the authorized party (Core 3.1.3.7).
        several = isinstance(claims["aud"], list) and len(claims["aud"]) > 1
        if several and claims.get("azp") != app.client_id:
            raise SSORefused(BAD_TOKEN % {"why": "azp"})
        state_id = request_state(self.request)
        if not constant_time_compare(str(claims.get("nonce", "")), nonce_for(state_id)):
            raise SSORefused(WRONG_NONCE)
        try:
            jwtkit.verify_jti(claims)
        except OAuth2Error as error:
            raise SSORefused(BAD_TOKEN % {"why": error}) from error
        return claims

    def _check_issuer(self, app: SocialApp, claims: dict) -> None:
        issuer = self.openid_config["issuer"]
        if TENANT_PLACEHOLDER in issuer:
            issuer = issuer.replace(TENANT_PLACEHOLDER, str(claims.get("tid", "")))
        accepted = {issuer, *app.settings.get("issuers", [])}
        if claims["iss"] not in accepted:
            raise SSORefused(WRONG_ISSUER % {"got": claims["iss"], "expected": issuer})


def _lookup_key(keys_data: dict, kid: str):
    """The published key with this id; allauth's lookup, over a JWK set checked for shape."""
    if not isinstance(keys_data, dict) or not isinstance(keys_data.get("keys"), list):
        raise OAuth2Error("the provider's keys are not a JWK set")
    return jwtkit.lookup_kid_jwk(keys_data, kid)


def request_state(request: HttpRequest) -> str:
    return request.GET.get("state", "")


class OIDCProvider(OpenIDConnectProvider):
    """allauth's provider with the adapter above, a nonce on every authorization request, and
    the email's verification read from the ID token as well as the userinfo answer."""

    oauth2_adapter_class = OIDCAdapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        state_id = get_random_string(STATE_LENGTH)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params["nonce"] = nonce_for(state_id)
        try:
            return super().redirect(
                request,
                process,
                next_url,
                data,
                auth_params=auth_params,
                state_id=state_id,
                **kwargs,
            )
        except (OAuth2Error, RequestException) as error:  # discovery failed or lied
            return render_authentication_error(request, self, exception=error)

    def _claims(self, data: dict) -> dict:
        # The userinfo answer is about the ID token's subject (checked above): one person.
        return {**data.get("id_token", {}), **data.get("userinfo", {})}

    def extract_common_fields(self, data: dict) -> dict:
        return super().extract_common_fields({"userinfo": self._claims(data)})

    def extract_email_addresses(self, data: dict) -> list:
        claims = self._claims(data)
        email = claims.get("email")
        if not isinstance(email, str) or not email:
            return []
        # Entra ID vouches with xms_edov, and only in the signed ID token.
        vouched = parse_bool_safely(claims.get("email_verified")) or any(
            parse_bool_safely(data.get("id_token", {}).get(claim))
            for claim in self.app.settings.get("email_verified_claims", [])
            if claim != "email_verified"
        )
        return [EmailAddress(email=email, verified=vouched, primary=True)]


def _view(view_class, request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        adapter = OIDCAdapter(request, provider_id)
        return view_class.adapter_view(adapter)(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


def login(request: HttpRequest, provider_id: str) -> HttpResponse:
    """GET: a page with the button; POST: off to the provider (OIDCProvider.redirect)."""
    return _view(OAuth2LoginView, request, provider_id)


def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    """Back from the provider: the state spent, the code exchanged, the tokens checked."""
    try:
        adapter = OIDCAdapter(request, provider_id)
        provider = adapter.get_provider()
    except SocialApp.DoesNotExist:
        raise Http404 from None
    try:
        adapter.openid_config  # noqa: B018 -- discovery first, so its failure ends on the error page
    except (OAuth2Error, RequestException) as error:
        return render_authentication_error(request, provider, exception=error)
    return OAuth2CallbackView.adapter_view(adapter)(request)
