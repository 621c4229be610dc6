"""Signed links that let a member manage their notification emails without logging in: the
footer's "Manage or stop these emails" page and RFC 8058's one-click `List-Unsubscribe`.

The token is the member's id signed with a dedicated salt that includes their current email
address (django.core.signing, keyed by SECRET_KEY): it does not expire, but a link leaked
for an old address stops working once the address changes, and tells nothing of the
address itself."""

from django.core import signing
from django.urls import reverse

from accounts.models import User
from core.mail import mail_absolute

SALT = "ideastorm.notifications.email-preferences"


def _signer(email: str) -> signing.Signer:
    return signing.Signer(salt=f"{SALT}:{email.strip().lower()}")


def email_token(user: User) -> str:
    """The token for `user`'s current address."""
    return _signer(user.email).sign(str(user.pk))


def email_token_user(token: str) -> User | None:
    """The active member a token was signed for, or None: tampered, for an address the
    account no longer has, or for a deleted account."""
    pk, sep, _ = token.partition(":")
    if not sep or not (pk.isascii() and pk.isdigit()) or len(pk) > 18:
        return None
    user = (
        User.objects.filter(pk=int(pk), is_active=True, deleted_at__isnull=True)
        .exclude(email="")
        .first()
    )
    if user is None:
        return None
    try:
        _signer(user.email).unsign(token)
    except signing.BadSignature:
        return None
    return user


def unsubscribe_url(user: User) -> str:
    """The absolute URL of `user`'s email preferences page (and one-click unsubscribe)."""
    return mail_absolute(reverse("email-unsubscribe", args=[email_token(user)]))
