"""The idea list's filters under htmx: the heading and title follow them, Back shows the
filters its results are for, and a search is one request and one history entry."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.test_customer_journeys import assert_same_document, mark_document
from tests.factories import CategoryFactory, IdeaFactory


def test_filters_keep_heading_title_and_history_true(page: Page, live_server):
    support = CategoryFactory(slug="support", name="Support")
    IdeaFactory(title="Chat with a technician", category=support)
    IdeaFactory(title="Quieter fans")
    page.goto("/ideas/")
    mark_document(page)
    heading = page.get_by_role("heading", level=1)
    category = page.get_by_label("Category")
    expect(heading).to_have_text("All ideas")

    category.select_option("support")
    expect(page).to_have_url(re.compile(r"category=support"))
    expect(heading).to_have_text("Support ideas")
    expect(page).to_have_title("Support ideas · IdeaStorm")
    page.get_by_label("Sort").select_option("top")
    expect(page).to_have_url(re.compile(r"sort=top"))
    expect(heading).to_have_text("Support ideas")
    assert_same_document(page, "a filter")

    # Back: the server renders the page for that address, filters included.
    page.go_back()
    expect(page).to_have_url(re.compile(r"category=support"))
    expect(page).not_to_have_url(re.compile(r"sort=top"))
    expect(page.get_by_label("Sort")).to_have_value("popular")
    expect(category).to_have_value("support")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/ideas/$"))
    expect(category).to_have_value("")
    expect(heading).to_have_text("All ideas")


def test_a_search_is_one_request_and_one_step_back(page: Page, live_server):
    IdeaFactory(title="Chat with a technician")
    IdeaFactory(title="Quieter fans")
    page.goto("/ideas/")
    searches = []
    page.on("request", lambda r: searches.append(r.url) if "q=chat" in r.url else None)
    search = page.get_by_label("Search")
    search.fill("chat")
    with page.expect_response(lambda r: "q=chat" in r.url):
        search.press("Enter")
    expect(page.locator("#results")).to_contain_text("Chat with a technician")
    expect(page.locator("#results")).not_to_contain_text("Quieter fans")
    expect(search).to_be_focused()
    # Leaving the box does not search again.
    page.get_by_label("Sort").focus()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/ideas/$"))
    assert len(searches) == 1, searches
