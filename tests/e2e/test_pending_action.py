"""A visitor presses Promote, logs in or signs up, and lands back on the idea with the vote in
(issue 15, "The action survives the login"), in Chromium with htmx on. Screenshots of the
landing page at 1280 and 375 px go to var/screenshots/."""

import re

from django.conf import settings
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.e2e.test_journeys import log_in, vote_buttons
from tests.factories import IdeaFactory
from votes.models import Vote
from votes.services import vote_cast

SHOTS = settings.VAR_DIR / "screenshots"


def press_promote_as_a_visitor(page: Page, idea) -> None:
    page.goto(idea.get_absolute_url())
    score = page.get_by_test_id("idea-score")
    expect(score).to_have_text("1")
    promote, _ = vote_buttons(page)
    expect(promote).to_have_attribute("aria-pressed", "false")
    promote.click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))


def expect_vote_in(page: Page, idea, live_server) -> None:
    expect(page).to_have_url(f"{live_server.url}{idea.get_absolute_url()}")
    expect(page.get_by_role("status").filter(has_text="Your vote is in.")).to_be_visible()
    expect(page.get_by_test_id("idea-score")).to_have_text("2")
    promote, demote = vote_buttons(page)
    expect(promote).to_have_attribute("aria-pressed", "true")
    expect(demote).to_have_attribute("aria-pressed", "false")


def photograph(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 900), (375, 812)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=SHOTS / f"{name}-{width}.png")


def test_visitor_promotes_logs_in_and_lands_on_the_idea_with_the_vote_in(
    page: Page, live_server, alice, bob
):
    idea = IdeaFactory(title="Keyboard shortcuts for the board", author=bob)
    vote_cast(voter=bob, idea=idea, value=1)
    press_promote_as_a_visitor(page, idea)

    log_in(page, "alice")

    expect_vote_in(page, idea, live_server)
    assert Vote.objects.filter(idea=idea).count() == 2
    photograph(page, "pending-vote-login")


def test_visitor_promotes_signs_up_and_lands_on_the_idea_with_the_vote_in(
    page: Page, live_server, bob
):
    idea = IdeaFactory(title="Export ideas to a spreadsheet", author=bob)
    vote_cast(voter=bob, idea=idea, value=1)
    press_promote_as_a_visitor(page, idea)

    page.get_by_role("main").get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    expect_vote_in(page, idea, live_server)
    expect(page.get_by_role("status").filter(has_text="Welcome")).to_contain_text("newcomer")
    assert Vote.objects.get(idea=idea, voter__username="newcomer").value == 1
    photograph(page, "pending-vote-signup")


def test_visitor_comment_waits_in_the_box_after_logging_in(page: Page, live_server, alice, bob):
    idea = IdeaFactory(title="Offline mode", author=bob)
    page.goto(idea.get_absolute_url())
    page.get_by_label("Comment", exact=True).fill("I would use this on every train ride.")
    page.get_by_label("Comment", exact=True).scroll_into_view_if_needed()
    photograph(page, "pending-comment-visitor")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Post comment").click()

    log_in(page, "alice")

    expect(page).to_have_url(f"{live_server.url}{idea.get_absolute_url()}#comments")
    box = page.get_by_label("Comment", exact=True)
    expect(box).to_have_value("I would use this on every train ride.")
    # The #comments target wins over the box's autofocus (HTML skips autofocus then): in view.
    expect(box).to_be_in_viewport()
    expect(page.get_by_role("status").filter(has_text="Your comment is ready")).to_be_attached()
    assert not idea.comments.exists()
    photograph(page, "pending-comment")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment-body")).to_have_text("I would use this on every train ride.")
