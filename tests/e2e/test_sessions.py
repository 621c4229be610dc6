"""Where you're logged in: the same member in two browsers; "Log out everywhere" in one logs the
other out, and the first stays logged in."""

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import TIMEOUT_MS, VIEWPORT
from tests.e2e.test_journeys import log_in

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


def open_browser(browser: Browser, live_server, user_agent: str):
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORT, user_agent=user_agent
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


def test_log_out_everywhere_logs_the_other_browser_out(browser: Browser, live_server, alice):
    laptop_context, laptop = open_browser(browser, live_server, FIREFOX)
    phone_context, phone = open_browser(browser, live_server, SAFARI)
    try:
        for page in (phone, laptop):
            page.goto("/accounts/login/?next=/accounts/settings/")
            log_in(page, "alice")

        sessions = laptop.get_by_test_id("login-sessions")
        expect(
            sessions.get_by_role(
                "heading", name="Where you\N{RIGHT SINGLE QUOTATION MARK}re logged in"
            )
        ).to_be_visible()
        here = sessions.get_by_test_id("login-session").filter(has_text="This device")
        expect(here).to_contain_text("Firefox 128 on Linux")
        expect(sessions.get_by_role("button", name="Log out Safari 17 on iOS")).to_be_visible()

        laptop.get_by_role("button", name="Log out everywhere").click()
        expect(laptop.locator(".messages")).to_contain_text("You are logged out everywhere else")
        expect(sessions.get_by_test_id("login-session")).to_have_count(1)
        expect(laptop.get_by_role("button", name="Log out", exact=True)).to_be_visible()

        phone.reload()
        expect(phone).to_have_url(f"{live_server.url}/accounts/login/?next=/accounts/settings/")
        expect(phone.get_by_role("button", name="Log in")).to_be_visible()
    finally:
        laptop_context.close()
        phone_context.close()
