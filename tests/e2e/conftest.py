"""Chromium through Playwright, against pytest-django's live server (a real HTTP server on a
transactional test database). Every test in this folder is marked `browser`."""

import os
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API keeps an event loop running in the test thread, which makes Django
# refuse ORM calls there (SynchronousOnlyOperation) although nothing runs concurrently.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HERE = Path(__file__).parent
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1280, "height": 900}
# Fail in seconds, not in Playwright's default 30 s, when something is missing.
TIMEOUT_MS = 5_000
_call_report = pytest.StashKey()


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep the call phase's report, so a page fixture can photograph a failure."""
    report = yield
    if report.when == "call":
        item.stash[_call_report] = report
    return report


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def _open_page(request, browser, live_server, **context_options):
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = request.node.stash.get(_call_report, None)
    if report is not None and report.failed:
        folder = settings.VAR_DIR / "e2e-failures"
        folder.mkdir(parents=True, exist_ok=True)
        shot = folder / f"{request.node.name}.png"
        page.screenshot(path=shot, full_page=True)
        print(f"screenshot of the failed page: {shot}")
    context.close()


@pytest.fixture
def page(request, browser, live_server):
    """A fresh browser context (no cookies) at 1280x900; `page.goto("/ideas/")` is relative
    to the live server."""
    yield from _open_page(request, browser, live_server)


@pytest.fixture
def page_nojs(request, browser, live_server):
    """The same with JavaScript off: what htmx adds must also work as plain forms."""
    yield from _open_page(request, browser, live_server, java_script_enabled=False)
