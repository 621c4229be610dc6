"""A refusal under htmx is shown, not swallowed: the reason appears at the top of the page and
the control that was pressed stays as it was."""

from playwright.sync_api import Page, expect

from moderation.bans import ban_create
from tests.e2e.test_journeys import log_in, vote_buttons
from tests.factories import IdeaFactory

REASON = "Posting adverts"


def test_a_banned_member_who_promotes_sees_why_and_the_score_stays(
    page: Page, live_server, alice, bob, mo
):
    idea = IdeaFactory(author=bob, title="Offline mode")
    ban_create(moderator=mo, user=alice, reason=REASON, days=7)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"/accounts/login/?next={idea.get_absolute_url()}")
    log_in(page, "alice")
    page.evaluate("window.__sameDocument = true")
    score = page.get_by_test_id("idea-score")
    promote, _ = vote_buttons(page)
    expect(score).to_have_text("0")

    # Swaps counted on a data attribute: expect() waits on it without evaluating script in the
    # page, which the CSP refuses (wait_for_function would).
    page.evaluate(
        "() => { let n = 0; document.body.addEventListener("
        "'htmx:afterSwap', () => { document.body.dataset.swaps = String(++n); }); }"
    )
    promote.click()
    # At the top of #main (the ban banner above it says the same from the start).
    alert = page.locator("#main > #page-alert").get_by_role("alert")
    expect(alert).to_contain_text("You are banned until")
    expect(alert).to_contain_text(REASON)
    # Pressed again: the message is replaced, not stacked.
    promote.click()
    expect(page.locator("body")).to_have_attribute("data-swaps", "2")
    expect(alert).to_have_count(1)
    expect(score).to_have_text("0")
    expect(promote).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_role("heading", level=1)).to_have_text("Offline mode")
    assert page.evaluate("window.__sameDocument === true"), "the 403 reloaded the page"
    assert not [m for m in console if "Content Security Policy" in m]
    idea.refresh_from_db()
    assert idea.score == 0
