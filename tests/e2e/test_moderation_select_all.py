"""The moderation queue's "Select all": it ticks every item on the page by mouse or keyboard,
shows the mixed state when only some are ticked, keeps up with items htmx swaps in, and the
bulk action applies to what it selected. Without JavaScript it is not there at all."""

import re

import pytest
from playwright.sync_api import Page, expect

from ideas.models import Idea
from moderation.services import flag_create
from tests.e2e.test_csp import csp_errors
from tests.e2e.test_journeys import log_in
from tests.factories import IdeaFactory

SELECT_ALL = "Select all on this page"
ITEM_BOX = re.compile(r"^Select “")


@pytest.fixture
def flagged(alice, bob) -> list[Idea]:
    """Three of bob's ideas, each flagged once by alice."""
    ideas = [IdeaFactory(author=bob, title=f"Cheap watches {n}") for n in (1, 2, 3)]
    for idea in ideas:
        flag_create(flagger=alice, target=idea, reason="spam")
    return ideas


@pytest.fixture
def page_errors(page: Page) -> list[str]:
    """Console messages and uncaught errors of the page."""
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text))
    page.on("pageerror", lambda error: seen.append(f"pageerror: {error}"))
    return seen


def open_queue(page: Page) -> None:
    page.goto("/accounts/login/?next=/moderation/")
    log_in(page, "mo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation")


def hidden_titles() -> set[str]:
    return set(Idea.objects.filter(hidden_at__isnull=False).values_list("title", flat=True))


def test_select_all_ticks_every_item_and_the_bulk_hide_applies_to_them(
    page: Page, live_server, mo, flagged, page_errors
):
    open_queue(page)
    select_all = page.get_by_role("checkbox", name=SELECT_ALL)
    items = page.get_by_role("checkbox", name=ITEM_BOX)
    expect(select_all).to_be_visible()
    expect(items).to_have_count(3)
    expect(select_all).not_to_be_checked()

    select_all.click()
    for box in items.all():
        expect(box).to_be_checked()
    expect(select_all).to_be_checked()

    # The keyboard: Space on the focused box unticks all, and again ticks all.
    select_all.focus()
    page.keyboard.press("Space")
    for box in items.all():
        expect(box).not_to_be_checked()
    expect(select_all).not_to_be_checked()
    page.keyboard.press("Space")
    for box in items.all():
        expect(box).to_be_checked()

    # By hand: one unticked is the mixed state, ticked again is all.
    page.get_by_role("checkbox", name="Select “Cheap watches 2”").uncheck()
    expect(select_all).to_be_checked(indeterminate=True)
    page.get_by_role("checkbox", name="Select “Cheap watches 2”").check()
    expect(select_all).to_be_checked()
    assert select_all.evaluate("box => box.indeterminate") is False
    page.get_by_role("checkbox", name="Select “Cheap watches 2”").uncheck()
    expect(select_all).to_be_checked(indeterminate=True)

    page.get_by_label("Action", exact=True).select_option(label="Hide")
    page.get_by_label("Reason for the selected").fill("Spam wave")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_text("Hide: 2 done.")).to_be_visible()
    assert hidden_titles() == {"Cheap watches 1", "Cheap watches 3"}
    assert csp_errors(page_errors) == []
    assert [m for m in page_errors if m.startswith("pageerror")] == []


def test_select_all_keeps_up_with_an_item_htmx_swapped_in(
    page: Page, live_server, mo, flagged, page_errors
):
    open_queue(page)
    select_all = page.get_by_role("checkbox", name=SELECT_ALL)
    select_all.check()
    page.evaluate("window.__sameDocument = true")

    # Hidden on its own: htmx swaps the item back in place, unticked.
    item = page.locator("article", has=page.get_by_role("heading", name="Cheap watches 1"))
    item.get_by_role("button", name="Hide").click()
    expect(item.get_by_role("status")).to_have_text("Hidden.")
    assert page.evaluate("window.__sameDocument === true"), "the hide reloaded the page"
    swapped_box = page.get_by_role("checkbox", name="Select “Cheap watches 1”")
    expect(swapped_box).not_to_be_checked()
    expect(select_all).to_be_checked(indeterminate=True)

    swapped_box.check()
    expect(select_all).to_be_checked()
    select_all.uncheck()
    expect(swapped_box).not_to_be_checked()
    assert csp_errors(page_errors) == []
    assert [m for m in page_errors if m.startswith("pageerror")] == []


def test_without_javascript_there_is_no_select_all_and_the_bulk_form_works(
    page_nojs: Page, live_server, mo, flagged
):
    page = page_nojs
    open_queue(page)
    expect(page.get_by_role("checkbox", name=ITEM_BOX)).to_have_count(3)
    # Rendered, but hidden: only the script shows it.
    expect(page.get_by_text(SELECT_ALL)).to_be_attached()
    expect(page.get_by_text(SELECT_ALL)).to_be_hidden()

    page.get_by_role("checkbox", name="Select “Cheap watches 1”").check()
    page.get_by_role("checkbox", name="Select “Cheap watches 3”").check()
    page.get_by_label("Action", exact=True).select_option(label="Hide")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_text("Hide: 2 done.")).to_be_visible()
    assert hidden_titles() == {"Cheap watches 1", "Cheap watches 3"}
