"""What the board's admins switch off (board.models.BoardSettings) is off on every route: Storm
Sessions' pages and API answer 404, and with anonymous reading off a visitor sees nothing but
the ways in (log in, sign up, recovery, single sign-on, unsubscribe links)."""

from django.http import Http404, JsonResponse

from board.selectors import board_settings
from core.api_errors import error_body
from core.http import login_first

# Open to visitors when the board is for members only: the ways in, and what every page loads.
OPEN_PREFIXES = (
    "/accounts/", "/email/", "/static/", "/media/", "/theme.css", "/healthz", "/readyz", "/admin/",
    "/metrics",  # refuses whoever is not staff and sends no metrics token itself
)  # fmt: skip
OPEN_API = {"api-root", "api-token", "api-board", "api-schema", "api-docs"}


class BoardFeaturesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func.__module__.startswith("web.storms.") and not board_settings().storms_enabled:
            raise Http404("Storm Sessions are switched off on this board.")
        if request.user.is_authenticated or request.path.startswith(OPEN_PREFIXES):
            return None
        is_api = request.path.startswith("/api/")
        if is_api:
            match = request.resolver_match
            if (match and match.url_name in OPEN_API) or _sends_token(request):
                return None  # a token is checked by DRF: a wrong one is a 401 there
        if board_settings().anonymous_reading:
            return None
        if is_api:
            return JsonResponse(
                error_body("Log in to read this board.", "not_authenticated", {}), status=401
            )
        return login_first(request, request.get_full_path())


def _sends_token(request) -> bool:
    return request.META.get("HTTP_AUTHORIZATION", "").startswith("Token ")
