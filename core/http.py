"""Small pieces every view that writes shares: where to go back to, the way to log in, and
the way to refuse."""

from urllib.parse import SplitResult, urlsplit

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from core.pagecache import wants_fragment


def safe_next(request: HttpRequest, fallback: str = "/") -> str:
    """The `next` the form or query carried, if it points at this site; else the fallback."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def htmx_current_url(request: HttpRequest) -> SplitResult:
    """The address of the page an htmx request came from (HX-Current-URL), split; empty when
    there is none or when it isn't a URL (urlsplit refuses "http://[::1"): a header says what
    the client likes."""
    htmx = getattr(request, "htmx", None)
    try:
        return urlsplit((htmx.current_url if htmx is not None else None) or "")
    except ValueError:
        return urlsplit("")


def login_first(request: HttpRequest, back: str) -> HttpResponse:
    """Send a visitor to log in and back to `back`; under htmx, tell htmx to go there (a
    redirect would be followed inside the fragment)."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = redirect_to_login(back).url
        return response
    return redirect_to_login(back)


def forbidden(
    request: HttpRequest, template: str = "403.html", context: dict | None = None
) -> HttpResponse:
    """403 with the reason: the page, or for htmx the template's "forbidden" partial (a
    role="alert" message) at the top of the page, as a 429 is shown; the control that was
    pressed stays as it was."""
    if wants_fragment(request):
        return at_the_top(render(request, f"{template}#forbidden", context, status=403))
    return render(request, template, context, status=403)


def at_the_top(response: HttpResponse) -> HttpResponse:
    """Send an htmx answer (a refusal's message) to the slot at the top of the page instead of
    the control's own target; it replaces the message there, if any."""
    response["HX-Retarget"] = "#page-alert"
    response["HX-Reswap"] = "innerHTML"
    return response
