from django.http import JsonResponse
from django.shortcuts import render

from core.http import forbidden
from core.roles import ban_message, ban_until_text

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# What a banned member may still post: leaving, their own account, marking notifications
# read and choosing their emails. Everything else that writes is refused.
ALLOWED_WHEN_BANNED = {
    "login",
    "logout",
    "password-reset",
    "password-reset-confirm",
    "login-link",
    "login-link-confirm",
    "account-settings",
    "account-password",
    "account-token-revoke",
    "account-delete",
    "email-verify-send",
    "email-confirm",
    "account-session-end",
    "account-sessions-end-others",
    "openid_connect_login",
    "github_login",
    "sso-disconnect",
    "notifications-read",
    "email-unsubscribe",
    "api-token",
    "api-user-me",
    "api-user-password",
    "api-user-delete",
    "api-user-session-detail",
    "api-notifications-read",
    "api-notification-read",
}


class BanMiddleware:
    """Refuse, with 403 and the reason, every unsafe request from a banned member (session
    auth; core.roles.NotBanned covers API tokens)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in SAFE_METHODS:
            return None
        user = request.user
        if not getattr(user, "is_banned", False):
            return None
        if request.resolver_match and request.resolver_match.view_name in ALLOWED_WHEN_BANNED:
            return None
        if request.path_info.startswith("/api/"):
            body = {"detail": ban_message(user), "code": "permission_denied"}
            return JsonResponse(body, status=403)
        return banned_response(request)


class MethodNotAllowedPageMiddleware:
    """Django answers a wrong method (a GET on a POST-only page) with an empty 405; a person
    who followed such an address gets the site's 405 page instead, with the same status and
    Allow header. The API keeps its JSON answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code != 405
            or response.content
            or request.path_info.startswith("/api/")
            or not request.accepts("text/html")
        ):
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response["Allow"]
        return page


def banned_response(request):
    """The 403 a banned member gets instead of a write: the reason and until when."""
    user = request.user
    context = {"reason": user.ban_reason, "until": ban_until_text(user.banned_until)}
    return forbidden(request, "moderation/banned.html", context)
