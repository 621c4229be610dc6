"""Accounts across apps: signing up, proving an address (and so claiming the votes a product
manager recorded for it), changing address and the settings that decide email, deleting an
account."""

import logging

from django.db import transaction
from django.urls import reverse

from accounts.models import User
from accounts.services import (
    EmailTaken,
    email_verified_elsewhere,
    user_anonymise,
    user_create,
    user_email_mark_verified,
    user_settings_update,
)
from accounts.verification import EmailLink, email_link_token
from core.mail import mail_absolute, mail_send
from notifications.services import notifications_mark_emailed, user_notifications_forget
from votes.services import votes_reassign

log = logging.getLogger(__name__)


def _mail_after_commit(**message) -> None:
    """Send once the account is saved, in the request (the member is waiting for it; the
    SMTP connection has EMAIL_TIMEOUT). A failure is logged, never shown: the answer must not
    depend on the address, and the page offers to send the link again."""

    def send():
        try:
            mail_send(**message)
        except Exception:
            log.exception("Could not send the %s email.", message["template"])

    transaction.on_commit(send)


@transaction.atomic
def member_sign_up(*, username: str, email: str, password: str) -> User:
    """A new member, logged in at once with an unverified address, and a link sent to prove
    it. Whether the address is already someone's is never said here: that account's owner
    reads it in the email instead."""
    user = user_create(username=username, email=email, password=password)
    email_verification_send(user=user)
    return user


def email_verification_send(*, user: User) -> None:
    """Mail the member a link that verifies their address; if the address already belongs to
    another account, the mailbox's owner is told that instead (no second account for them)."""
    if not user.email or user.email_verified_at is not None:
        return
    if email_verified_elsewhere(email=user.email, user=user):
        _mail_address_taken(email=user.email)
        return
    token = email_link_token(user=user, email=user.email)
    _mail_after_commit(
        to=user.email,
        subject="Confirm your email address",
        template="accounts/email/verify",
        context={
            "username": user.username,
            "link": mail_absolute(reverse("email-confirm", args=[token])),
        },
    )


def email_change_request(*, user: User, email: str) -> None:
    """The member asked for a new address: it takes effect when they open the link sent to
    it. The answer is the same whether or not the new address is someone else's."""
    if email.lower() == user.email.lower():
        return
    if email_verified_elsewhere(email=email, user=user):
        _mail_address_taken(email=email)
        return
    token = email_link_token(user=user, email=email, replaces=user.email)
    _mail_after_commit(
        to=email,
        subject="Confirm your new email address",
        template="accounts/email/email_change",
        context={
            "username": user.username,
            "link": mail_absolute(reverse("email-confirm", args=[token])),
        },
    )


def _mail_address_taken(*, email: str) -> None:
    _mail_after_commit(
        to=email,
        subject="You already have an account",
        template="accounts/email/address_taken",
        context={
            "login": mail_absolute(reverse("login")),
            "reset": mail_absolute(reverse("password-reset")),
        },
    )


@transaction.atomic
def email_confirm(*, link: EmailLink) -> User:
    """What an opened link proves: the address is the member's, verified now (for a change,
    it replaces the old one, which is told). An account a product manager made for votes
    recorded for this address is claimed: its votes become the member's. Raises EmailTaken
    when another account verified the address first."""
    user = link.user
    old_email = user.email
    user_email_mark_verified(user=user, email=link.email)
    if link.is_change and old_email and old_email.lower() != user.email.lower():
        _mail_after_commit(
            to=old_email,
            subject="Your email address was changed",
            template="accounts/email/email_changed",
            context={"username": user.username, "new_email": user.email},
        )
    _recorded_customer_claim(user=user)
    return user


@transaction.atomic
def email_proved(*, user: User) -> bool:
    """The member proved they read their current address some other way (a password reset
    link): verified, and recorded votes claimed, as email_confirm does. False when another
    account verified the address first (this one stays unverified)."""
    try:
        with transaction.atomic():
            user_email_mark_verified(user=user)
    except EmailTaken:
        return False
    _recorded_customer_claim(user=user)
    return True


def _recorded_customer_claim(*, user: User) -> int:
    """Votes recorded for this address by a product manager (votes.staff) become the verified
    member's; the account made to hold them goes. Only ever for a verified address: signing
    up with a customer's address claims nothing."""
    moved = 0
    recorded = User.objects.filter(
        email__iexact=user.email, recorded_customer=True, deleted_at__isnull=True
    ).exclude(pk=user.pk)
    for customer in recorded.select_for_update():
        moved += votes_reassign(from_voter=customer, to_voter=user)
        account_delete(user=customer)
    return moved


@transaction.atomic
def account_settings_update(
    *, user: User, email: str, auto_follow: bool, email_frequency: str
) -> bool:
    """Save a member's notification preferences, and ask for their new address if they typed
    one. A verified address changes only when the new one is confirmed (email_confirm); an
    unverified one (a typo at sign-up) changes at once, and the new one gets the link. What
    arrived while they wanted no email stays unemailed: switching email back on doesn't send
    the backlog. True when a link went to a new address."""
    stored = User.objects.select_for_update().get(pk=user.pk)
    user.email, user.email_verified_at = stored.email, stored.email_verified_at
    changing = email.strip().lower() != stored.email.lower()
    keep_email = stored.email if changing and stored.email_verified_at is not None else email
    if user_settings_update(
        user=user, email=keep_email, auto_follow=auto_follow, email_frequency=email_frequency
    ):
        notifications_mark_emailed(recipient=user)
    if not changing:
        return False
    if stored.email_verified_at is not None:
        email_change_request(user=user, email=email)
    else:
        email_verification_send(user=user)
    return True


@transaction.atomic
def account_delete(*, user: User) -> User:
    """Anonymise the account: its ideas, comments and votes stay (shown as "deleted user");
    its name, email, password, roles, follows, notifications and API tokens go."""
    user_notifications_forget(user=user)
    return user_anonymise(user=user)
