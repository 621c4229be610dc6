"""Email verification and email change in Chromium: sign up, open the link from the email
(django.core.mail.outbox: the live server runs in this process), confirm; then change the
address from Settings and confirm the new one. Screenshots at 1280 and 375 px go to
var/screenshots/."""

import re

from playwright.sync_api import Page, expect

from accounts.models import User
from tests.conftest import PASSWORD
from tests.e2e.test_recovery import photograph, wait_for_mail

CONFIRM = re.compile(r"https?://\S+(/accounts/email/confirm/\S+/)")


def test_sign_up_confirm_the_address_then_change_it(page: Page, live_server, mailoutbox):
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill("newbie")
    page.get_by_label("Email").fill("newbie@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("We sent a link to newbie@example.com")).to_be_visible()

    page.goto("/accounts/settings/")
    expect(page.get_by_test_id("email-state")).to_contain_text("Not confirmed yet")
    photograph(page, "verification-settings-unconfirmed")

    mail = wait_for_mail(mailoutbox, 1)
    assert mail.to == ["newbie@example.com"]
    page.goto(CONFIRM.search(mail.body).group(1))
    photograph(page, "verification-confirm")
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_text("Your email address newbie@example.com is confirmed.")).to_be_visible()
    expect(page.get_by_test_id("email-state")).to_have_text("Confirmed.")
    assert User.objects.get(username="newbie").email_verified

    # A new address: the old one stays until the link sent to the new one is opened.
    page.get_by_label("Email").fill("newbie@elsewhere.example")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("your address changes when you open it")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("newbie@example.com")
    photograph(page, "verification-change-requested")

    mail = wait_for_mail(mailoutbox, 2)
    assert mail.to == ["newbie@elsewhere.example"]
    link = CONFIRM.search(mail.body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Use this address").click()
    expect(page.get_by_label("Email")).to_have_value("newbie@elsewhere.example")
    notice = wait_for_mail(mailoutbox, 3)
    assert notice.to == ["newbie@example.com"]

    # The link is spent: opening it again says so.
    page.goto(link)
    expect(page.get_by_role("alert")).to_have_text("This link was already used.")
    photograph(page, "verification-link-used")
