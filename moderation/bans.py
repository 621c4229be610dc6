"""Bans: a moderator stops a member from posting, voting, commenting, flagging and following
for some days or until lifted. The member can still read and log out.

Enforced in three places: web.middleware (every unsafe request with a session),
core.roles.NotBanned (the API, token auth included) and ensure_not_banned in the
write services (defence in depth)."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.services import user_ban_set
from core.audit import audit_record
from core.roles import PERMANENT, ban_until_text, ensure_moderator, is_staff_member
from moderation.models import Ban


def _state(user) -> dict:
    until = user.banned_until
    return {
        "banned_until": until.isoformat() if until else None,
        "ban_reason": user.ban_reason,
    }


def _check_moderator(moderator) -> None:
    ensure_moderator(moderator, "Only moderators ban and lift bans.")


def may_ban(moderator, user) -> bool:
    """Moderators ban members; only an admin (a superuser) bans or lifts the ban of staff, so
    one moderator can't lock the others out."""
    return moderator.is_superuser or not is_staff_member(user)


def _check_may_ban(moderator, user) -> None:
    if not may_ban(moderator, user):
        raise PermissionDenied(
            "Only an admin can ban or lift the ban of a moderator or a product manager."
        )


@transaction.atomic
def ban_create(*, moderator, user, reason: str, days: int | None) -> Ban:
    """Ban the user for `days` days, or until lifted (days=None). Refuses, with a message a
    moderator can read: no reason, days not a positive whole number, oneself, a superuser, and
    someone already banned."""
    _check_moderator(moderator)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the member is banned."})
    if len(reason) > Ban._meta.get_field("reason").max_length:
        raise ValidationError({"reason": "Keep the reason to 300 characters."})
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        raise ValidationError(
            {"days": "A ban lasts a whole number of days from 1, or until lifted."}
        )
    if user.pk == moderator.pk:
        raise ValidationError("You can't ban yourself.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_superuser:
        raise ValidationError("A superuser can't be banned.")
    _check_may_ban(moderator, user)
    if user.is_banned:
        raise ValidationError(
            f"{user.username} is already banned until {ban_until_text(user.banned_until)}."
        )
    now = timezone.now()
    until = now + dt.timedelta(days=days) if days is not None else None
    before = _state(user)
    user_ban_set(user=user, until=until or PERMANENT, reason=reason)
    ban = Ban.objects.create(
        user=user, moderator=moderator, reason=reason, until=until, created_at=now
    )
    audit_record(
        actor=moderator,
        action="user.banned",
        target=user,
        reason=reason,
        before=before,
        after=_state(user),
    )
    return ban


@transaction.atomic
def ban_lift(*, moderator, user, reason: str = "") -> None:
    """End the user's current ban now."""
    _check_moderator(moderator)
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_may_ban(moderator, user)
    if not user.is_banned:
        raise ValidationError(f"{user.username} is not banned.")
    now = timezone.now()
    before = _state(user)
    user_ban_set(user=user, until=None, reason="")
    Ban.objects.filter(user=user, lifted_at__isnull=True).filter(
        Q(until__isnull=True) | Q(until__gt=now)
    ).update(lifted_at=now, lifted_by=moderator)
    audit_record(
        actor=moderator,
        action="user.unbanned",
        target=user,
        reason=(reason or "").strip(),
        before=before,
        after=_state(user),
    )
