"""API tokens (DRF's authtoken): how long one lasts (IDEASTORM_API_TOKEN_DAYS, 0 for ever),
and the authentication class that enforces it and notes when each token was last used."""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from core.models import ApiTokenUse

logger = logging.getLogger(__name__)

# Last use is kept to this precision: one write per token per hour at most.
USE_PRECISION = dt.timedelta(hours=1)


def token_expires_at(token: Token) -> dt.datetime | None:
    """When the token stops working, or None if tokens never expire."""
    days = settings.IDEASTORM_API_TOKEN_DAYS
    return token.created + dt.timedelta(days=days) if days else None


def token_expired(token: Token, now: dt.datetime | None = None) -> bool:
    expires_at = token_expires_at(token)
    return expires_at is not None and expires_at <= (now or timezone.now())


def token_last_used(token: Token) -> dt.datetime | None:
    """When the token was last used (to the hour), or None if it never was."""
    try:
        return token.use.last_used_at
    except ObjectDoesNotExist:
        return None


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's `Authorization: Token <key>`, refusing an expired token (401 with the reason:
    a new one comes from POST /api/auth/token/). Its last use is noted at most once an hour,
    from the row read with the token: no extra query on the other requests."""

    def authenticate_credentials(self, key):
        token = self.get_model().objects.select_related("user", "use").filter(key=key).first()
        if token is None:
            raise AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        if getattr(token.user, "is_demo", False) and not (
            settings.IDEASTORM_DEMO or settings.DEBUG
        ):
            # A demo account's token from demo mode ends with it (accounts.lockout).
            raise AuthenticationFailed(_("Demo accounts work only in demo mode."))
        now = timezone.now()
        if token_expired(token, now):
            raise AuthenticationFailed(
                _(
                    "Your API token expired on %(date)s: POST your username and password to "
                    "/api/auth/token/ for a new one."
                )
                % {"date": token_expires_at(token).strftime("%Y-%m-%d %H:%M UTC")}
            )
        last_used = token_last_used(token)
        if last_used is None or now - last_used >= USE_PRECISION:
            _note_use(token, now)
        return token.user, token


def _note_use(token: Token, now: dt.datetime) -> None:
    """Upsert the token's last use: one statement. Never fails the request (the token may
    have been revoked meanwhile)."""
    try:
        with transaction.atomic():
            ApiTokenUse.objects.bulk_create(
                [ApiTokenUse(token_id=token.pk, last_used_at=now)],
                update_conflicts=True,
                unique_fields=["token"],
                update_fields=["last_used_at"],
            )
    except DatabaseError as exc:
        logger.warning("could not note an API token's use: %r", exc)
