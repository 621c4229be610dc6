"""The idea page's More menu (Flag, Edit, Withdraw) and each comment's: a <details>, so it
opens with the keyboard and without JavaScript; and Withdraw's confirm-then-undo journey."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.test_customer_journeys import open_logged_in
from tests.factories import CommentFactory, IdeaFactory
from web.moderation.views import THANKS

MENU = "details.idea-menu"


def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def focused_text(page: Page) -> str:
    return page.evaluate("document.activeElement.textContent").strip()


def test_the_menu_opens_and_closes_with_the_keyboard(page: Page, live_server, alice, bob, category):
    idea = IdeaFactory(author=bob, category=category, title="Offline mode")
    CommentFactory(idea=idea, author=bob, body="Please, for trains.")
    open_logged_in(page, idea.get_absolute_url(), "alice")
    menu = page.locator(MENU)
    flag_form = page.get_by_role("form", name="Flag this idea")
    # Follow and voting stay in view; Flag waits in the menu.
    expect(page.get_by_role("button", name="Follow")).to_be_visible()
    expect(page.get_by_role("button", name="Promote")).to_be_visible()
    expect(flag_form).to_be_hidden()
    # The comment's Flag is folded away too.
    expect(page.get_by_role("form", name="Flag this comment")).to_be_hidden()

    tab_to(page, f"{MENU} > summary")
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    expect(flag_form).to_be_visible()
    page.keyboard.press("Tab")
    expect(flag_form.get_by_label("Reason")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(flag_form).to_be_hidden()
    # Space toggles it as well.
    page.keyboard.press("Space")
    expect(flag_form).to_be_visible()
    flag_form.get_by_label("Reason").select_option(label="Spam")
    flag_form.get_by_role("button", name="Flag").click()
    expect(page.locator(MENU).get_by_text("You flagged this")).to_be_visible()


def test_the_author_reaches_edit_and_withdraw_with_the_keyboard_and_can_undo(
    page: Page, live_server, alice, category
):
    idea = IdeaFactory(author=alice, category=category, title="Quieter fans")
    open_logged_in(page, idea.get_absolute_url(), "alice")
    tab_to(page, f"{MENU} > summary")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused_text(page) == "Edit idea"
    page.keyboard.press("Tab")
    assert focused_text(page) == "Withdraw idea"
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Withdraw this idea?")).to_be_visible()
    expect(page.get_by_role("link", name="Quieter fans")).to_be_visible()
    page.get_by_role("button", name="Confirm: withdraw idea").click()
    expect(page).to_have_url(re.compile(re.escape(idea.get_absolute_url()) + "$"))
    expect(page.get_by_text("You withdrew this idea.")).to_be_visible()
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("“Quieter fans” is back on the board.")).to_be_visible()
    expect(page.get_by_role("button", name="Promote")).to_be_visible()


def test_without_javascript_the_menu_works_and_withdraw_confirms_and_undoes(
    page_nojs: Page, live_server, alice, bob, category
):
    page = page_nojs
    theirs = IdeaFactory(author=bob, category=category, title="Offline mode")
    CommentFactory(idea=theirs, author=bob, body="Please, for trains.")
    open_logged_in(page, theirs.get_absolute_url(), "alice")
    page.locator(f"{MENU} > summary").click()
    flag_form = page.get_by_role("form", name="Flag this idea")
    flag_form.get_by_label("Reason").select_option(label="Spam")
    flag_form.get_by_role("button", name="Flag").click()
    # Back on the page, told so; the menu now says "You flagged this" where the form was.
    expect(page.locator(".messages").get_by_text(str(THANKS))).to_be_visible()
    page.locator(f"{MENU} > summary").click()
    expect(page.locator(MENU).get_by_text("You flagged this")).to_be_visible()

    page.goto(theirs.get_absolute_url())
    comment_menu = page.locator("details.comment-menu").first
    comment_menu.locator("summary").click()
    expect(comment_menu.get_by_role("form", name="Flag this comment")).to_be_visible()

    mine = IdeaFactory(author=alice, category=category, title="Quieter fans")
    page.goto(mine.get_absolute_url())
    page.locator(f"{MENU} > summary").click()
    page.get_by_role("link", name="Withdraw idea").click()
    expect(page).to_have_url(re.compile(rf"/ideas/{mine.pk}/withdraw/$"))
    page.get_by_role("button", name="Confirm: withdraw idea").click()
    expect(page.get_by_text("You withdrew this idea.")).to_be_visible()
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("“Quieter fans” is back on the board.")).to_be_visible()
