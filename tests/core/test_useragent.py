"""A User-Agent header as a person reads it (core.useragent): the browser and its major version,
and the system; an unknown client's own header, cleaned and cut short."""

import pytest

from core.useragent import SUMMARY_MAX_LENGTH, summarise

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


@pytest.mark.parametrize(
    ("header", "summary"),
    [
        (CHROME_WINDOWS, "Chrome 126 on Windows"),
        (CHROME_WINDOWS + " Edg/126.0.2592.87", "Edge 126 on Windows"),
        (CHROME_WINDOWS + " OPR/111.0.0.0", "Opera 111 on Windows"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Safari/605.1.15",
            "Safari 17 on macOS",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1",
            "Chrome 126 on iOS",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) FxiOS/127.0 Mobile/15E148 Safari/605.1.15",
            "Firefox 127 on iPadOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
            "Samsung Internet 25 on Android",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Firefox 128 on Linux",
        ),
        (
            "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36",
            "Chrome 126 on ChromeOS",
        ),
        ("Mozilla/5.0 Firefox/128.0", "Firefox 128"),
    ],
)
def test_known_browsers_read_as_browser_version_and_system(header, summary):
    assert summarise(header) == summary


def test_an_unknown_client_is_its_own_header_without_control_characters():
    assert summarise("curl/8.5.0\r\n\x1b[2J") == "curl/8.5.0[2J"


def test_a_long_header_is_cut_short():
    assert len(summarise("x" * 10_000)) == SUMMARY_MAX_LENGTH


def test_no_header_is_empty():
    assert summarise(None) == summarise("") == ""
