"""Login lockout: after LOCKOUT_FAILURES wrong passwords for a username within LOCKOUT_WINDOW,
the username is locked for LOCKOUT_DURATION and even the right password is refused. Kept in
the database (accounts.LoginThrottle), never the cache, so it holds with Redis down. Counted
per username whether or not the account exists, so the lock tells nothing about which do.

One address trying many accounts is limited too: failed log-ins count against the client's
address (an IPv6 client's /64) in the cache (core.ratelimit, "login-ip"); over the limit the
log-in page and the API's token answer 429 before looking at the password, and the backend
refuses the rest (the admin's log-in). That limit fails open with Redis down; the lock per
account holds regardless."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import LoginThrottle
from core import ratelimit

LOCKOUT_FAILURES = 30
LOCKOUT_WINDOW = timedelta(hours=1)
LOCKOUT_DURATION = timedelta(hours=1)
USERNAME_MAX_LENGTH = LoginThrottle._meta.get_field("username").max_length


class AccountLocked(ValidationError):
    """Raised by the backend for a locked username. A ValidationError, so the log-in form and
    DRF's token serializer both show the message at the form."""

    def __init__(self, until: datetime):
        super().__init__(message(until), code="locked")
        self.until = until


def message(until: datetime) -> str:
    at = until.astimezone(UTC).strftime("%H:%M")
    return _("Too many failed log-ins: this account is locked until %(time)s UTC.") % {"time": at}


def _key(username: str) -> str:
    return username[:USERNAME_MAX_LENGTH]


def locked_until(username: str) -> datetime | None:
    """When the username's lock ends, or None if it is not locked."""
    return (
        LoginThrottle.objects.filter(username=_key(username), locked_until__gt=timezone.now())
        .values_list("locked_until", flat=True)
        .first()
    )


def failure_record(username: str) -> None:
    """Count one failed password. Set-based updates under the row's lock, so concurrent
    failures all count; attempts while locked do not extend the lock."""
    key = _key(username)
    now = timezone.now()
    in_window = Q(first_failure_at__gt=now - LOCKOUT_WINDOW)
    with transaction.atomic():
        LoginThrottle.objects.get_or_create(username=key)
        LoginThrottle.objects.filter(username=key).exclude(locked_until__gt=now).update(
            failures=Case(When(in_window, then=F("failures") + 1), default=Value(1)),
            first_failure_at=Case(When(in_window, then=F("first_failure_at")), default=Value(now)),
        )
        LoginThrottle.objects.filter(username=key, failures__gte=LOCKOUT_FAILURES).update(
            locked_until=now + LOCKOUT_DURATION, failures=0, first_failure_at=None
        )


def failures_reset(username: str) -> None:
    """A successful log-in forgets the failures (one UPDATE, usually of no row)."""
    LoginThrottle.objects.filter(username=_key(username), failures__gt=0).update(
        failures=0, first_failure_at=None
    )


def throttles_forget() -> dict:
    """Delete the rows that no longer hold anything: not locked, and no failure within the
    window (failure_record would start those at one again anyway). Without this, every name
    ever tried at the log-in form would keep a row."""
    now = timezone.now()
    unlocked = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    no_recent_failure = Q(first_failure_at__isnull=True) | Q(
        first_failure_at__lte=now - LOCKOUT_WINDOW
    )
    deleted, _rows = LoginThrottle.objects.filter(unlocked & no_recent_failure).delete()
    return {"deleted": deleted}


class AddressThrottled(ValidationError):
    """Raised by the backend when the client's address has had too many failed log-ins (the
    pages and the API answer 429 before asking it: core.ratelimit.login_refused)."""

    def __init__(self, exceeded: ratelimit.Exceeded):
        super().__init__(exceeded.message, code="throttled")
        self.exceeded = exceeded


def on_login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    """user_login_failed receiver (connected in AccountsConfig.ready): the failure counts
    against the username (in the database) and the client's address (in the cache)."""
    username = credentials.get(get_user_model().USERNAME_FIELD)
    if isinstance(username, str) and username:
        failure_record(username)
    if request is not None:
        ratelimit.login_failed(request)


class DemoLoginClosed(ValidationError):
    """Raised by the backend for a demo account (seed_demo) outside demo mode: its password is
    public. Said only once the password was right, which tells nobody anything new."""

    def __init__(self):
        super().__init__(
            _("Demo logins work only while the board runs in demo mode (IDEASTORM_DEMO=true)."),
            code="demo_closed",
        )


def demo_logins_open() -> bool:
    """Whether the demo accounts' public password logs in: in demo mode or with DEBUG on."""
    return settings.IDEASTORM_DEMO or settings.DEBUG


class LockoutModelBackend(ModelBackend):
    """ModelBackend that refuses a locked username before looking at the password, a demo
    account's public password outside demo mode, and with IDEASTORM_SSO_ONLY every member's
    password (staff keep theirs): the log-in page, the API's token and the admin alike."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not isinstance(username, str) or not username:
            return None
        if request is not None and (exceeded := ratelimit.login_refused(request)):
            raise AddressThrottled(exceeded)
        until = locked_until(username)
        if until is not None:
            raise AccountLocked(until)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and user.is_demo and not demo_logins_open():
            raise DemoLoginClosed()
        if user is not None and settings.IDEASTORM_SSO_ONLY and not user.is_staff:
            return None  # members log in with single sign-on only: no password works for them
        if user is not None:
            failures_reset(username)
        return user

    def get_user(self, user_id):
        """The request's user, with its roles in the same query (User.objects.get_with_roles)."""
        try:
            user = get_user_model().objects.get_with_roles(int(user_id))
        except (TypeError, ValueError):  # a session holding something else than an id
            return None
        if user is not None and user.is_demo and not demo_logins_open():
            return None  # a session from demo mode ends with it: the password is public
        return user if user is not None and self.user_can_authenticate(user) else None
