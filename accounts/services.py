import re
import zlib

from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from rest_framework.authtoken.models import Token

from accounts.models import ROLE_GROUPS, BannedEmail, LoginSession, User
from accounts.validators import is_reserved_username
from core.auth import token_expired

# Room for a "-<n>" suffix within the username column.
USERNAME_BASE_MAX_LENGTH = 140
USERNAME_ATTEMPTS = 5


def email_hash(email: str) -> str:
    """A keyed hash of the address (Django's SECRET_KEY): equal for equal addresses, whatever
    their case, and telling nothing without the key."""
    return salted_hmac(
        "ideastorm.banned-email", email.strip().lower(), algorithm="sha256"
    ).hexdigest()


def ensure_email_not_banned(email: str) -> None:
    """Refuse an address whose account was deleted while banned, until that ban ends."""
    until = (
        BannedEmail.objects.filter(email_hash=email_hash(email), banned_until__gt=timezone.now())
        .values_list("banned_until", flat=True)
        .first()
    )
    if until is not None:
        raise ValidationError(
            {"email": "An account with this email was banned: it can't sign up again yet."}
        )


def user_create(*, username: str, email: str, password: str) -> User:
    ensure_email_not_banned(email)
    return User.objects.create_user(username=username, email=email, password=password)


class EmailTaken(ValidationError):
    """The address is verified by another account: told only to someone who proved they read
    that mailbox (a link sent to it), never at sign-up or in settings."""


def email_verified_elsewhere(*, email: str, user: User | None = None) -> bool:
    others = User.objects.filter(email__iexact=email.strip(), email_verified_at__isnull=False)
    if user is not None:
        others = others.exclude(pk=user.pk)
    return others.exists()


@transaction.atomic
def user_email_mark_verified(*, user: User, email: str | None = None) -> bool:
    """The member proved they read `email` (their current address by default; a new address
    for an email change): it becomes their address, verified now. False when it already was.
    Raises EmailTaken when another account verified that address first."""
    email = User.objects.normalize_email((email or user.email).strip())
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.email_verified_at is not None and locked.email.lower() == email.lower():
        return False
    if email_verified_elsewhere(email=email, user=user):
        raise EmailTaken(
            "This address already belongs to another account: log in to that one instead.",
            code="email_taken",
        )
    user.email, user.email_verified_at = email, timezone.now()
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified_at"])
    except IntegrityError:  # verified elsewhere at this very moment
        raise EmailTaken(
            "This address already belongs to another account: log in to that one instead.",
            code="email_taken",
        ) from None
    return True


def role_set(*, user: User, role: str, granted: bool = True) -> None:
    """Put the user in (or take them out of) the group behind a role: "pm" or "moderator"."""
    # get_or_create: the groups come from a data migration, but an admin may have deleted one.
    group, _ = Group.objects.get_or_create(name=ROLE_GROUPS[role])
    if granted:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    user.__dict__.pop("_group_names", None)


@transaction.atomic
def user_settings_update(
    *, user: User, email: str, auto_follow: bool, email_frequency: str
) -> bool:
    """Save a member's email and notification preferences. True when they switched email back
    on after wanting none."""
    # Read from the row: a bound ModelForm has already changed the instance.
    stored = User.objects.select_for_update().values_list("email_frequency", flat=True)
    was_silent = stored.get(pk=user.pk) == User.EmailFrequency.NEVER
    user.email, user.auto_follow, user.email_frequency = email, auto_follow, email_frequency
    user.save(update_fields=["email", "auto_follow", "email_frequency"])
    return was_silent and email_frequency != User.EmailFrequency.NEVER


@transaction.atomic
def user_email_frequency_set(*, user: User, frequency: str) -> bool:
    """Set how often a member is emailed (each event, a daily digest, never). True when they
    switched email back on after wanting none."""
    if frequency not in User.EmailFrequency.values:
        raise ValueError(f"Unknown email frequency {frequency!r}.")
    stored = User.objects.select_for_update().values_list("email_frequency", flat=True)
    was_silent = stored.get(pk=user.pk) == User.EmailFrequency.NEVER
    user.email_frequency = frequency
    user.save(update_fields=["email_frequency"])
    return was_silent and frequency != User.EmailFrequency.NEVER


@transaction.atomic
def user_password_set(*, user: User, password: str) -> User:
    """Set a new password; the API token goes with the old one (whoever held the token may
    have had the password too)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    token_revoke(user=user)
    return user


@transaction.atomic
def user_anonymise(*, user: User) -> User:
    """Wipe the account: its name, email, password, roles and API tokens go; what it wrote
    stays, shown as "deleted user"."""
    if user.is_banned and user.email:
        # Deleting the account doesn't end the ban: the same address can't sign up again.
        BannedEmail.objects.update_or_create(
            email_hash=email_hash(user.email), defaults={"banned_until": user.banned_until}
        )
    user.deleted_at = timezone.now()
    # deleted-<id>, or a free variant if an account took that name before it was reserved.
    username, n = f"deleted-{user.pk}", 1
    while User.objects.filter(username__iexact=username).exclude(pk=user.pk).exists():
        n += 1
        username = f"deleted-{user.pk}-{n}"
    user.username = username
    user.email = user.first_name = user.last_name = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.save(
        update_fields=[
            "deleted_at",
            "username",
            "email",
            "first_name",
            "last_name",
            "password",
            "is_active",
            "is_staff",
            "is_superuser",
        ]
    )
    user.groups.clear()
    user.__dict__.pop("_group_names", None)
    Token.objects.filter(user=user).delete()
    # Its single sign-on identities (the provider's claims about them included) go too.
    SocialAccount.objects.filter(user=user).delete()
    # Its sessions already fail (no password, inactive); what they recorded goes too.
    LoginSession.objects.filter(user=user).delete()
    return user


def token_revoke(*, user: User) -> int:
    """Delete the user's API token (log the API out); a new one comes from logging in again."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


def token_for(*, user: User) -> Token:
    """The user's API token (POST /api/auth/token/): theirs, or a new one if they have none or
    theirs has expired (IDEASTORM_API_TOKEN_DAYS)."""
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and not token_expired(token):
            return token
        if token is not None:
            token.delete()
        try:
            with transaction.atomic():
                return Token.objects.create(user=user)
        except IntegrityError:  # a log-in at the same moment made one: that one is theirs
            return Token.objects.get(user=user)


# Accounts for customers whose votes a product manager records (votes.staff).


def _lock_email(email: str) -> None:
    """Two product managers recording for one new email at once make one account: the second
    waits here until the first commits, then finds it."""
    if connection.vendor != "postgresql":
        return
    key = zlib.crc32(f"ideastorm-recorded-customer:{email.lower()}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _username_for(email: str) -> str:
    """A free username from the email's local part (the domain stays private)."""
    local = email.rsplit("@", 1)[0]
    base = re.sub(r"[^\w.+-]", "", local)[:USERNAME_BASE_MAX_LENGTH] or "customer"
    candidate, n = base, 1
    taken = User.objects.filter  # a name in use, or reserved (accounts.validators)
    while is_reserved_username(candidate) or taken(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def recorded_customer_for(email: str, name: str) -> tuple[User, bool]:
    """The member who verified this email (case-insensitive), or the recorded-customer account
    for it, or a new one. Never an account whose address is unverified: anyone can type a
    customer's address at sign-up, and the customer's vote is theirs only once they prove it
    (actions.accounts.email_confirm claims it). Call it inside the transaction that uses the
    account: the email stays locked until then."""
    _lock_email(email)
    existing = (
        User.objects.filter(email__iexact=email, deleted_at__isnull=True)
        .filter(Q(email_verified_at__isnull=False) | Q(recorded_customer=True))
        .order_by("recorded_customer", "pk")
        .first()
    )
    if existing is not None:
        return existing, False
    email = User.objects.normalize_email(email)
    for attempt in range(USERNAME_ATTEMPTS):
        customer = User(
            username=_username_for(email),
            email=email,
            first_name=name,
            recorded_customer=True,
            is_active=True,
            # They never asked for email: nothing is sent until they claim the account.
            email_frequency=User.EmailFrequency.NEVER,
        )
        customer.set_unusable_password()
        try:
            with transaction.atomic():
                customer.save()
            return customer, True
        except IntegrityError:
            # Another account took the username meanwhile: derive the next one.
            if attempt == USERNAME_ATTEMPTS - 1:
                raise


def user_ban_set(*, user: User, until, reason: str) -> None:
    """Set or end (until=None) the ban a member carries on their account row; the ban's history
    and its rules are moderation's (moderation.bans)."""
    user.banned_until = until
    user.ban_reason = reason if until is not None else ""
    user.save(update_fields=["banned_until", "ban_reason"])
