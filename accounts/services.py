from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import ROLE_GROUPS, User


def user_create(*, username: str, email: str, password: str) -> User:
    return User.objects.create_user(username=username, email=email, password=password)


@transaction.atomic
def recorded_customer_claim(*, username: str, email: str, password: str) -> User | None:
    """The account made for a vote a product manager recorded (votes.staff) with this email,
    now the member's own: their name and password, and the votes on it theirs. None if there
    is no such account."""
    claimed = (
        User.objects.select_for_update()
        .filter(email__iexact=email.strip(), recorded_customer=True, deleted_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if claimed is None:
        return None
    claimed.username = username
    claimed.email = User.objects.normalize_email(email.strip())
    claimed.set_password(password)
    claimed.recorded_customer = False
    claimed.email_frequency = User._meta.get_field("email_frequency").default
    # They join now: holds and the vote-stuffing rules treat them as the new member they are.
    claimed.date_joined = timezone.now()
    claimed.save(
        update_fields=[
            "username",
            "email",
            "password",
            "recorded_customer",
            "email_frequency",
            "date_joined",
        ]
    )
    return claimed


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


def user_password_set(*, user: User, password: str) -> User:
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def user_anonymise(*, user: User) -> User:
    """Wipe the account: its name, email, password, roles and API tokens go; what it wrote
    stays, shown as "deleted user"."""
    user.deleted_at = timezone.now()
    user.username = f"deleted-{user.pk}"
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
    return user


def token_revoke(*, user: User) -> int:
    """Delete the user's API token (log the API out); a new one comes from logging in again."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted
