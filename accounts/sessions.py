"""Where a member is logged in. Every log-in (password, emailed link, single sign-on: all go
through django.contrib.auth.login) records a LoginSession; web.accounts.middleware keeps it
current; Settings lists them and ends one, or all but the current one.

Ending a session deletes its row in Django's session table, so that browser's next request is
anonymous. The record keeps only the SHA-256 of the session key, so the row is found by the
database hashing the keys of the live sessions: a scan, for an action people take rarely.
"Log out everywhere" also moves the member's session epoch, part of the session auth hash
(accounts.models.User), which ends every other session, even one never recorded (logged in
before this existed): its next request fails Django's check of that hash."""

import datetime as dt
from importlib import import_module

from django.conf import settings
from django.core import checks
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import SHA256
from django.utils import timezone

from accounts.models import LoginSession, User, sha256_hex
from accounts.services import token_revoke
from core.network import network_of
from core.useragent import summarise

# last_seen_at is written at most this often; the time of the last write is kept in the
# session itself (SEEN_AT, a Unix time), so most requests cost no query.
TOUCH_EVERY = dt.timedelta(minutes=5)
SEEN_AT = "_login_seen_at"


def session_store():
    """The session engine's SessionStore class (settings.SESSION_ENGINE)."""
    return import_module(settings.SESSION_ENGINE).SessionStore


def client_of(request) -> dict[str, str]:
    """What a session records of the browser: a summary of its User-Agent and its network
    (an IPv4 /24 or IPv6 /48), never the address."""
    return {
        "device": summarise(request.META.get("HTTP_USER_AGENT")),
        "network": network_of(request),
    }


def _auth_digest(user: User) -> str:
    return sha256_hex(user.get_session_auth_hash())


# ---- writes -------------------------------------------------------------------------------


@transaction.atomic
def login_session_start(
    *, user: User, session_key: str, expires_at: dt.datetime, device: str, network: str
) -> LoginSession:
    """Record a log-in under the session's (new) key."""
    key_hash = sha256_hex(session_key)
    LoginSession.objects.filter(key_hash=key_hash).delete()
    return LoginSession.objects.create(
        user=user,
        key_hash=key_hash,
        auth_digest=_auth_digest(user),
        expires_at=expires_at,
        device=device,
        network=network,
    )


def login_session_touch(
    *, user: User, session_key: str, expires_at: dt.datetime, device: str, network: str
) -> None:
    """The session is in use: when, from where and until when it lasts. A session that has no
    record (logged in before they were kept) gets one now."""
    fields = {
        "last_seen_at": timezone.now(),
        "expires_at": expires_at,
        "auth_digest": _auth_digest(user),
        "device": device,
        "network": network,
    }
    key_hash = sha256_hex(session_key)
    if LoginSession.objects.filter(key_hash=key_hash, user=user).update(**fields):
        return
    try:
        with transaction.atomic():
            LoginSession.objects.create(user=user, key_hash=key_hash, **fields)
    except IntegrityError:  # a request at the same moment recorded it
        pass


@transaction.atomic
def login_session_rekey(*, user: User, old_key: str, new_key: str) -> None:
    """Django gave the session a new key. After a log-in the new key has its own record, and
    the old one goes; otherwise (a password change, a SECRET_KEY rotation) the same session
    carries on, and its record follows it."""
    old, new = sha256_hex(old_key), sha256_hex(new_key)
    if LoginSession.objects.filter(key_hash=new).exists():
        LoginSession.objects.filter(key_hash=old).delete()
    else:
        LoginSession.objects.filter(key_hash=old, user=user).update(
            key_hash=new, auth_digest=_auth_digest(user)
        )


def login_session_forget(*, session_key: str) -> None:
    """The session is over (logged out, or refused and flushed): its record goes."""
    LoginSession.objects.filter(key_hash=sha256_hex(session_key)).delete()


@transaction.atomic
def login_session_end(*, login_session: LoginSession) -> None:
    """Log one session out: its Django session is deleted, so the browser's next request is
    anonymous."""
    _django_sessions_delete([login_session.key_hash])
    login_session.delete()


@transaction.atomic
def login_sessions_end_others(*, user: User, keep_session_key: str | None) -> int:
    """ "Log out everywhere": every session of the member's but the one kept ends, recorded or
    not, and the API token is revoked. The caller renews the kept session's auth hash
    (django.contrib.auth.update_session_auth_hash), or it ends too. Returns how many recorded
    sessions ended."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    keep = sha256_hex(keep_session_key) if keep_session_key else None
    others = LoginSession.objects.filter(user=user).exclude(key_hash=keep)
    key_hashes = list(others.values_list("key_hash", flat=True))
    _django_sessions_delete(key_hashes)
    others.delete()
    LoginSession.objects.filter(user=user, key_hash=keep).update(auth_digest=_auth_digest(user))
    token_revoke(user=user)
    return len(key_hashes)


def login_sessions_forget_expired() -> int:
    """Delete the records of sessions past their expiry (a daily job: accounts.tasks). Safe to
    run twice."""
    deleted, _ = LoginSession.objects.expired().delete()
    return deleted


class _Sha256Hex(SHA256):
    """Django's SHA256, but on PostgreSQL the built-in sha256() (PostgreSQL 11 and later), not
    pgcrypto's digest(), an extension the database may not have."""

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "ENCODE(SHA256(CONVERT_TO(%(expressions)s, 'UTF8')), 'hex')"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def _django_sessions_delete(key_hashes: list[str]) -> None:
    """Delete the live Django sessions whose key hashes to one of these."""
    if not key_hashes:
        return
    store = session_store()
    live = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
    keys = (
        live.annotate(key_hash=_Sha256Hex("session_key"))
        .filter(key_hash__in=key_hashes)
        .values_list("session_key", flat=True)
    )
    for key in keys:
        store().delete(key)  # through the store: a cached_db engine forgets its copy too


# ---- receivers (connected in AccountsConfig.ready) ---------------------------------------


def on_logged_in(sender, request, user, **kwargs) -> None:
    """user_logged_in: record the session."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        # login() flushed a session that held someone else: the new one gets its key now.
        session.save()
    login_session_start(
        user=user,
        session_key=session.session_key,
        expires_at=session.get_expiry_date(),
        **client_of(request),
    )
    session[SEEN_AT] = int(timezone.now().timestamp())


def on_logged_out(sender, request, user, **kwargs) -> None:
    """user_logged_out: the session's record goes with it."""
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        login_session_forget(session_key=session.session_key)


def check_session_engine(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Ending one session deletes its row: the engine must keep sessions in the database."""
    if hasattr(session_store(), "get_model_class"):
        return []
    return [
        checks.Error(
            f"SESSION_ENGINE {settings.SESSION_ENGINE!r} keeps no session rows: Settings could "
            "not end a member's other sessions.",
            hint="Use django.contrib.sessions.backends.db or cached_db.",
            id="accounts.E001",
        )
    ]
