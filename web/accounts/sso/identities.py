"""Single sign-on identities: the providers this site offers, the identities (allauth's
SocialAccount rows) linked to a member, and linking and unlinking them.

A member may unlink an identity only while another way to log in remains: another identity
with a provider this site still offers, or, while passwords and email sign-in links are on (not
with IDEASTORM_SSO_ONLY, staff aside), a usable password or a verified address (a sign-in link
is then one email away)."""

from dataclasses import dataclass

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User


@dataclass(frozen=True)
class Provider:
    id: str  # allauth's sub id: "oidc", "google", "microsoft", "github"
    name: str
    login_url: str


@dataclass(frozen=True)
class Identity:
    pk: int
    provider_id: str
    provider_name: str
    label: str  # whom the provider knows them as: an address or a login
    refusal: str | None  # why it can't be disconnected, if it can't


def providers(request: HttpRequest) -> list[Provider]:
    """The configured providers, in settings order: no query (no app lives in the database)."""
    return [
        Provider(id=p.sub_id, name=p.name, login_url=p.get_login_url(request))
        for p in get_adapter(request).list_providers(request)
    ]


def claims_of(account: SocialAccount) -> dict:
    """What the provider said about them: OpenID Connect's ID token and userinfo answer as one
    (about one subject: web.accounts.sso.oidc checks it), or GitHub's profile."""
    data = account.extra_data if isinstance(account.extra_data, dict) else {}
    if "id_token" in data or "userinfo" in data:
        return {**data.get("id_token", {}), **data.get("userinfo", {})}
    return data


def _label(account: SocialAccount) -> str:
    claims = claims_of(account)
    for key in ("email", "login", "preferred_username", "name"):
        if isinstance(claims.get(key), str) and claims[key]:
            return claims[key]
    return account.uid


def local_log_in_for(user: User) -> bool:
    """Whether passwords and email sign-in links work for this account."""
    return not settings.IDEASTORM_SSO_ONLY or user.is_staff


def unlink_refusal(*, user: User, account: SocialAccount, offered: set[str]) -> str | None:
    """Why this identity can't be unlinked now (None: it can): it is the last way in."""
    local = local_log_in_for(user)
    if local and (user.has_usable_password() or user.email_verified):
        return None
    others = SocialAccount.objects.filter(user=user, provider__in=offered).exclude(pk=account.pk)
    if others.exists():
        return None
    if local:
        return _(
            "It is your only way to log in: confirm your email address (sign-in links by email "
            "then work) or connect another provider first."
        )
    return _("It is your only way to log in: connect another provider first.")


@dataclass(frozen=True)
class MemberIdentities:
    identities: list[Identity]
    connectable: list[Provider]  # offered, and not connected yet


def identities_of(request: HttpRequest, user: User) -> MemberIdentities:
    """The member's identities and the providers they could still connect (settings page)."""
    offered = providers(request)
    names = {p.id: p.name for p in offered}
    accounts = list(SocialAccount.objects.filter(user=user).order_by("provider", "pk"))
    rows = [
        Identity(
            pk=account.pk,
            provider_id=account.provider,
            provider_name=names.get(account.provider, account.provider),
            label=_label(account),
            refusal=unlink_refusal(user=user, account=account, offered=set(names)),
        )
        for account in accounts
    ]
    connected = {account.provider for account in accounts}
    return MemberIdentities(
        identities=rows, connectable=[p for p in offered if p.id not in connected]
    )


def identity_link(*, sociallogin: SocialLogin, user: User) -> SocialAccount:
    """Record that this provider's subject is this member; their next log-in finds it."""
    sociallogin.user = user
    sociallogin.account.user = user
    sociallogin.account.save()
    return sociallogin.account


@transaction.atomic
def identity_unlink(*, request: HttpRequest, user: User, pk: int) -> str | None:
    """Unlink one of the member's identities; the refusal when it is their last way in. The
    member's identities are locked, so two unlinks at once can't both pass the check."""
    accounts = SocialAccount.objects.select_for_update().filter(user=user)
    account = next((a for a in accounts.order_by("pk") if a.pk == pk), None)
    if account is None:
        raise SocialAccount.DoesNotExist
    offered = {p.id for p in providers(request)}
    refusal = unlink_refusal(user=user, account=account, offered=offered)
    if refusal is None:
        account.delete()
    return refusal
