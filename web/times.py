"""Times that read "… ago" in renderings kept in the cache.

A comment or an idea page rendered for the cache shows when things happened as "3 hours, 5
minutes ago" (includes/when.html, web.templatetags.ideas_tags.ago): text that changes every
minute for anything less than a day old. Kept with the text in, a rendering is stale a minute
later; keyed on the text, it is rendered again every minute, and every rendering of a thread of
recent comments with it. So a rendering kept in the cache has a marker instead of each such text
(mark_times), and the page gets the text as it reads now when it is served (fill_times), one
timesince per time and per minute in this process, however many pages show it.
"""

import datetime as dt
import re

from django.utils import timezone
from django.utils.html import escape
from django.utils.timesince import timesince
from django.utils.translation import get_language
from django.utils.translation import gettext as _

MINUTE, HOUR, DAY = 60, 3600, 86400
_MARK = "\ue005"
# A marker, and the time it stands for (a group: re.split keeps it).
MARKED_TIME = re.compile(f"{_MARK}([^{_MARK}<>]+){_MARK}")
# includes/when.html's element: the machine-readable time, a title, and the text.
_TIME = re.compile(r'(<time datetime="([^"<>]+)"[^<>]*>)([^<>]*)(</time>)')
# Texts already worked out, by time, language and ago_key: at most one per time and minute.
_texts: dict[tuple, str] = {}
_TEXTS_MAX = 20_000


def ago(at) -> str:
    """How long ago, as "3 days ago"; "just now" under a minute (timesince says "0 minutes").
    The templates' `ago` filter (web.templatetags.ideas_tags) is this. Anything but an aware
    datetime is left to timesince's own rules."""
    if not at:
        return ""
    aware = isinstance(at, dt.datetime) and timezone.is_aware(at)
    if aware and dt.timedelta(0) <= timezone.now() - at < dt.timedelta(minutes=1):
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(at)}


def ago_key(at: dt.datetime | None, now: dt.datetime) -> tuple | None:
    """A value that changes whenever ago(at) would read differently at `now`. ago shows the two
    largest units (django.utils.timesince): under a day the text changes with the minute ("5
    hours, 3 minutes"), under 28 days at most with the hour ("3 days, 4 hours", "2 weeks, 1
    day"), both counted from `at`. From 28 days on, months count: they turn at the time of day
    of `at` (without its microseconds) or, when the month is shorter than `at`'s day, at
    midnight; days and weeks turn at that time of day. Under a minute it is "just now"; a time
    ahead of `now` reads "0 minutes ago"."""
    if at is None:
        return None
    seconds = (now - at).total_seconds()
    if seconds < 0:
        return (-1,)
    if seconds < DAY:
        return (0, int(seconds // MINUTE))
    if seconds < 28 * DAY:
        return (1, int(seconds // HOUR))
    whole_seconds = (now - at.replace(microsecond=0)).total_seconds()
    return (2, int(whole_seconds // DAY), now.astimezone(at.tzinfo).date())


def _parse(value: str) -> dt.datetime | None:
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if timezone.is_aware(at) else None


def mark_times(html: str, started: dt.datetime) -> str | None:
    """The rendering (begun at `started`) with a marker for each "… ago" text; None if one of
    them turned to another text while it was rendered (the rendering is then not to be kept:
    which text it holds is not known)."""
    now = timezone.now()
    turned = False

    def mark(match: re.Match) -> str:
        nonlocal turned
        opening, value, text, closing = match.groups()
        at = _parse(value)
        if at is None:
            return match.group(0)
        if ago_key(at, started) != ago_key(at, now):
            turned = True
            return match.group(0)
        if text != escape(ago(at)):  # another kind of time (a date)
            return match.group(0)
        return f"{opening}{_MARK}{value}{_MARK}{closing}"

    marked = _TIME.sub(mark, html)
    return None if turned else marked


def time_text(value: str, now: dt.datetime, language: str) -> str:
    """The "… ago" (escaped) of a marker's time as it reads at `now`: worked out once per time
    and per minute (or hour, or day) in this process."""
    at = _parse(value)
    if at is None:
        return ""
    key = (value, language, ago_key(at, now))
    found = _texts.get(key)
    if found is None:
        found = escape(ago(at))
        if ago_key(at, timezone.now()) == key[2]:  # not turned while it was worked out
            if len(_texts) >= _TEXTS_MAX:
                _texts.clear()
            _texts[key] = found
    return found


def fill_times(html: str) -> str:
    """The rendering with each marker replaced by its time's "… ago" as it reads now."""
    if _MARK not in html:
        return html
    now, language = timezone.now(), get_language()
    return MARKED_TIME.sub(lambda match: time_text(match.group(1), now, language), html)


def split_times(html: str) -> tuple[str, ...]:
    """The rendering cut at its markers, for join_times: text, time, text, … text."""
    return tuple(MARKED_TIME.split(html))


def join_times(parts: tuple[str, ...]) -> str:
    """A rendering cut by split_times, each time as it reads now."""
    if len(parts) == 1:
        return parts[0]
    now, language = timezone.now(), get_language()
    return "".join(
        time_text(part, now, language) if n % 2 else part for n, part in enumerate(parts)
    )
