"""The site frame in Chromium: the theme switch, and a header that fits one row on a phone."""

from playwright.sync_api import Page, expect

from accounts.models import User
from tests.conftest import PASSWORD
from tests.e2e.test_customer_journeys import open_logged_in

PHONE = {"width": 375, "height": 812}


def test_the_theme_switch_sets_dark_and_keeps_it_after_a_reload(page: Page, live_server, db):
    page.emulate_media(color_scheme="light")
    page.goto("/ideas/")
    background = "getComputedStyle(document.documentElement).backgroundColor"
    light = page.evaluate(background)
    page.get_by_text("Dark", exact=True).click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert page.evaluate(background) != light
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.get_by_role("radio", name="Dark")).to_be_checked()
    page.get_by_text("Auto", exact=True).click()
    expect(page.locator("html")).not_to_have_attribute("data-theme", "dark")
    page.reload()
    assert page.evaluate(background) == light


def test_without_javascript_the_switch_is_hidden_and_the_system_theme_applies(
    page_nojs: Page, live_server, db
):
    page_nojs.emulate_media(color_scheme="dark")
    page_nojs.goto("/ideas/")
    expect(page_nojs.get_by_role("radio", name="Dark")).to_be_hidden()
    # --bg of the dark theme, from prefers-color-scheme alone
    assert page_nojs.evaluate("getComputedStyle(document.documentElement).backgroundColor") == (
        "rgb(14, 17, 23)"
    )


def test_a_superusers_header_fits_one_row_on_a_phone_and_the_menu_holds_the_rest(
    page: Page, live_server, db
):
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    open_logged_in(page, "/ideas/", "root")
    page.set_viewport_size(PHONE)
    header = page.locator(".site-header")
    nav = page.get_by_role("navigation", name="Main")
    brand, menu = page.locator(".brand"), page.locator(".nav-menu > summary")
    submit = nav.get_by_role("link", name="Submit an idea")
    bell = page.get_by_role("link", name="Notifications").first
    for item in (brand, submit, bell, menu):
        expect(item).to_be_visible()
    rows = {
        round(item.bounding_box()["y"] + item.bounding_box()["height"] / 2)
        for item in (brand, submit, bell, menu)
    }
    assert max(rows) - min(rows) <= 4, f"the header's items sit on several rows: {rows}"
    assert header.bounding_box()["height"] <= 72
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The rest is in the menu, which the keyboard opens and Escape closes.
    expect(page.get_by_role("button", name="Log out", exact=True)).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    panel = page.locator(".nav-menu .menu-panel")
    for name in (
        "Ideas",
        "Sessions",
        "Roadmap",
        "Changelog",
        "Dashboard",
        "Moderation",
        "Manage",
        "Profile",
        "Settings",
    ):
        expect(panel.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(panel.get_by_role("button", name="Log out")).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    # On a wide screen the same links are in the row again, the staff ones under "Staff".
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(menu).to_be_hidden()
    expect(page.get_by_role("button", name="Log out", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Roadmap", exact=True)).to_be_visible()
    page.get_by_text("Staff", exact=True).click()
    expect(page.get_by_role("link", name="Dashboard", exact=True)).to_be_visible()
    page.mouse.click(640, 700)
    expect(page.get_by_role("link", name="Dashboard", exact=True)).to_be_hidden()


def test_the_menu_opens_without_javascript(page_nojs: Page, live_server, db):
    page_nojs.set_viewport_size(PHONE)
    page_nojs.goto("/ideas/")
    page_nojs.locator(".nav-menu > summary").click()
    page_nojs.get_by_role("link", name="Changelog", exact=True).click()
    expect(page_nojs).to_have_url(f"{live_server.url}/changelog/")
