"""Whole journeys in Chromium, found the way a screen reader finds them: by role, label and
accessible name (CONTRACT.md, "Accessible names")."""

import re

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.factories import IdeaFactory

IDEA_URL = re.compile(r"/ideas/(\d+)/")


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    # Exact: Settings also has "Log out everywhere" and a "Log out" for each other session.
    expect(page.get_by_role("button", name="Log out", exact=True)).to_be_visible()


def vote_buttons(scope):
    promote = scope.get_by_role("button", name="Promote", exact=True)
    demote = scope.get_by_role("button", name="Demote", exact=True)
    return promote, demote


def test_newcomer_signs_up_submits_and_promotes(page: Page, live_server, category):
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.goto("/ideas/new/")
    page.get_by_label("Title").fill("Dark mode for notebooks")
    page.get_by_label("Description").fill("Easier on the eyes at night.")
    page.get_by_label("Category").select_option(label="Notebooks")
    page.get_by_role("button", name="Submit idea").click()
    expect(page).to_have_url(IDEA_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dark mode for notebooks")

    score = page.get_by_test_id("idea-score")
    promote, demote = vote_buttons(page)
    expect(score).to_have_text("0")
    expect(promote).to_have_attribute("aria-pressed", "false")

    # A full page load would wipe this marker; htmx swaps the widget and keeps it.
    page.evaluate("window.__sameDocument = true")
    idea_url = page.url
    promote.click()
    expect(score).to_have_text("1")
    expect(promote).to_have_attribute("aria-pressed", "true")
    expect(demote).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("window.__sameDocument === true"), "the vote reloaded the page"
    assert page.url == idea_url
    # htmx restores focus by id, so a keyboard user stays on the button they pressed.
    expect(promote).to_be_focused()

    promote.click()
    expect(score).to_have_text("0")
    expect(promote).to_have_attribute("aria-pressed", "false")

    demote.click()
    expect(score).to_have_text("-1")
    expect(demote).to_have_attribute("aria-pressed", "true")
    expect(promote).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("window.__sameDocument === true"), "a vote reloaded the page"


def test_vote_without_javascript_posts_and_redirects_back(page_nojs: Page, live_server, alice):
    idea = IdeaFactory(title="Offline mode")
    IdeaFactory(title="Another idea")
    page = page_nojs
    page.goto("/accounts/login/?next=/ideas/")
    log_in(page, "alice")
    expect(page).to_have_url(f"{live_server.url}/ideas/")

    card = page.get_by_role("article").filter(
        has=page.get_by_role("link", name=idea.title, exact=True)
    )
    promote, _ = vote_buttons(card)
    expect(card.get_by_test_id("idea-score")).to_have_text("0")
    with page.expect_navigation():
        promote.click()

    expect(page).to_have_url(f"{live_server.url}/ideas/")
    expect(card.get_by_test_id("idea-score")).to_have_text("1")
    expect(promote).to_have_attribute("aria-pressed", "true")


def test_visitor_who_votes_is_sent_to_log_in_and_comes_back(page: Page, live_server, alice):
    idea = IdeaFactory(title="Export to PDF")
    idea_url = f"{live_server.url}/ideas/{idea.pk}/"
    page.goto(idea_url)
    promote, _ = vote_buttons(page)
    promote.click()

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    log_in(page, "alice")

    expect(page).to_have_url(idea_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Export to PDF")


def test_bad_submission_shows_message_at_the_field(page: Page, live_server, alice, category):
    page.goto("/accounts/login/?next=/ideas/new/")
    log_in(page, "alice")
    expect(page).to_have_url(f"{live_server.url}/ideas/new/")

    description = "Let me pin my favourite notebooks to the top."
    page.get_by_label("Description").fill(description)
    page.get_by_label("Category").select_option(label="Notebooks")
    page.get_by_role("button", name="Submit idea").click()

    title = page.get_by_label("Title")
    message = "Give your idea a title."
    expect(title).to_have_attribute("aria-invalid", "true")
    # Read out with the field (aria-describedby) and shown in the field's own block.
    expect(title).to_have_accessible_description(re.compile(re.escape(message)))
    title_field = page.locator(".field").filter(has=title)
    expect(title_field).to_contain_text(message)
    expect(page.get_by_label("Description")).to_have_value(description)
    expect(page.get_by_label("Category")).to_have_value("notebooks")
