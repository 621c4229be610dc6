"""The roadmap in Chromium: a product manager plans an idea on its page and finds it on the
roadmap, filtered by category in place; on a phone the columns stack and nothing is wider than
the screen, even a title that is one long word."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.test_csp import csp_errors
from tests.e2e.test_customer_journeys import assert_same_document, mark_document, open_logged_in
from tests.e2e.test_journeys import vote_buttons
from tests.factories import CategoryFactory, IdeaFactory

LONG_WORD = "Supercalifragilistic" * 6  # 120 characters: the longest title there can be


def column(page: Page, name: str):
    return page.get_by_role("region", name=re.compile(rf"^{name} \d+ ideas?$"))


def test_pm_plans_an_idea_and_finds_it_on_the_roadmap(page: Page, live_server, pat, category):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    hardware = CategoryFactory(name="Hardware", slug="hardware")
    idea = IdeaFactory(title="Offline notebooks", category=category, popular_key=1.0)
    IdeaFactory(title="Quieter fans", category=hardware, status="planned")

    open_logged_in(page, f"/ideas/{idea.pk}/", "pat")
    panel = page.get_by_role("region", name="Product team")
    panel.get_by_label("Status", exact=True).select_option(label="Planned")
    panel.get_by_role("button", name="Update status").click()
    expect(page.locator(".idea-page .status")).to_have_text("Planned")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Roadmap").click()
    expect(page).to_have_url(f"{live_server.url}/roadmap/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Roadmap")
    planned = column(page, "Planned")
    expect(planned.get_by_role("heading", level=2)).to_have_accessible_name("Planned 2 ideas")
    expect(planned.get_by_role("heading", level=3)).to_have_text(
        ["Offline notebooks", "Quieter fans"]
    )
    expect(column(page, "In progress").get_by_text("Nothing in progress yet.")).to_be_visible()

    mark_document(page)
    page.get_by_role("search", name="Filter the roadmap").get_by_label("Category").select_option(
        label="Notebooks"
    )
    expect(page).to_have_url(re.compile(r"/roadmap/\?category=notebooks$"))
    expect(planned.get_by_role("heading", level=3)).to_have_text(["Offline notebooks"])
    expect(planned.get_by_role("heading", level=2)).to_have_accessible_name("Planned 1 idea")
    assert_same_document(page, "filtering the roadmap")

    # Promote it right there: the vote widget swaps in place, as in the idea list.
    card = planned.get_by_role("listitem").filter(has_text="Offline notebooks")
    promote, _ = vote_buttons(card)
    promote.click()
    expect(promote).to_have_attribute("aria-pressed", "true")
    expect(card.get_by_test_id("idea-score")).to_have_text("1")
    assert_same_document(page, "voting on the roadmap")
    assert csp_errors(console) == []

    planned.get_by_role("link", name="Offline notebooks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Offline notebooks")


def test_the_category_filter_works_without_javascript(page_nojs: Page, live_server, category):
    IdeaFactory(title="Offline notebooks", category=category, status="planned")
    IdeaFactory(title="Quieter fans", status="planned")
    page_nojs.goto("/roadmap/")
    page_nojs.get_by_label("Category").select_option(label="Notebooks")
    page_nojs.get_by_role("button", name="Show").click()
    expect(page_nojs).to_have_url(re.compile(r"/roadmap/\?category=notebooks$"))
    expect(column(page_nojs, "Planned").get_by_role("heading", level=3)).to_have_text(
        ["Offline notebooks"]
    )


def test_on_a_phone_the_columns_stack_and_nothing_overflows(page: Page, live_server, category):
    IdeaFactory(title=LONG_WORD, category=category, status="planned")
    IdeaFactory(title="Quieter fans", category=category, status="in-progress")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/roadmap/")
    expect(page.get_by_role("heading", name=LONG_WORD)).to_be_visible()
    lefts = [column(page, name).bounding_box()["x"] for name in ("Planned", "In progress")]
    assert lefts[0] == lefts[1], "the columns should stack on a phone"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375 px screen"

    page.set_viewport_size({"width": 1280, "height": 900})
    tops = [column(page, name).bounding_box()["y"] for name in ("Planned", "In progress")]
    assert tops[0] == tops[1], "the columns should stand side by side on a wide screen"
