from rest_framework.permissions import SAFE_METHODS, BasePermission

from moderation.bans import ban_message


class NotBanned(BasePermission):
    """A banned member may read the API but not write to it. Needed beside
    moderation.middleware: with token auth, DRF sets request.user only inside the view."""

    message = "You are banned."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        if user is not None and getattr(user, "is_banned", False):
            # DRF builds permissions per request, so the message is this member's own.
            self.message = ban_message(user)
            return False
        return True


class IsModerator(BasePermission):
    """Moderators (and superusers): the queue, hide and restore, bans, the audit log."""

    message = "Only moderators can do this."

    def has_permission(self, request, view) -> bool:
        return bool(getattr(request.user, "is_moderator", False))
