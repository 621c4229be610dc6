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
