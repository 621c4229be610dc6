"""Getting back in by email, in Chromium: a password reset and a sign-in link, each from the
log-in page to the email (django.core.mail.outbox: the live server runs in this process) and
back. Screenshots of every new page at 1280 and 375 px go to var/screenshots/."""

import re
import time

from django.conf import settings
from playwright.sync_api import Page, expect

from tests.e2e.test_journeys import log_in
from tests.factories import UserFactory

SHOTS = settings.VAR_DIR / "screenshots"
NEW_PASSWORD = "a-brand-new-passphrase-7"
LINK = re.compile(r"https?://\S+(/accounts/(?:password/reset|login/link)/\S+/)")


def photograph(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 900), (375, 812)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def wait_for_mail(outbox: list, count: int):
    """The `count`th email; emails leave just after the answer (in the server's thread), so
    ask for it until it is there (5 s at most)."""
    deadline = time.monotonic() + 5
    while len(outbox) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(outbox) == count, f"{len(outbox)} emails, want {count}"
    return outbox[count - 1]


def link_in_email(outbox: list, count: int = 1) -> str:
    """The path of the link in the last email."""
    return LINK.search(wait_for_mail(outbox, count).body).group(1)


def test_member_resets_the_password_by_email_and_logs_in_with_it(
    page: Page, live_server, mailoutbox
):
    UserFactory(username="alice", email="alice@example.com")
    page.goto("/accounts/login/")
    photograph(page, "recovery-login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    photograph(page, "recovery-reset-request")

    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    photograph(page, "recovery-reset-sent")

    path = link_in_email(mailoutbox)
    page.goto(path)
    # The token left the address bar for the session.
    expect(page).to_have_url(re.compile(r"/set-password/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    photograph(page, "recovery-reset-form")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is set")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    photograph(page, "recovery-reset-done")

    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/login/")
    log_in(page, "alice", NEW_PASSWORD)

    # The link worked once.
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link doesn't work")
    expect(page.get_by_role("link", name="Email me a new link")).to_be_visible()
    photograph(page, "recovery-reset-bad-link")


def test_member_logs_in_with_an_emailed_link_and_lands_on_next(page: Page, live_server, mailoutbox):
    UserFactory(username="alice", email="alice@example.com")
    page.goto("/accounts/login/?next=/sessions/")
    page.get_by_role("link", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email me a sign-in link")
    photograph(page, "recovery-link-request")

    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    photograph(page, "recovery-link-sent")

    path = link_in_email(mailoutbox)
    page.goto(path)
    button = page.get_by_role("button", name="Log in as alice")
    expect(button).to_be_visible()
    # Opening the link logged nobody in.
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    photograph(page, "recovery-link-confirm")
    button.click()
    expect(page).to_have_url(f"{live_server.url}/sessions/")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.goto(path)
    expect(page.get_by_role("alert")).to_contain_text("used already")
    expect(page.get_by_role("link", name="Email me a new link")).to_be_visible()
    photograph(page, "recovery-link-used")


def test_long_names_and_errors_fit_a_phone(page: Page, live_server, mailoutbox):
    """A long unbroken username and a field error at 375 px: nothing spills sideways."""
    name = "Bartholomew-Fitzwilliam-Montgomery-" + "x" * 60
    UserFactory(username=name[:150], email="bart@example.com")
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto("/accounts/login/link/")
    page.get_by_label("Email").fill("not an address")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.locator(".errors")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    photograph(page, "recovery-link-request-error")
    page.set_viewport_size({"width": 375, "height": 812})
    page.get_by_label("Email").fill("bart@example.com")
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.goto(link_in_email(mailoutbox))
    expect(page.get_by_role("button", name=re.compile("^Log in as Bartholomew"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    photograph(page, "recovery-link-confirm-long-name")


def test_with_single_sign_on_only_the_pages_point_to_it(page: Page, live_server, settings):
    settings.IDEASTORM_SSO_ONLY = True
    page.goto("/accounts/password/reset/")
    expect(page.get_by_text("log in with single sign-on")).to_be_visible()
    page.get_by_role("link", name="go to the log-in page").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("link", name="Forgot your password?")).to_have_count(0)
    page.goto("/accounts/password/reset/")
    photograph(page, "recovery-reset-request-sso-only")
