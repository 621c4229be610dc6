"""Who may do what: the one place that reads a user's role or ban.

Roles are groups ("Product managers", "Moderators"); superusers hold every role. The user
model answers `is_product_manager` and `is_moderator` from the groups, cached per request;
everything else asks here: the predicates, the DRF permission classes and the page decorators.
A banned member may read but not write; the wording of the refusal lives here too.
"""

import datetime as dt
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from rest_framework import permissions

from core.http import login_first

# A ban "until lifted" keeps banned_until set (so User.is_banned needs no other column): to
# this far-future sentinel, which ban_until_text shows as "until a moderator lifts it".
PERMANENT = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def is_product_manager(user) -> bool:
    return bool(getattr(user, "is_product_manager", False))


def is_moderator(user) -> bool:
    return bool(getattr(user, "is_moderator", False))


def is_staff_member(user) -> bool:
    """Product managers, moderators and Django staff: never treated as a new account."""
    return bool(getattr(user, "is_staff", False) or is_moderator(user) or is_product_manager(user))


def is_board_admin(user) -> bool:
    """Superusers: the board's settings and categories (/manage/)."""
    return bool(getattr(user, "is_superuser", False) and getattr(user, "is_active", False))


def is_site_staff(user) -> bool:
    """Django staff (the admin's people): who may see how the site is deployed (/healthz)."""
    return bool(getattr(user, "is_staff", False))


def ban_until_text(until: dt.datetime | None) -> str:
    if until is None or until >= PERMANENT:
        return "a moderator lifts the ban"
    return timezone.localtime(until, dt.UTC).strftime("%d %B %Y, %H:%M UTC").lstrip("0")


def ban_message(user) -> str:
    """What a banned member is told when a write is refused."""
    return f"You are banned until {ban_until_text(user.banned_until)}: {user.ban_reason}"


def ensure_not_banned(user) -> None:
    """Raise PermissionDenied, with the reason and the end, if the user is banned now."""
    if getattr(user, "is_banned", False):
        raise PermissionDenied(ban_message(user))


UNVERIFIED_MAY_NOT_POST = (
    "Confirm your email address before you post: open the link we sent you, or send it "
    "again from Settings."
)


def ensure_may_post(user) -> None:
    """Ideas and comments: not banned, and with IDEAS_REQUIRE_VERIFIED_EMAIL a confirmed
    address (staff aside). Reading and voting never need one."""
    ensure_not_banned(user)
    if (
        settings.IDEAS_REQUIRE_VERIFIED_EMAIL
        and not getattr(user, "email_verified", True)
        and not is_staff_member(user)
    ):
        raise PermissionDenied(UNVERIFIED_MAY_NOT_POST)


def ensure_product_manager(user, message: str = "Only product managers can do this.") -> None:
    if not is_product_manager(user):
        raise PermissionDenied(message)


def ensure_moderator(user, message: str = "Only moderators can do this.") -> None:
    if not (user is not None and user.is_authenticated and is_moderator(user)):
        raise PermissionDenied(message)


# The API.


class NotBanned(permissions.BasePermission):
    """A banned member may read the API but not write to it. Needed beside the ban middleware:
    with token auth, DRF sets request.user only inside the view."""

    message = "You are banned."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        if user is not None and getattr(user, "is_banned", False):
            # DRF builds permissions per request, so the message is this member's own.
            self.message = ban_message(user)
            return False
        return True


class IsProductManager(permissions.BasePermission):
    message = "Only product managers can do this."

    def has_permission(self, request, view) -> bool:
        return is_product_manager(request.user)


class IsModerator(permissions.BasePermission):
    """Moderators (and superusers): the queue, hide and restore, bans, the audit log."""

    message = "Only moderators can do this."

    def has_permission(self, request, view) -> bool:
        return is_moderator(request.user)


PM_ONLY = [permissions.IsAuthenticated, IsProductManager, NotBanned]
MODERATORS_ONLY = [permissions.IsAuthenticated, IsModerator, NotBanned]


# Pages.


def _role_required(check, refusal: str, back_to: str):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                is_get = request.method == "GET"
                return login_first(request, request.get_full_path() if is_get else reverse(back_to))
            if not check(request.user):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Visitors are sent to log in (and back); members without the role get a 403 with the reason.
pm_required = _role_required(
    is_product_manager, "Only product managers can see this page.", "pm-dashboard"
)
moderator_required = _role_required(
    is_moderator, "Only moderators can see this page.", "moderation-queue"
)
board_admin_required = _role_required(
    is_board_admin, "Only the board's admins can see this page.", "manage-board"
)
