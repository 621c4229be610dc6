"""A browser's User-Agent header as a person reads it: "Firefox 128 on Windows". Enough to
recognise one's own devices in a list of sessions, not to detect features: a few known
tokens, looked up in order, never a general grammar. The header is whatever the client sent,
so it is cut short and stripped of control characters before anything reads it."""

import re

from core.text import printable_line

SUMMARY_MAX_LENGTH = 200
# Real headers are a few hundred characters; nothing past this is read.
_READ_AT_MOST = 1000

# (name, version token). The first found wins: Edge and Opera also say "Chrome", Chrome also
# says "Safari", so the more particular come first.
_BROWSERS = (
    ("Edge", r"Edg(?:e|A|iOS)?/"),
    ("Opera", r"(?:OPR|OPiOS)/"),
    ("Samsung Internet", r"SamsungBrowser/"),
    ("Vivaldi", r"Vivaldi/"),
    ("Firefox", r"(?:Firefox|FxiOS)/"),
    ("Chrome", r"(?:Chrome|CriOS)/"),
    ("Chromium", r"Chromium/"),
    ("Safari", r"Version/(?=[0-9.]+ (?:Mobile/\S+ )?Safari/)"),
)
_BROWSER_PATTERNS = [(name, re.compile(token + r"([0-9]{1,4})")) for name, token in _BROWSERS]

# iPhone and iPad before "Mac OS X", which both carry; Android before Linux, which it carries.
_SYSTEMS = (
    ("Windows", "Windows"),
    ("iOS", "iPhone"),
    ("iPadOS", "iPad"),
    ("Android", "Android"),
    ("ChromeOS", "CrOS"),
    ("macOS", "Macintosh"),
    ("Linux", "Linux"),
)


def summarise(user_agent: str | None) -> str:
    """ "Firefox 128 on Windows", "Safari 17 on iOS", "Chrome 126"; for a client none of the
    known browsers, its own header (cleaned, cut to SUMMARY_MAX_LENGTH); "" for none."""
    header = printable_line((user_agent or "")[:_READ_AT_MOST]).strip()
    browser = next(
        (
            f"{name} {found[1]}"
            for name, pattern in _BROWSER_PATTERNS
            if (found := pattern.search(header))
        ),
        None,
    )
    if browser is None:
        return header[:SUMMARY_MAX_LENGTH]
    system = next((name for name, token in _SYSTEMS if token in header), None)
    return f"{browser} on {system}" if system else browser
