"""Whole-page cache for visitors' idea lists, invalidated by a board version.

Every write that can change a list (a vote, a new idea, a ranking job) bumps the version after
its transaction commits; a cached page is stored with the version it was rendered at and served
only while that is still the version, so the next visitor after a vote sees it. It is on only
with a shared cache (Redis), where one version serves every process, and it fails open: with
Redis down, pages are rendered fresh.
"""

import hashlib
import secrets
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

VERSION_KEY = "board-version"
# Seconds: bounds staleness if a version bump was lost (Redis away, or this process's cache
# circuit breaker open).
PAGE_TTL = 60
VERSION_TTL = 86400


def board_version() -> int | None:
    version = cache.get(VERSION_KEY)
    if version is None:
        _start_version()
        version = cache.get(VERSION_KEY)
    return version


def _start_version() -> None:
    # A random start: after the key expires, new versions never meet pages cached under old ones.
    cache.add(VERSION_KEY, secrets.randbelow(2**62), timeout=VERSION_TTL)


def board_changed() -> None:
    """Invalidate every cached page once the current transaction commits."""
    if settings.IDEAS_PAGE_CACHE:
        transaction.on_commit(_bump)


def _bump() -> None:
    if hasattr(cache, "bump"):  # FailOpenRedisCache: one round trip
        cache.bump(VERSION_KEY, VERSION_TTL)
        return
    try:
        cache.incr(VERSION_KEY)  # keeps the key's expiry
    except ValueError:  # the key expired or was never set
        _start_version()


def _cacheable(request) -> bool:
    return (
        settings.IDEAS_PAGE_CACHE
        and request.method == "GET"
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def wants_fragment(request) -> bool:
    """An htmx request for part of a page; a history restore wants the whole page back."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def cache_for_visitors(view):
    """Serve a visitor the same page every visitor gets for this URL and board version.
    Members always get a fresh page: it shows their own votes."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = _cached_or_rendered(view, request, *args, **kwargs)
        # The same URL answers htmx with a fragment: browsers must not mix the two up.
        patch_vary_headers(response, ("HX-Request",))
        return response

    return wrapper


def _cached_or_rendered(view, request, *args, **kwargs):
    if not _cacheable(request):
        return view(request, *args, **kwargs)
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    key = f"page:{int(wants_fragment(request))}:{path}"
    # One round trip for both: the page is stored with the version it was rendered at.
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        version = board_version()
        if version is None:  # no cache to be had
            return view(request, *args, **kwargs)
    cached = found.get(key)
    if cached is not None and cached[0] == version:
        return HttpResponse(cached[1])
    response = view(request, *args, **kwargs)
    if response.status_code == 200 and not response.streaming:
        cache.set(key, (version, response.content), PAGE_TTL)
    return response
