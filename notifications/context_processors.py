from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count


def unread(request) -> dict:
    """The bell's unread count, counted only if a template shows it."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
