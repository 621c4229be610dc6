"""Under the Content-Security-Policy the browser refuses nothing on the main pages and the API
docs, and htmx still works: votes swap in place, a refused flag shows its error in place."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_journeys import log_in, vote_buttons
from tests.factories import IdeaFactory


@pytest.fixture
def refusals(page: Page) -> list[str]:
    """Console messages and page errors that mention the policy."""
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text))
    page.on("pageerror", lambda error: seen.append(str(error)))
    yield seen


def csp_errors(messages: list[str]) -> list[str]:
    return [m for m in messages if "Content Security Policy" in m or "Content-Security-Policy" in m]


def test_main_pages_and_htmx_run_without_csp_refusals(
    page: Page, live_server, alice, bob, category, refusals
):
    idea = IdeaFactory(author=bob, category=category, title="Offline mode")
    page.goto("/")
    expect(page.get_by_role("link", name="Offline mode").first).to_be_visible()

    page.goto(f"/accounts/login/?next={idea.get_absolute_url()}")
    log_in(page, "alice")
    expect(page.get_by_role("heading", level=1)).to_have_text("Offline mode")

    page.evaluate("window.__sameDocument = true")
    score = page.get_by_test_id("idea-score")
    promote, _ = vote_buttons(page)
    expect(score).to_have_text("0")
    promote.click()
    expect(score).to_have_text("1")
    expect(promote).to_have_attribute("aria-pressed", "true")

    # "Other" needs a note: the 400 comes back with the error and htmx swaps it in place
    # (responseHandling in base.html, no hx-on script).
    # Flag waits in the More menu (tests/e2e/test_more_menu.py).
    page.locator("details.idea-menu > summary").click()
    flag_form = page.get_by_role("form", name="Flag this idea")
    flag_form.get_by_label("Reason").select_option(label="Other")
    flag_form.get_by_role("button", name="Flag").click()
    expect(page.get_by_role("form", name="Flag this idea").get_by_role("alert")).to_be_visible()
    assert page.evaluate("window.__sameDocument === true"), "htmx did not swap in place"

    page.goto("/ideas/new/")
    expect(page.get_by_label("Title")).to_be_visible()
    assert csp_errors(refusals) == []


def test_api_docs_render_without_csp_refusals(page: Page, live_server, refusals):
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("IdeaStorm API")
    expect(page.get_by_text("/api/ideas/", exact=True).first).to_be_visible()
    assert csp_errors(refusals) == []


def test_a_rate_limited_vote_shows_the_reason_and_keeps_the_buttons(
    page: Page, live_server, settings, alice, refusals
):
    settings.IDEAS_RATE_LIMIT_RATES = {**settings.IDEAS_RATE_LIMIT_RATES, "vote": (1, 60)}
    idea = IdeaFactory(title="Offline mode")
    page.goto(f"/accounts/login/?next={idea.get_absolute_url()}")
    log_in(page, "alice")
    page.evaluate("window.__sameDocument = true")
    score = page.get_by_test_id("idea-score")
    promote, demote = vote_buttons(page)
    promote.click()
    expect(score).to_have_text("1")

    demote.click()
    expect(page.get_by_role("alert")).to_contain_text("You're voting faster than we allow")
    expect(score).to_have_text("1")
    expect(demote).to_be_visible()
    assert page.evaluate("window.__sameDocument === true"), "the 429 reloaded the page"
    assert csp_errors(refusals) == []
