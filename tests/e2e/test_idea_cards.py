"""Idea cards in a browser: what a customer reads at a glance, at a phone's width and a
desktop's, and the vote pill still votes in place."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.test_customer_journeys import open_logged_in
from tests.factories import CommentFactory, IdeaFactory, UserFactory
from votes.services import vote_cast

DESCRIPTION = (
    "Every BIOS update I have downloaded is a **Windows** executable. If the machine runs Linux, "
    "or has no operating system yet, there is no supported way to flash it, and the support line "
    "tells me to borrow a Windows disk from someone."
)


@pytest.mark.parametrize("width", [375, 1280])
def test_a_card_shows_excerpt_comments_author_and_on_popular_why(
    page: Page, live_server, width, django_capture_on_commit_callbacks
):
    page.set_viewport_size({"width": width, "height": 900})
    author = UserFactory(username="linus_f", first_name="Linus", last_name="Torvalds")
    idea = IdeaFactory(
        title="BIOS updates that don't need Windows", description=DESCRIPTION, author=author
    )
    CommentFactory.create_batch(3, idea=idea)
    CommentFactory(idea=idea, hidden_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=UserFactory(), idea=idea, value=1)
    # The first page of a fresh server can take a while to finish loading its static files.
    page.goto("/ideas/?sort=popular", wait_until="domcontentloaded")
    card = page.locator("article.idea-card").filter(has_text="BIOS updates")
    expect(card.locator(".idea-excerpt")).to_have_text(re.compile(r"^Every BIOS update .*…$"))
    comments = card.get_by_role("link", name="3 comments")
    expect(comments).to_have_attribute("href", re.compile(rf"/ideas/{idea.pk}.*#comments$"))
    expect(card.get_by_role("link", name="linus_f")).to_be_visible()
    # Initials of the username, the name the site shows; the full name is private ("LT").
    expect(card.locator(".avatar")).to_have_text("LF")
    expect(card.locator(".idea-why")).to_contain_text("Recent support: 1.0")
    expect(card.get_by_role("button", name="Promote")).to_have_attribute("aria-pressed", "false")
    expect(card.get_by_test_id("idea-score")).to_have_text("1")
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.goto("/ideas/?sort=new")
    expect(page.locator("article.idea-card").first).to_be_visible()
    expect(page.locator(".idea-why")).to_have_count(0)


def test_the_vote_pill_votes_in_place(page: Page, live_server, alice):
    IdeaFactory(title="Backlit keyboards on all notebooks")
    open_logged_in(page, "/ideas/", "alice")
    card = page.locator("article.idea-card").filter(has_text="Backlit keyboards")
    card.get_by_role("button", name="Promote").click()
    expect(card.get_by_role("button", name="Promote")).to_have_attribute("aria-pressed", "true")
    expect(card.get_by_test_id("idea-score")).to_have_text("1")
