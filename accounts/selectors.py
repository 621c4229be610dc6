"""Reads about accounts for the pages and the API."""

import datetime as dt
from dataclasses import dataclass

from rest_framework.authtoken.models import Token

from accounts.models import User
from core.auth import token_expired, token_expires_at, token_last_used


@dataclass(frozen=True)
class ApiTokenState:
    """What the member may know of their API token (never the key itself, which only
    POST /api/auth/token/ gives)."""

    created: dt.datetime
    last_used: dt.datetime | None  # to the hour; None if never used
    expires_at: dt.datetime | None  # None: tokens never expire
    expired: bool


def api_token_of(user: User) -> ApiTokenState | None:
    """The member's API token, or None if they have none."""
    token = Token.objects.select_related("use").filter(user=user).first()
    if token is None:
        return None
    return ApiTokenState(
        created=token.created,
        last_used=token_last_used(token),
        expires_at=token_expires_at(token),
        expired=token_expired(token),
    )


def username_for_login(identifier: str) -> str:
    """What a log-in form's "Username" field names: a username, or the email address an
    account verified (log in with either). The verified address wins over a username spelled
    like it (usernames may hold "@": nobody can take an address's log-in by naming themselves
    after it). Anything else is left as typed; the lockout then counts against the account
    it names, whichever way it was named."""
    identifier = identifier.strip()
    if "@" not in identifier:
        return identifier
    owner = (
        User.objects.filter(
            email__iexact=identifier, email_verified_at__isnull=False, deleted_at__isnull=True
        )
        .values_list("username", flat=True)
        .first()
    )
    return owner or identifier
