from django.utils.functional import SimpleLazyObject, new_method_proxy

from notifications.selectors import unread_count


class LazyCount(SimpleLazyObject):
    __int__ = new_method_proxy(int)
    __index__ = new_method_proxy(int)
    __gt__ = new_method_proxy(lambda count, other: count > other)


def unread(request) -> dict:
    """The bell's unread count, counted only if a template shows it."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"unread_notifications": LazyCount(lambda: unread_count(user))}
