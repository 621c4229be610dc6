"""Whole-page cache for visitors' idea lists, invalidated by a board version.

Every write that can change a list (a vote, a new idea, a ranking job) bumps the version after
its transaction commits; a cached page is stored with the version it was rendered at and served
only while that is still the version, so the next visitor after a vote sees it. It is on only
with a shared cache (Redis), where one version serves every process, and it fails open: with
Redis down, pages are rendered fresh.

Only canonical URLs are cached, so a visitor cannot fill Redis with pages by varying the query
string: a cached view declares the query parameters it reads and the shape of their values
(Param); a request with any other parameter, a parameter given twice, or a value of another
shape is served fresh (and not stored). The key is the scheme, host, path and the declared
parameters, sorted, with empty and default values dropped: two sites sharing a Redis database
never serve each other's pages.
"""

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

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
# Deeper pages of a list are served fresh: visitors rarely go there, and every page number
# would otherwise be a key of its own.
MAX_CACHED_PAGE = 20


@dataclass(frozen=True)
class Param:
    """A query parameter a cached page reads. `accepts` says whether a value has the allowed
    shape (cheap: no database); `known`, if given, whether a value that has it names something
    that exists, asked only before a page is stored (a made-up slug is not cached); `default`
    is the value the view assumes when the parameter is absent. With cached=False any value but
    the default is served fresh (free text, such as a search, would make a key per string).
    `default` may be a function, for a default that is a setting (the board's default order).
    """

    accepts: Callable[[str], bool]
    default: str | Callable[[], str] = ""
    known: Callable[[str], bool] | None = None
    cached: bool = True


def choice(values: Iterable[str], *, default: str | Callable[[], str] = "") -> Param:
    """One of a fixed set of values."""
    allowed = frozenset(values)
    return Param(accepts=allowed.__contains__, default=default)


def pattern(regex: str, *, known: Callable[[str], bool] | None = None) -> Param:
    """A value that matches the regular expression whole."""
    compiled = re.compile(regex)
    return Param(accepts=lambda value: compiled.fullmatch(value) is not None, known=known)


def slug(*, max_length: int = 50, known: Callable[[str], bool] | None = None) -> Param:
    """A slug (what Django's SlugField accepts), up to max_length characters."""
    return pattern(rf"[-a-zA-Z0-9_]{{1,{max_length}}}", known=known)


# A page number from 1 to MAX_CACHED_PAGE, written as core.pagination reads it.
PAGE = Param(
    accepts=lambda value: (
        value.isascii() and value.isdigit() and value[0] != "0" and int(value) <= MAX_CACHED_PAGE
    ),
    default="1",
)
# Free text (a search): allowed, but a page with it is always rendered fresh.
FREE_TEXT = Param(accepts=lambda value: True, cached=False)


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


def cache_for_visitors(view=None, *, query: dict[str, Param] | None = None):
    """Serve a visitor the same page every visitor gets for this URL and board version.
    Members always get a fresh page: it shows their own votes. `query` declares the query
    parameters the view reads (none by default): a request with anything else is served fresh.
    Use as @cache_for_visitors or @cache_for_visitors(query={...})."""
    declared = dict(query or {})

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = _cached_or_rendered(view, declared, request, *args, **kwargs)
            # The same URL answers htmx with a fragment: browsers must not mix the two up.
            patch_vary_headers(response, ("HX-Request",))
            return response

        return wrapper

    return decorate(view) if view is not None else decorate


def canonical_query(request, declared: dict[str, Param]) -> dict[str, str] | None:
    """The request's query as the declared parameters with a value other than their default
    (an empty value is no value), or None when the page must not be cached: an undeclared
    parameter, one given twice, a value of another shape, or a value of a parameter that is
    never cached."""
    canonical = {}
    for name, values in request.GET.lists():
        param = declared.get(name)
        if param is None or len(values) != 1:
            return None
        value = values[0]
        default = param.default() if callable(param.default) else param.default
        if value in ("", default):
            continue
        if not param.cached or not param.accepts(value):
            return None
        canonical[name] = value
    return canonical


def _page_key(request, canonical: dict[str, str]) -> str:
    url = f"{request.scheme}://{request.get_host()}{request.path}?{urlencode(sorted(canonical.items()))}"
    return f"page:{int(wants_fragment(request))}:{hashlib.sha256(url.encode()).hexdigest()}"


def _known(declared: dict[str, Param], canonical: dict[str, str]) -> bool:
    """Whether every value names something that exists (asked before storing a page only)."""
    return all(
        declared[name].known is None or declared[name].known(value)
        for name, value in canonical.items()
    )


def _cached_or_rendered(view, declared: dict[str, Param], request, *args, **kwargs):
    if not _cacheable(request):
        return view(request, *args, **kwargs)
    canonical = canonical_query(request, declared)
    if canonical is None:
        return view(request, *args, **kwargs)
    key = _page_key(request, canonical)
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
    if response.status_code == 200 and not response.streaming and _known(declared, canonical):
        cache.set(key, (version, response.content), PAGE_TTL)
    return response
