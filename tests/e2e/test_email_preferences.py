"""The page an email's footer links to works for a logged-out member without JavaScript."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import User
from notifications.unsubscribe import email_token


def test_a_logged_out_member_changes_their_emails_from_the_link(page_nojs: Page, alice):
    page = page_nojs
    page.goto(reverse("email-unsubscribe", args=[email_token(alice)]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Emails about ideas you follow")
    expect(page.get_by_label("Each event")).to_be_checked()
    page.get_by_label("A daily digest").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("one email a day")
    expect(page.get_by_label("A daily digest")).to_be_checked()
    alice.refresh_from_db()
    assert alice.email_frequency == User.EmailFrequency.DAILY


def test_a_broken_link_says_so_and_offers_to_log_in(page_nojs: Page, alice):
    page = page_nojs
    page.goto(reverse("email-unsubscribe", args=[email_token(alice) + "x"]))
    expect(page.get_by_role("alert")).to_contain_text("This link does not work")
    page.get_by_role("link", name="Log in to change your email settings").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/accounts/settings/$"))
