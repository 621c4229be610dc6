"""Whole-page cache for visitors' idea lists, invalidated by two board versions.

Every write that can change what a list holds (a new idea, an edit, a status, moderation, a
merge) bumps the board version after its transaction commits, and a page cached at another
version is never served again. Votes, and the ranking jobs that follow them, change only the
figures and the order: they bump the votes version, and a page cached at another votes version
is still served for LIVE_LAG seconds after it was rendered. Under a steady stream of votes a
list is then rendered about once a second instead of once per vote (invalidating everything on
every vote emptied the cache at 20 votes a second: visitors got 0.2x the API root's rate), and a
visitor sees a vote at most LIVE_LAG seconds (plus a render) after it was cast. The voter is a
member, whose pages are never served from here: they see their vote at once.

It is on only with a shared cache (Redis), where one version serves every process, and it fails
open: with Redis down, pages are rendered fresh.

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
from django.utils import timezone
from django.utils.cache import patch_vary_headers

VERSION_KEY = "board-version"
VOTES_VERSION_KEY = "board-votes-version"
# Seconds a page cached before the last vote is still served to visitors.
LIVE_LAG = 1.0
# Seconds a member's last vote is remembered: longer than LIVE_LAG, after which nothing older
# than it is served anyway.
VOTED_TTL = 10
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
    """The board version: it changes with anything a list holds, not with votes (None without
    a cache)."""
    return _version(VERSION_KEY)


def _version(key: str) -> int | None:
    version = cache.get(key)
    if version is None:
        _start_version(key)
        version = cache.get(key)
    return version


def _start_version(key: str) -> None:
    # A random start: after the key expires, new versions never meet pages cached under old ones.
    cache.add(key, secrets.randbelow(2**62), timeout=VERSION_TTL)


def board_changed() -> None:
    """Invalidate every cached page once the current transaction commits: what a list holds
    changed (an idea added, edited, moved, hidden or merged)."""
    if settings.IDEAS_PAGE_CACHE:
        transaction.on_commit(lambda: _bump(VERSION_KEY))


def votes_changed(*, voter=None) -> None:
    """Votes moved figures and order, once the current transaction commits: cached pages are
    served for up to LIVE_LAG seconds more, then rendered again. The voter (a member) sees their
    own vote at once: what is shared with them must be newer than it (shared())."""
    if not settings.IDEAS_PAGE_CACHE:
        return

    def changed() -> None:
        _bump(VOTES_VERSION_KEY)
        if voter is not None:
            cache.set(_voted_key(voter.pk), timezone.now().timestamp(), VOTED_TTL)

    transaction.on_commit(changed)


def _voted_key(user_id: int) -> str:
    return f"voted:{user_id}"


def _bump(key: str) -> None:
    if hasattr(cache, "bump"):  # FailOpenRedisCache: one round trip
        cache.bump(key, VERSION_TTL)
        return
    try:
        cache.incr(key)  # keeps the key's expiry
    except ValueError:  # the key expired or was never set
        _start_version(key)


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


def known_values(declared: dict[str, Param], canonical: dict[str, str]) -> bool:
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
    # One round trip for all three: a page is stored with the versions it was rendered at.
    found = cache.get_many([VERSION_KEY, VOTES_VERSION_KEY, key])
    version, votes = found.get(VERSION_KEY), found.get(VOTES_VERSION_KEY)
    if version is None or votes is None:
        version, votes = _version(VERSION_KEY), _version(VOTES_VERSION_KEY)
        if version is None or votes is None:  # no cache to be had
            return view(request, *args, **kwargs)
    now = timezone.now().timestamp()
    cached = found.get(key)
    if cached is not None and _fresh(cached, version, votes, now):
        return HttpResponse(cached[3])
    response = view(request, *args, **kwargs)
    if response.status_code == 200 and not response.streaming and known_values(declared, canonical):
        cache.set(key, (version, votes, now, response.content), PAGE_TTL)
    return response


def _fresh(cached: tuple, version: int, votes: int, now: float) -> bool:
    """Whether a cached page may be served: rendered at this board version, and either at this
    votes version or less than LIVE_LAG seconds ago."""
    if len(cached) != 4 or cached[0] != version:
        return False
    return cached[1] == votes or 0 <= now - cached[2] < LIVE_LAG


# A list's count is kept this long at most, while the board version stands.
COUNT_TTL = 300


def cached_count(queryset) -> int:
    """How many rows the queryset has, kept in the cache while the board version stands: votes
    never change which ideas a list holds, so a count over 100,000 ideas (60-100 ms) is taken
    once per change of the board, not once per request. The key is the counting SQL: the same
    filters share one count whatever the order or the viewer. Without a cache, it counts."""
    rows = queryset.order_by().values("pk")
    if not settings.IDEAS_PAGE_CACHE:
        return rows.count()
    sql, params = rows.query.sql_with_params()
    key = "count:" + hashlib.blake2b(repr((sql, params)).encode(), digest_size=16).hexdigest()
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        version = _version(VERSION_KEY)
        if version is None:
            return rows.count()
    cached = found.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    count = rows.count()
    cache.set(key, (version, count), COUNT_TTL)
    return count


def shared(
    request,
    name: str,
    canonical: dict[str, str],
    compute: Callable[[], object],
    *,
    keep: Callable[[], bool] | None = None,
):
    """A value every viewer of this URL shares, such as one page of a list's rows before the
    viewer's own votes are put on them, cached as the visitors' pages are: at the board
    version, and at the votes version or for LIVE_LAG seconds after. Members' pages then skip
    the list's query (and the API its serialising) while nothing changed. A member who voted is
    never given a value older than their vote (votes_changed). `name` says what the value is,
    `canonical` is the request's canonical query (canonical_query); `keep`, if given, says
    whether a value computed may be stored (known_values). Without a cache, it computes."""
    if not settings.IDEAS_PAGE_CACHE:
        return compute()
    url = f"{request.scheme}://{request.get_host()}{request.path}?{urlencode(sorted(canonical.items()))}"
    key = f"shared:{name}:{hashlib.sha256(url.encode()).hexdigest()}"
    keys = [VERSION_KEY, VOTES_VERSION_KEY, key]
    user = getattr(request, "user", None)
    voted_key = _voted_key(user.pk) if user is not None and user.is_authenticated else None
    if voted_key:
        keys.append(voted_key)
    found = cache.get_many(keys)
    version, votes = found.get(VERSION_KEY), found.get(VOTES_VERSION_KEY)
    if version is None or votes is None:
        version, votes = _version(VERSION_KEY), _version(VOTES_VERSION_KEY)
        if version is None or votes is None:
            return compute()
    now = timezone.now().timestamp()
    cached = found.get(key)
    voted_at = found.get(voted_key, 0.0) if voted_key else 0.0
    if cached is not None and _fresh(cached, version, votes, now) and cached[2] > voted_at:
        return cached[3]
    value = compute()
    if keep is None or keep():
        cache.set(key, (version, votes, now, value), PAGE_TTL)
    return value
