"""A product manager's journeys in Chromium: the dashboard of top product requests filtered in
place, a status change with an official response that reaches the idea's voters, and a merge
of duplicates undone exactly. Everything is found by role, label and accessible name
(CONTRACT.md, "Accessible names"); expect() waits, nothing sleeps."""

import math
import re

from playwright.sync_api import Browser, Page, expect

from ideas.models import Idea
from tests.e2e.conftest import TIMEOUT_MS, VIEWPORT
from tests.e2e.test_customer_journeys import assert_same_document, mark_document, open_logged_in
from tests.e2e.test_journeys import IDEA_URL, log_in
from tests.factories import CategoryFactory, IdeaFactory, UserFactory
from votes.models import Vote
from votes.services import vote_cast
from votes.snapshots import top_requests_snapshot


def table_ideas(page: Page):
    """The idea cells (row headers) of the dashboard's table."""
    return page.locator("#pm-table").get_by_role("rowheader")


def figures(idea: Idea) -> tuple:
    idea.refresh_from_db()
    return idea.score, idea.promotes, idea.demotes, idea.popular_key


def assert_figures_equal(now: tuple, before: tuple, what: str) -> None:
    assert now[:3] == before[:3], f"{what}: (score, promotes, demotes) {now[:3]} != {before[:3]}"
    assert math.isclose(now[3], before[3], rel_tol=1e-9, abs_tol=1e-12), (
        f"{what}: popular_key {now[3]} != {before[3]}"
    )


def test_pm_filters_dashboard_answers_an_idea_and_its_voter_is_notified(
    page: Page, browser: Browser, live_server, alice, bob, pat, category
):
    hardware = CategoryFactory(name="Hardware", slug="hardware")
    offline = IdeaFactory(title="Offline notebooks", category=category)
    dark = IdeaFactory(title="Dark mode for notebooks", category=category, status="under-review")
    fans = IdeaFactory(title="Quieter fans", category=hardware)
    carol = UserFactory(username="carol")
    for voter in (alice, bob):
        vote_cast(voter=voter, idea=offline, value=1)
    vote_cast(voter=bob, idea=dark, value=1)
    for voter in (alice, bob, carol):
        vote_cast(voter=voter, idea=fans, value=1)
    top_requests_snapshot()

    open_logged_in(page, "/pm/", "pat")
    expect(page.get_by_role("heading", level=1)).to_have_text("Product dashboard")
    ideas = table_ideas(page)
    expect(ideas).to_have_count(3)
    # Ranked by score: fans 3, offline 2, dark mode 1.
    expect(ideas.get_by_role("link")).to_have_text(
        ["Quieter fans", "Offline notebooks", "Dark mode for notebooks"]
    )
    expect(page.locator("#pm-table-caption")).to_contain_text("Top requests overall")

    filters = page.get_by_role("search", name="Filter the top product requests")
    mark_document(page)
    filters.get_by_label("Category").select_option(label="Notebooks")
    expect(page).to_have_url(re.compile(r"/pm/\?.*\bcategory=notebooks\b"))
    expect(page.locator("#pm-table-caption")).to_contain_text("Top requests in Notebooks")
    expect(ideas.get_by_role("link")).to_have_text(["Offline notebooks", "Dark mode for notebooks"])

    filters.get_by_label("Status", exact=True).select_option(label="Under review")
    expect(page).to_have_url(re.compile(r"/pm/\?.*\bstatus=under-review\b"))
    expect(page).to_have_url(re.compile(r"\bcategory=notebooks\b"))
    expect(ideas.get_by_role("link")).to_have_text(["Dark mode for notebooks"])

    filters.get_by_label("Status", exact=True).select_option(label="New")
    expect(page).to_have_url(re.compile(r"/pm/\?.*\bstatus=new\b"))
    expect(ideas.get_by_role("link")).to_have_text(["Offline notebooks"])
    # The table was swapped in place: the page itself never reloaded.
    assert_same_document(page, "filtering the dashboard")
    expect(page.get_by_role("heading", name="The board at a glance")).to_be_visible()

    ideas.get_by_role("link", name="Offline notebooks", exact=True).click()
    expect(page).to_have_url(IDEA_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Offline notebooks")
    panel = page.get_by_role("region", name="Product team")
    panel.get_by_label("Status", exact=True).select_option(label="Planned")
    answer = "Coming in the spring release, with sync when you are back online."
    panel.get_by_label("Official response").fill(answer)
    panel.get_by_role("button", name="Update status").click()

    expect(page).to_have_url(re.compile(rf"/ideas/{offline.pk}/"))
    response = page.get_by_role("region", name="Official response")
    expect(response.get_by_role("heading", name="Official response")).to_be_visible()
    expect(response).to_contain_text(answer)
    expect(page.locator(".idea-page .status")).to_have_text("Planned")
    offline.refresh_from_db()
    assert offline.status == "planned"

    # alice voted on it, so she follows it: she hears of the change in her own browser.
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        voter = context.new_page()
        voter.goto("/accounts/login/")
        log_in(voter, "alice")
        bell = voter.get_by_role("link", name=re.compile(r"^Notifications"))
        expect(bell).to_have_accessible_name(re.compile(r"\b1 unread\b"))
        bell.click()
        expect(voter).to_have_url(f"{live_server.url}/notifications/")
        notice = voter.get_by_role("link", name=re.compile(r"Offline notebooks.*is now Planned"))
        expect(notice).to_have_count(1)
        notice.click()

        expect(voter).to_have_url(re.compile(rf"/ideas/{offline.pk}/"))
        expect(voter.get_by_role("heading", level=1)).to_have_text("Offline notebooks")
        response = voter.get_by_role("region", name="Official response")
        expect(response).to_contain_text(answer)
        expect(voter.locator(".idea-page .status")).to_have_text("Planned")
        # A member sees no product team panel.
        expect(voter.get_by_role("button", name="Update status")).to_have_count(0)
    finally:
        context.close()


def test_pm_merges_a_duplicate_then_undoes_it_exactly(page: Page, live_server, pat, category):
    u1, u2, u3, u4, u5 = (UserFactory(username=f"u{n}") for n in range(1, 6))
    duplicate = IdeaFactory(title="Let me work offline", category=category)
    kept = IdeaFactory(title="Offline mode for notebooks", category=category)
    for voter, value in ((u1, 1), (u2, 1), (u3, -1), (u5, 1)):
        vote_cast(voter=voter, idea=duplicate, value=value)
    for voter, value in ((u2, -1), (u4, 1)):
        vote_cast(voter=voter, idea=kept, value=value)
    duplicate_before, kept_before = figures(duplicate), figures(kept)
    assert duplicate_before[:3] == (2, 3, 1)
    assert kept_before[:3] == (0, 1, 1)

    open_logged_in(page, f"/ideas/{duplicate.pk}/", "pat")
    panel = page.get_by_role("region", name="Product team")
    # Typing searches as you go (htmx); the results are radio buttons, then a confirmation.
    panel.get_by_label("Merge this idea into idea number").press_sequentially("offline notebooks")
    choice = panel.get_by_role("radio", name=re.compile("Offline mode for notebooks"))
    expect(choice).to_be_checked()
    panel.get_by_role("button", name="Merge into that idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm the merge")
    expect(page.get_by_role("heading", name=f"#{duplicate.pk} Let me work offline")).to_be_visible()
    assert Vote.objects.filter(idea=duplicate).count() == 4  # nothing moved yet
    page.get_by_role("button", name="Confirm merge").click()

    # The kept idea counts each voter once; where u2 voted on both, their -1 on it stands:
    # u1 +1, u2 -1, u3 -1, u4 +1, u5 +1.
    expect(page).to_have_url(re.compile(rf"/ideas/{kept.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Offline mode for notebooks")
    expect(page.get_by_test_id("idea-score")).to_have_text("1")
    expect(page.locator(".idea-page .tally")).to_have_text("3 promotes · 2 demotes")
    kept_votes = dict(Vote.objects.filter(idea=kept).values_list("voter__username", "value"))
    assert kept_votes == {"u1": 1, "u2": -1, "u3": -1, "u4": 1, "u5": 1}
    assert not Vote.objects.filter(idea=duplicate).exists()
    assert figures(kept)[:3] == (1, 3, 2)
    duplicate.refresh_from_db()
    assert (duplicate.merged_into_id, duplicate.status) == (kept.pk, "duplicate")

    # The duplicate's page now leads to the kept idea.
    page.goto(f"/ideas/{duplicate.pk}/")
    expect(page).to_have_url(re.compile(rf"/ideas/{kept.pk}/"))

    merged_in = (
        page.get_by_role("region", name="Product team")
        .get_by_role("listitem")
        .filter(has_text="Let me work offline")
    )
    undo = merged_in.get_by_role("button", name="Undo merge")
    expect(undo).to_have_accessible_description("Let me work offline")
    undo.click()

    expect(page).to_have_url(re.compile(rf"/ideas/{duplicate.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Let me work offline")
    expect(page.get_by_test_id("idea-score")).to_have_text("2")
    expect(page.locator(".idea-page .tally")).to_have_text("3 promotes · 1 demote")
    assert_figures_equal(figures(duplicate), duplicate_before, "the merged idea after undo")
    assert_figures_equal(figures(kept), kept_before, "the kept idea after undo")
    assert dict(Vote.objects.filter(idea=duplicate).values_list("voter__username", "value")) == {
        "u1": 1,
        "u2": 1,
        "u3": -1,
        "u5": 1,
    }
    assert dict(Vote.objects.filter(idea=kept).values_list("voter__username", "value")) == {
        "u2": -1,
        "u4": 1,
    }

    # Both pages stand on their own again: no redirect from the duplicate.
    response = page.goto(f"/ideas/{duplicate.pk}/")
    assert response is not None and response.ok
    expect(page).to_have_url(re.compile(rf"/ideas/{duplicate.pk}/"))
    assert response.request.redirected_from is None, "the duplicate still redirects"
    expect(page.get_by_role("heading", level=1)).to_have_text("Let me work offline")
    page.goto(f"/ideas/{kept.pk}/")
    expect(page.get_by_test_id("idea-score")).to_have_text("0")
    expect(page.locator(".idea-page .tally")).to_have_text("1 promote · 1 demote")
