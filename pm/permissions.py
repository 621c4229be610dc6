from functools import wraps

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.http import login_first


def pm_required(view):
    """Visitors are sent to log in; members who are not product managers get a 403.
    Superusers count as product managers (accounts.User.is_product_manager)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            back = request.get_full_path() if request.method == "GET" else reverse("pm-dashboard")
            return login_first(request, back)
        if not request.user.is_product_manager:
            raise PermissionDenied("Only product managers can see this page.")
        return view(request, *args, **kwargs)

    return wrapper
