"""Rate limits on writes and log-ins: fixed-window counters in the cache, one key per action,
subject and window. The limits (settings.IDEAS_RATE_LIMIT_RATES) are lifted by
IDEAS_RATE_LIMITS=off, and they fail open: when the cache is down, every request goes through.
A per-address limit counts an IPv6 client by its /64: one host usually holds a whole /64, and
could otherwise take a new address for every request."""

import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from rest_framework.exceptions import ErrorDetail, Throttled

from core.http import at_the_top
from core.network import client_address, network_of_address
from core.pagecache import wants_fragment

logger = logging.getLogger(__name__)

MESSAGES = {
    "idea": gettext_lazy("You're posting ideas faster than we allow: at most %(rate)d %(per)s."),
    "comment": gettext_lazy("You're commenting faster than we allow: at most %(rate)d %(per)s."),
    "vote": gettext_lazy("You're voting faster than we allow: at most %(rate)d %(per)s."),
    "vote-ip": gettext_lazy(
        "Too many votes are coming from your network: at most %(rate)d %(per)s."
    ),
    "signup-ip": gettext_lazy(
        "Too many accounts are being created from your network: at most %(rate)d %(per)s."
    ),
    "flag": gettext_lazy("You're flagging faster than we allow: at most %(rate)d %(per)s."),
    "login-ip": gettext_lazy(
        "Too many failed log-ins from your network: at most %(rate)d %(per)s."
    ),
    "email-link": gettext_lazy(
        "You asked for the confirmation link too often: at most %(rate)d %(per)s."
    ),
    "email-link-ip": gettext_lazy(
        "Too many password reset and sign-in emails were asked for from your network: "
        "at most %(rate)d %(per)s."
    ),
    "email-link-to": gettext_lazy(
        "Too many password reset and sign-in emails were asked for this address: "
        "at most %(rate)d %(per)s."
    ),
}
# A per-address limit counts an IPv6 client by this prefix (core.network keeps /48 networks
# for the vote-stuffing job; a /64 is one site's LAN, usually one host).
IPV6_LIMIT_PREFIX = 64
PERIODS = {
    60: gettext_lazy("a minute"),
    60 * 60: gettext_lazy("an hour"),
    24 * 60 * 60: gettext_lazy("a day"),
}


@dataclass(frozen=True)
class Exceeded:
    """A limit that a request went over, and how long until its window ends."""

    scope: str
    rate: int
    period: int
    retry_after: int  # whole seconds, at least 1

    @property
    def message(self) -> str:
        per = PERIODS.get(self.period) or ngettext(
            "every %(n)d second", "every %(n)d seconds", self.period
        ) % {"n": self.period}
        limit = MESSAGES[self.scope] % {"rate": self.rate, "per": per}
        return f"{limit} {_('Try again in %(wait)s.') % {'wait': _wait(self.retry_after)}}"


def _wait(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def hit(scope: str, subject: object) -> Exceeded | None:
    """Count one action by the subject (a user id, an address) and say whether it went over
    the scope's limit. Costs nothing with IDEAS_RATE_LIMITS off."""
    return hits((scope, subject))


def hits(*actions: tuple[str, object]) -> Exceeded | None:
    """Count one action against each (scope, subject), in order, and return the first limit
    gone over; the scopes after it are not counted (a member over their own limit does not use
    up their network's). With a Redis cache, the counts are one round trip together."""
    if not settings.IDEAS_RATE_LIMITS:
        return None
    now = time.time()
    limits, counters = [], []
    for scope, subject in actions:
        rate, period = settings.IDEAS_RATE_LIMIT_RATES[scope]
        window = int(now // period)
        limits.append((scope, rate, period, window))
        counters.append((_key(scope, subject, window), period, rate))
    try:
        counts = _count(counters)
    except Exception as exc:  # any cache failure (down, key evicted) lets the request through
        # The scopes only: a subject may be an address, which is never kept.
        logger.warning("rate limit %s failed open: %r", [a[0] for a in actions], exc)
        return None
    # FailOpenRedisCache answers None when Redis is down: fail open too.
    for (scope, rate, period, window), count in zip(limits, counts or (), strict=False):
        if count is not None and count > rate:
            retry_after = max(1, math.ceil((window + 1) * period - now))
            return Exceeded(scope=scope, rate=rate, period=period, retry_after=retry_after)
    return None


def _key(scope: str, subject: object, window: int) -> str:
    return f"ratelimit:{scope}:{_subject(subject)}:{window}"


def _subject(subject: object) -> object:
    """An IPv6 address counts as its /64; anything else as itself."""
    if isinstance(subject, str) and ":" in subject:
        return network_of_address(subject, ipv6_prefix=IPV6_LIMIT_PREFIX) or subject
    return subject


def peek(scope: str, subject: object) -> Exceeded | None:
    """Whether the subject has already used up the scope's limit in this window, without
    counting anything: for limits on failures (counted by hit() when one happens), checked
    before the attempt. Fails open, and costs nothing with IDEAS_RATE_LIMITS off."""
    if not settings.IDEAS_RATE_LIMITS:
        return None
    rate, period = settings.IDEAS_RATE_LIMIT_RATES[scope]
    now = time.time()
    window = int(now // period)
    try:
        count = cache.get(_key(scope, subject, window))
    except Exception as exc:  # any cache failure lets the request through
        logger.warning("rate limit %s failed open: %r", scope, exc)
        return None
    if isinstance(count, int) and count >= rate:
        retry_after = max(1, math.ceil((window + 1) * period - now))
        return Exceeded(scope=scope, rate=rate, period=period, retry_after=retry_after)
    return None


def _count(counters: list[tuple[str, int, int]]) -> list[int | None] | None:
    """Count (key, window, limit) counters in order, up to the first over its limit."""
    if hasattr(cache, "count_in_windows"):  # FailOpenRedisCache: one round trip for all
        return cache.count_in_windows(counters)
    counts = []
    for key, period, rate in counters:
        cache.add(key, 0, timeout=period)
        counts.append(cache.incr(key))
        if counts[-1] > rate:
            break
    return counts


def vote_hit(request: HttpRequest, voter=None) -> Exceeded | None:
    """The two vote limits, per member and per address (the page and the API share them).
    `voter` when it isn't request.user yet (a log-in in progress: web.pending)."""
    voter = voter if voter is not None else request.user
    return hits(("vote", voter.pk), ("vote-ip", client_address(request)))


def login_refused(request: HttpRequest) -> Exceeded | None:
    """Whether the client's address (an IPv6 client's /64) has had too many failed log-ins
    this window: checked before a password is (the log-in page, the API's token). The lockout
    in the database (accounts.lockout) limits each account; this limits one address trying
    many, and like every limit here it fails open."""
    return peek("login-ip", client_address(request))


def login_failed(request: HttpRequest) -> None:
    """Count a failed log-in against the client's address (see login_refused)."""
    hit("login-ip", client_address(request))


def page_response(request: HttpRequest, exceeded: Exceeded) -> HttpResponse:
    """429 with the reason: the page, or for htmx the message at the top of the page (the
    control that was pressed stays as it was)."""
    context = {"message": exceeded.message}
    if wants_fragment(request):
        response = at_the_top(render(request, "429.html#rate-limited", context, status=429))
    else:
        response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(exceeded.retry_after)
    return response


class RateLimited(Throttled):
    """DRF's 429 with our message as the detail and a Retry-After header."""

    def __init__(self, exceeded: Exceeded):
        super().__init__(wait=exceeded.retry_after)
        self.detail = ErrorDetail(exceeded.message, code=self.default_code)


def check_api(exceeded: Exceeded | None) -> None:
    """Raise the API's 429 for a limit that was exceeded."""
    if exceeded is not None:
        raise RateLimited(exceeded)
