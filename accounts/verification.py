"""Links that prove a member reads an address: the one sent at sign-up (and again on request)
to verify their address, and the one sent to a new address to change to it.

A link carries a signed token (django.core.signing, its own salt) naming the account, the
address, and for a change the address it replaces. It expires after EMAIL_LINK_DAYS and says
so; it is spent once what it asks has happened: a verification link for an address that is
now verified, or a change link once the account's address is no longer the one it replaces,
reads as used, and so does a change link once the account's password or sessions were reset
(whoever asked for it may not be the owner). Nothing is stored: the account's row is the state."""

from dataclasses import dataclass

from django.core import signing
from django.utils.crypto import salted_hmac

from accounts.models import User

EMAIL_LINK_DAYS = 3
_SALT = "ideastorm.accounts.email-link"


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def _account_state(user: User) -> str:
    """A keyed fingerprint of what a change link must not outlive: the password and the
    sessions' epoch. Someone who held the account for a moment and asked to move its address
    loses the link when the owner resets the password or logs out everywhere."""
    state = f"{user.pk}|{user.password}|{user.session_epoch}"
    return salted_hmac(_SALT, state, algorithm="sha256").hexdigest()[:32]


@dataclass(frozen=True)
class EmailLink:
    user: User
    email: str
    # For a change: the address it replaces (the account's address when the link was sent).
    replaces: str | None
    state: str | None = None

    @property
    def is_change(self) -> bool:
        return self.replaces is not None

    @property
    def spent(self) -> bool:
        current = self.user.email.lower()
        if self.is_change:
            return current != self.replaces.lower() or self.state != _account_state(self.user)
        return current != self.email.lower() or self.user.email_verified_at is not None


def email_link_token(*, user: User, email: str, replaces: str | None = None) -> str:
    payload = {"u": user.pk, "e": email}
    if replaces is not None:
        payload["r"] = replaces
        payload["s"] = _account_state(user)
    return signing.dumps(payload, salt=_SALT, compress=True)


def email_link_read(token: str) -> EmailLink:
    """The link's account and addresses. LinkExpired past its lifetime; LinkInvalid when it
    was altered, or names an account that is gone."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=EMAIL_LINK_DAYS * 24 * 60 * 60)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    if not isinstance(payload, dict) or not isinstance(payload.get("e"), str):
        raise LinkInvalid
    user = User.objects.filter(pk=payload.get("u"), is_active=True, deleted_at__isnull=True)
    user = user.first()
    if user is None:
        raise LinkInvalid
    return EmailLink(
        user=user, email=payload["e"], replaces=payload.get("r"), state=payload.get("s")
    )
