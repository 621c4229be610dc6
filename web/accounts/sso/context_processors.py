"""What every template may ask about single sign-on: `sso_providers` (each with id, name and
login_url), `sso_only` (IDEASTORM_SSO_ONLY) and, for a member, `sso_account`: their
`identities` (with why one can't be disconnected) and the providers still `connectable`. Each is
worked out only if a template reads it."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from web.accounts.sso import identities


def sso(request: HttpRequest) -> dict:
    def member_identities():
        if not request.user.is_authenticated:
            return identities.MemberIdentities(identities=[], connectable=[])
        return identities.identities_of(request, request.user)

    return {
        "sso_providers": SimpleLazyObject(lambda: identities.providers(request)),
        "sso_only": settings.IDEASTORM_SSO_ONLY,
        "sso_account": SimpleLazyObject(member_identities),
    }
