"""Who gets in with single sign-on: allauth's adapters, set in settings.

- An identity already linked logs into its account (unless that account is closed).
- Otherwise the provider must vouch for the address (OpenID Connect's `email_verified`, Entra
  ID's `xms_edov`, GitHub's primary verified address): without that, nothing happens.
- An account here with that address logs in, and the identity is linked to it, only if its
  address is verified too; an unverified one could be anyone's, so nothing happens.
- No account with that address: a new one, named from the claims (accounts.usernames), its
  address verified; new accounts count against the sign-up limit per client address.

Every refusal ends on the single sign-on error page with the reason, and no session. Providers
come from settings only: no app is read from the database."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount import app_settings
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthError, AuthProcess
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import EmailTaken
from accounts.usernames import username_for
from actions.sso import member_sign_up_sso
from core import ratelimit
from web.accounts.sso import identities
from web.accounts.sso.oidc import SSORefused

log = logging.getLogger(__name__)

APP_FIELDS = ("name", "provider_id", "client_id", "secret", "key", "settings")
USERNAME_ATTEMPTS = 5


def refusal_page(request, reason: str, *, provider=None, status: int = 403):
    """The error page: what went wrong, and the way back to the log-in page."""
    context = {"reason": reason, "provider_name": getattr(provider, "name", "")}
    return render(request, "socialaccount/authentication_error.html", context, status=status)


def refuse(request, reason: str, provider=None) -> None:
    raise ImmediateHttpResponse(refusal_page(request, reason, provider=provider))


def verified_email(sociallogin) -> str | None:
    """The address the provider vouches for: its primary one, verified."""
    for address in sociallogin.email_addresses:
        if address.primary and address.verified and address.email:
            return address.email
    return None


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        """Apps from SOCIALACCOUNT_PROVIDERS only: allauth's would also query the database."""
        apps = []
        for provider_key, config in app_settings.PROVIDERS.items():
            configs = config.get("APPS") or ([config["APP"]] if "APP" in config else [])
            for fields in configs:
                app = SocialApp(
                    provider=provider_key, **{f: fields[f] for f in APP_FIELDS if f in fields}
                )
                if client_id and app.client_id != client_id:
                    continue
                if provider and provider not in (app.provider_id, app.provider):
                    continue
                apps.append(app)
        return apps

    def is_open_for_signup(self, request, sociallogin) -> bool:
        # Single sign-on is how members join, with IDEASTORM_SSO_ONLY too.
        return True

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return True

    def authenticate_by_email(self, sociallogin):
        # pre_social_login matches addresses itself, on the site's own verification.
        return None

    def get_connect_redirect_url(self, request, socialaccount) -> str:
        return reverse("account-settings")

    def pre_social_login(self, request, sociallogin) -> None:
        provider = sociallogin.provider
        if sociallogin.is_existing:
            user = sociallogin.user
            if not user.is_active or user.deleted_at is not None:
                refuse(request, _("The account linked to this identity is closed."), provider)
            return
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            return  # a member linking an identity from Settings: allauth's connect flow
        email = verified_email(sociallogin)
        if email is None:
            refuse(
                request,
                _(
                    "%(provider)s did not confirm that your email address is yours, so it can't "
                    "log you in here. Confirm your address with %(provider)s, then try again."
                )
                % {"provider": provider.name},
                provider,
            )
        holders = User.objects.filter(
            email__iexact=email, deleted_at__isnull=True, recorded_customer=False
        )
        owner = holders.filter(email_verified_at__isnull=False).first()
        if owner is not None:
            if not owner.is_active:
                refuse(request, _("The account with this email address is closed."), provider)
            identities.identity_link(sociallogin=sociallogin, user=owner)
            return
        # Only unverified accounts type this address (anyone may type any address): they are not
        # logged into, and they don't stop the provider's vouched-for owner either. A new
        # account gets the address, verified; the others can never verify it.
        if exceeded := ratelimit.hit("signup-ip", ratelimit.client_address(request)):
            raise ImmediateHttpResponse(ratelimit.page_response(request, exceeded))

    def save_user(self, request, sociallogin, form=None) -> User:
        """A new member (auto sign-up): a free name from the claims, the vouched address."""
        claims = identities.claims_of(sociallogin.account)
        email = verified_email(sociallogin)
        candidates = (
            claims.get("preferred_username"),
            claims.get("login"),
            claims.get("name"),
            email,
        )
        for attempt in range(USERNAME_ATTEMPTS):
            try:
                with transaction.atomic():
                    user = member_sign_up_sso(username=username_for(*candidates), email=email)
                    identities.identity_link(sociallogin=sociallogin, user=user)
                return user
            except EmailTaken as error:
                refuse(request, error.messages[0], sociallogin.provider)
            except ValidationError as error:  # an address banned from signing up again
                refuse(request, " ".join(error.messages), sociallogin.provider)
            except IntegrityError:
                # The name was taken meanwhile: derive the next one.
                if attempt == USERNAME_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        extra_context = extra_context or {}
        name = getattr(provider, "name", _("The provider"))
        if isinstance(exception, SSORefused):
            reason = _(
                "%(provider)s answered, but the answer can't be trusted: %(why)s. Nothing was "
                "logged in. If this keeps happening, tell the site's administrators."
            ) % {"provider": name, "why": exception.reason}
        elif exception is not None:
            reason = _(
                "%(provider)s could not be asked who you are. Try again in a moment; if this "
                "keeps happening, tell the site's administrators."
            ) % {"provider": name}
        elif "callback_view" in extra_context and "state" not in extra_context:
            reason = _(
                "This answer from %(provider)s was already used, or it has expired, or it was "
                "meant for another browser. Log in again."
            ) % {"provider": name}
        elif error == AuthError.CANCELLED:
            reason = _("You cancelled logging in with %(provider)s.") % {"provider": name}
        else:
            reason = _("%(provider)s did not let you in (it answered “%(error)s”).") % {
                "provider": name,
                "error": request.GET.get("error", "")[:80] or _("no code"),
            }
        log.warning("Single sign-on with %s failed: %s %r", name, error, exception)
        status = 200 if error == AuthError.CANCELLED else 401
        raise ImmediateHttpResponse(refusal_page(request, reason, provider=provider, status=status))


class AccountAdapter(DefaultAccountAdapter):
    """allauth's account pages are not routed: the site's own log-in and sign-up serve."""

    def is_open_for_signup(self, request) -> bool:
        return True

    def respond_user_inactive(self, request, user):
        return refusal_page(request, _("This account is closed."))
