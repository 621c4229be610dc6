"""An admin makes the board the company's own, and a product manager closes the loop with a
changelog entry, in Chromium: found by label and accessible name, expect() waits."""

import re

from django.core import mail
from PIL import Image
from playwright.sync_api import Page, expect

from accounts.models import User
from changelog.models import Entry
from notifications.emails import emails_send_each
from tests.e2e.test_customer_journeys import open_logged_in
from tests.e2e.test_journeys import PASSWORD
from tests.factories import CategoryFactory, IdeaFactory
from votes.services import vote_cast


def _logo(tmp_path) -> str:
    path = tmp_path / "acme-logo.png"
    Image.new("RGB", (600, 200), (20, 90, 60)).save(path, format="PNG")
    return str(path)


def test_admin_renames_the_board_uploads_a_logo_and_changes_the_accent(
    page: Page, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    open_logged_in(page, "/manage/board/", "root")
    page.get_by_label("Board name").fill("Acme Ideas")
    page.get_by_label("Tagline").fill("help Acme build what you need")
    page.get_by_label("Logo").set_input_files(_logo(tmp_path))
    page.get_by_label("Accent colour").fill("#fde047")  # yellow: fails against white
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#id_accent_error")).to_contain_text("WCAG AA")
    # The refused form keeps what was typed; the file is chosen again, as browsers require.
    expect(page.get_by_label("Board name")).to_have_value("Acme Ideas")
    page.get_by_label("Logo").set_input_files(_logo(tmp_path))
    page.get_by_label("Accent colour").fill("#166534")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("The board's settings are saved.")).to_be_visible()

    page.goto("/")
    expect(page).to_have_title(re.compile(r"· Acme Ideas$"))
    brand = page.locator(".brand")
    expect(brand).to_contain_text("Acme Ideas")
    logo = brand.locator("img.brand-logo")
    expect(logo).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", logo.element_handle()) > 0
    expect(page.get_by_role("heading", level=1)).to_have_text("Help Acme build what you need")
    button = page.get_by_role("link", name="Submit an idea").first
    colour = button.evaluate("(el) => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(22, 101, 52)", colour


def test_admin_adds_reorders_and_retires_categories_and_the_submit_form_follows(
    page: Page, live_server, browser
):
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    CategoryFactory(name="Notebooks", slug="notebooks", position=0)
    CategoryFactory(name="Servers", slug="servers", position=1)
    open_logged_in(page, "/manage/categories/", "root")
    page.get_by_label("Name").fill("Docking stations")
    page.get_by_label("Description").fill("Docks, hubs and dongles")
    page.get_by_role("button", name="Add category").click()
    expect(page.get_by_text("“Docking stations” is added.")).to_be_visible()
    rows = page.get_by_test_id("category-row")
    expect(rows).to_have_count(3)
    page.get_by_role("button", name="Move Docking stations up").click()
    expect(rows.nth(1)).to_contain_text("Docking stations")
    page.get_by_role("button", name="Move Docking stations up").click()
    expect(rows.first).to_contain_text("Docking stations")
    expect(page.get_by_role("button", name="Move Docking stations up")).to_be_disabled()
    page.get_by_role("button", name="Retire Servers").click()
    expect(page.get_by_text("“Servers” is retired")).to_be_visible()

    page.goto("/ideas/new/")
    options = page.get_by_label("Category").locator("option")
    expect(options).to_have_text(["Choose a category", "Docking stations", "Notebooks"])


def test_pm_publishes_a_changelog_entry_and_a_voter_is_told_in_the_app_and_by_email(
    page: Page, live_server, browser, pat, alice, category
):
    battery = IdeaFactory(title="Longer battery life", category=category, status="in-progress")
    charger = IdeaFactory(title="USB-C charging", category=category, status="planned")
    vote_cast(voter=alice, idea=battery, value=1)
    mail.outbox.clear()

    open_logged_in(page, "/changelog/", "pat")
    page.get_by_role("link", name="New entry").click()
    page.get_by_label("Title").fill("Power week: battery and charging")
    page.get_by_label("What shipped").fill("Both **shipped** in release 7.2.")
    page.get_by_label("Ideas it ships").fill(f"{battery.pk}, {charger.pk}")
    page.get_by_label("Publish now").check()
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Power week: battery and charging")
    expect(page.get_by_text("Published.")).to_be_visible()
    entry = Entry.objects.get()
    assert entry.is_published
    battery.refresh_from_db()
    charger.refresh_from_db()
    assert battery.status == charger.status == "implemented"

    # The voter sees it in the app...
    context = browser.new_context(base_url=live_server.url)
    member = context.new_page()
    open_logged_in(member, "/notifications/", "alice")
    expect(member.get_by_text("“Longer battery life” shipped: Power week")).to_be_visible()
    member.goto(battery.get_absolute_url())
    expect(member.get_by_role("link", name="Power week: battery and charging")).to_be_visible()
    context.close()
    # ...and by email, once (the email job's work, as the worker would do it).
    emails_send_each()
    to_alice = [m for m in mail.outbox if alice.email in m.to]
    assert len(to_alice) == 1
    assert "Power week: battery and charging" in to_alice[0].body
    assert to_alice[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
