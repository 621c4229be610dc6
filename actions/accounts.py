"""Accounts across apps: signing up (and claiming the votes a product manager recorded for that
email), changing the settings that decide email, deleting an account."""

from django.db import transaction

from accounts.models import User
from accounts.services import (
    recorded_customer_claim,
    user_anonymise,
    user_create,
    user_settings_update,
)
from notifications.services import notifications_mark_emailed, user_notifications_forget


@transaction.atomic
def member_sign_up(*, username: str, email: str, password: str) -> User:
    """A new member. Signing up with the email of an account made for a vote a product manager
    recorded claims that account instead: the votes on it become theirs, and what was waiting
    for it is not emailed (no backlog on day one)."""
    claimed = recorded_customer_claim(username=username, email=email, password=password)
    if claimed is None:
        return user_create(username=username, email=email, password=password)
    notifications_mark_emailed(recipient=claimed)
    return claimed


@transaction.atomic
def account_settings_update(
    *, user: User, email: str, auto_follow: bool, email_frequency: str
) -> User:
    """Save a member's email and notification preferences. What arrived while they wanted no
    email stays unemailed: switching email back on doesn't send the backlog."""
    if user_settings_update(
        user=user, email=email, auto_follow=auto_follow, email_frequency=email_frequency
    ):
        notifications_mark_emailed(recipient=user)
    return user


@transaction.atomic
def account_delete(*, user: User) -> User:
    """Anonymise the account: its ideas, comments and votes stay (shown as "deleted user");
    its name, email, password, roles, follows, notifications and API tokens go."""
    user_notifications_forget(user=user)
    return user_anonymise(user=user)
