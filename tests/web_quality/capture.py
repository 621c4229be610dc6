"""Keep a copy of the pages the tests render, for the Nu HTML Checker that `make test` runs
after pytest (tests/web_quality/check_html.py).

On when IDEASTORM_HTML_CHECK names a folder. Every full HTML page (a <!doctype>, so no htmx
fragment) answered with a 2xx or 4xx status, to Django's test client or to Chromium through
the live server, is written there once per (method, URL pattern, status, kind of viewer):
a few hundred files for the whole suite, not one per request.
"""

import hashlib
import json
import os
import re
import threading
from pathlib import Path

from django.core.handlers.base import BaseHandler
from django.utils.functional import empty

ENV = "IDEASTORM_HTML_CHECK"
# Third-party pages we don't write: Django's admin and DRF's browsable API.
SKIPPED_PREFIXES = ("/admin/", "/api/")
_DOCTYPE = re.compile(rb"\s*<!doctype html", re.IGNORECASE)

_seen: set[str] = set()
_lock = threading.Lock()


def folder() -> Path | None:
    value = os.environ.get(ENV, "").strip()
    return Path(value) if value else None


def _viewer(request) -> str:
    user = getattr(request, "user", None)
    # Never a query of our own: tests pin how many a request makes.
    if user is None or getattr(user, "_wrapped", None) is empty:
        return "unknown"
    if not user.is_authenticated:
        return "visitor"
    roles = vars(getattr(user, "_wrapped", user))
    staff = user.is_staff or roles.get("role_pm") or roles.get("role_moderator")
    return "staff" if staff else "member"


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    return "/" + match.route if match is not None else "<no route>"


def keep(request, response) -> None:
    """Write the response to the folder if it is a full page not kept already."""
    target = folder()
    if target is None or request.path.startswith(SKIPPED_PREFIXES):
        return
    if not (200 <= response.status_code < 300 or 400 <= response.status_code < 500):
        return
    if getattr(response, "streaming", False):
        return
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    content = response.content
    if not _DOCTYPE.match(content[:200]):
        return
    key = f"{request.method} {_route(request)} {response.status_code} {_viewer(request)}"
    name = hashlib.sha1(key.encode()).hexdigest()[:16]
    with _lock:
        if name in _seen:
            return
        _seen.add(name)
    target.mkdir(parents=True, exist_ok=True)
    test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
    about = {"url": request.get_full_path(), "key": key, "test": test}
    # Another xdist worker may write the same page: each file appears whole or not at all.
    for suffix, data in ((".json", json.dumps(about).encode()), (".html", content)):
        temporary = target / f".{name}{suffix}.{os.getpid()}"
        temporary.write_bytes(data)
        temporary.replace(target / f"{name}{suffix}")


def install() -> None:
    """Wrap the request handler both the test client and the live server go through."""
    original = BaseHandler.get_response
    if getattr(original, "_keeps_pages", False):
        return

    def get_response(self, request):
        response = original(self, request)
        keep(request, response)
        return response

    get_response._keeps_pages = True
    BaseHandler.get_response = get_response
