"""Ways back into an account by email: a password reset link, and a sign-in link (Fider's
"magic link") for members who have no password or don't want to type it.

Both are asked for by address and answer nothing about it: the pages say the same whether or
not an account uses it, and the emails leave after the answer (web.accounts.recovery).

A reset link is Django's token (PasswordResetTokenGenerator, our own salt): it names the
account and lasts PASSWORD_RESET_TIMEOUT; setting the password or logging in spends it. A
sign-in link is a signed token (django.core.signing, its own salt) naming the account, a
fingerprint of its state and where to go next: it lasts LOGIN_LINK_MINUTES, and logging in
changes the fingerprint (last_login), so it works once. Nothing is stored: the account's row
is the state."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from core.mail import mail_absolute, mail_send, site_name

log = logging.getLogger(__name__)

LOGIN_LINK_MINUTES = 15
_LOGIN_LINK_SALT = "ideastorm.accounts.login-link"


class PasswordResetTokens(PasswordResetTokenGenerator):
    """Django's reset tokens (account, password hash, last log-in, address, time), under a
    salt of our own so no other use of the default generator yields a valid one."""

    key_salt = "ideastorm.accounts.recovery.PasswordResetTokens"


password_reset_tokens = PasswordResetTokens()


def accounts_at(email: str, *, staff_only: bool = False) -> QuerySet[User]:
    """The accounts an address may recover (case aside): active and not deleted. Not an
    account a product manager made for recorded votes: its customer never asked for email,
    and signing up with the address claims it. With staff_only (IDEASTORM_SSO_ONLY), only
    staff: members log in with single sign-on."""
    email = email.strip()
    if not email:
        return User.objects.none()
    accounts = User.objects.filter(
        email__iexact=email, is_active=True, deleted_at__isnull=True, recorded_customer=False
    )
    return accounts.filter(is_staff=True) if staff_only else accounts


def login_link_accounts(*, staff_only: bool = False) -> QuerySet[User]:
    """Accounts that a sign-in link may log in: only with a verified address. An unverified
    address may have been typed by anyone, and several accounts may share it: a link to it
    would hand each of them to whoever reads that mailbox."""
    accounts = User.objects.filter(
        is_active=True,
        deleted_at__isnull=True,
        recorded_customer=False,
        email_verified_at__isnull=False,
    ).exclude(email="")
    return accounts.filter(is_staff=True) if staff_only else accounts


# ---- sign-in links ----------------------------------------------------------------------


class LoginLinkProblem(Exception):
    """Why a sign-in link doesn't work."""


class LoginLinkExpired(LoginLinkProblem):
    pass


class LoginLinkUsed(LoginLinkProblem):
    """Spent: the account logged in (or changed its password or address) since it was sent."""


class LoginLinkInvalid(LoginLinkProblem):
    """Altered, cut short, or naming an account that can no longer use one."""


@dataclass(frozen=True)
class LoginLink:
    user: User
    next: str


def _account_state(user: User) -> str:
    """A fingerprint of what a link must outlive no change of: the last log-in (so a link
    works once), the password and the address. Keyed, so the password hash never shows."""
    last_login = user.last_login.isoformat() if user.last_login else ""
    state = f"{user.pk}|{last_login}|{user.password}|{user.email.lower()}"
    return salted_hmac(_LOGIN_LINK_SALT, state, algorithm="sha256").hexdigest()[:32]


def login_link_token(*, user: User, next_url: str = "") -> str:
    payload = {"u": user.pk, "s": _account_state(user)}
    if next_url:
        payload["n"] = next_url
    return signing.dumps(payload, salt=_LOGIN_LINK_SALT, compress=True)


def login_link_read(token: str, *, staff_only: bool = False) -> LoginLink:
    """The account a sign-in link logs in, and where it goes next. Raises LoginLinkExpired
    past LOGIN_LINK_MINUTES, LoginLinkUsed once spent, LoginLinkInvalid otherwise."""
    try:
        payload = signing.loads(token, salt=_LOGIN_LINK_SALT, max_age=LOGIN_LINK_MINUTES * 60)
    except signing.SignatureExpired:
        raise LoginLinkExpired from None
    except signing.BadSignature:
        raise LoginLinkInvalid from None
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), str):
        raise LoginLinkInvalid
    next_url = payload.get("n", "")
    user = login_link_accounts(staff_only=staff_only).filter(pk=payload.get("u")).first()
    if user is None or not isinstance(next_url, str):
        raise LoginLinkInvalid
    if not constant_time_compare(payload["s"], _account_state(user)):
        raise LoginLinkUsed
    return LoginLink(user=user, next=next_url)


# ---- the emails -------------------------------------------------------------------------


def _login_link_url(user: User, next_url: str = "") -> str:
    token = login_link_token(user=user, next_url=next_url)
    return mail_absolute(reverse("login-link-confirm", args=[token]))


def _reset_url(user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = password_reset_tokens.make_token(user)
    return mail_absolute(
        reverse("password-reset-confirm", kwargs={"uidb64": uidb64, "token": token})
    )


def _send(messages: Iterable[dict]) -> int:
    """Send each; a failure is logged (never the address) and the others still go."""
    sent = 0
    for message in messages:
        try:
            mail_send(**message)
        except Exception:
            log.exception("Could not send the %s email.", message["template"])
        else:
            sent += 1
    return sent


def password_reset_mail_send(*, email: str, staff_only: bool = False) -> int:
    """Mail each account using this address a way back in: a reset link if it has a
    password; if it has none (single sign-on or sign-in links only) and its address is
    verified, a sign-in link instead. Returns how many emails left."""
    lifetime_minutes = settings.PASSWORD_RESET_TIMEOUT // 60

    def messages():
        for user in accounts_at(email, staff_only=staff_only).order_by("pk"):
            site = site_name()
            if user.has_usable_password():
                subject = f"Reset your {site} password"
                context = {"reset_link": _reset_url(user), "minutes": lifetime_minutes}
            elif user.email_verified:
                subject = f"Your {site} sign-in link"
                context = {"login_link": _login_link_url(user), "minutes": LOGIN_LINK_MINUTES}
            else:
                continue
            yield {
                "to": user.email,
                "subject": subject,
                "template": "accounts/email/password_reset",
                "context": {"username": user.username, **context},
            }

    return _send(messages())


def login_link_mail_send(*, email: str, next_url: str = "", staff_only: bool = False) -> int:
    """Mail a sign-in link to the account whose verified address this is (at most one: a
    verified address belongs to one account). Returns how many emails left."""
    accounts = login_link_accounts(staff_only=staff_only).filter(email__iexact=email.strip())
    return _send(
        {
            "to": user.email,
            "subject": f"Your {site_name()} sign-in link",
            "template": "accounts/email/login_link",
            "context": {
                "username": user.username,
                "login_link": _login_link_url(user, next_url),
                "minutes": LOGIN_LINK_MINUTES,
            },
        }
        for user in accounts.order_by("pk")
    )
