"""API tokens (DRF's authtoken): how long one lasts (IDEASTORM_API_TOKEN_DAYS, 0 for ever),
and the authentication class that enforces it and notes when each token was last used."""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, connection, transaction
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
        found = _token_read(self.get_model(), key)
        if found is None:
            raise AuthenticationFailed(_("Invalid token."))
        token, last_used = found
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
        if last_used is None or now - last_used >= USE_PRECISION:
            _note_use(token, now)
        return token.user, token


def _token_read(model, key: str) -> tuple[Token, dt.datetime | None] | None:
    """The token with this key, its user (with roles, where the user model reads them in one
    query: accounts.models.MemberManager.get_with_roles) and its last use, or None. In plain
    SQL: every API call with a token starts here, and the ORM took longer to build the joined
    query than the database to answer it."""
    uses = ApiTokenUse._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.user_id, t.created, u.last_used_at FROM {model._meta.db_table} t "
            f"LEFT JOIN {uses} u ON u.token_id = t.key WHERE t.key = %s",
            [key],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    user_id, created, last_used = row
    users = get_user_model()._default_manager
    reader = getattr(users, "get_with_roles", None)
    user = reader(user_id) if reader else users.filter(pk=user_id).first()
    if user is None:
        return None
    token = model(key=key, user=user, created=_aware(created))
    token._state.adding, token._state.db = False, connection.alias
    return token, _aware(last_used)


def _aware(moment):
    """A time as the ORM would give it (SQLite returns text, naive)."""
    if moment is None or (isinstance(moment, dt.datetime) and timezone.is_aware(moment)):
        return moment
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return timezone.make_aware(moment, dt.UTC) if timezone.is_naive(moment) else moment


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
