"""One submit = one write, in Chromium: Back then Submit again, and a double click on Submit,
each make one idea (or one comment) and land on it (core.formtokens)."""

import re

from playwright.sync_api import Page, expect

from comments.models import Comment
from ideas.models import Idea
from tests.e2e.test_journeys import log_in
from tests.factories import IdeaFactory

TITLE = "Standard power cables for every notebook"
DESCRIPTION = "One plug for every notebook we sell, so a spare cable fits them all."


def open_logged_in(page: Page, path: str, username: str) -> None:
    # Longer than the default wait: the first page of a run also warms the server up.
    page.goto(f"/accounts/login/?next={path}", timeout=30_000)
    log_in(page, username)
    expect(page).to_have_url(re.compile(re.escape(path) + r"$"))


def fill_the_submit_form(page: Page) -> None:
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Description").fill(DESCRIPTION)
    page.get_by_label("Category").select_option("notebooks")


def test_back_then_submit_again_makes_one_idea_and_lands_on_it(page: Page, category, alice):
    open_logged_in(page, "/ideas/new/", "alice")
    fill_the_submit_form(page)
    page.get_by_role("button", name="Submit idea").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    idea = Idea.objects.get()
    page.go_back()
    expect(page.get_by_role("button", name="Submit idea")).to_be_visible()
    # Whatever the browser kept of the form, a second post of it is the same form.
    if page.get_by_label("Title").input_value() != TITLE:
        fill_the_submit_form(page)
    page.get_by_role("button", name="Submit idea").click()
    expect(page).to_have_url(re.compile(rf"/ideas/{idea.pk}/"))
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    assert Idea.objects.count() == 1


def test_a_double_click_on_submit_makes_one_idea(page: Page, category, alice):
    open_logged_in(page, "/ideas/new/", "alice")
    fill_the_submit_form(page)
    page.get_by_role("button", name="Submit idea").dblclick()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    idea = Idea.objects.get()
    expect(page).to_have_url(re.compile(rf"/ideas/{idea.pk}/"))


def test_two_quick_clicks_without_javascript_make_one_comment(page_nojs: Page, alice):
    idea = IdeaFactory(title="Longer battery life on the XPS")
    open_logged_in(page_nojs, idea.get_absolute_url(), "alice")
    page_nojs.get_by_label("Comment", exact=True).fill("Yes, and on the tablets too.")
    button = page_nojs.get_by_role("button", name="Post comment")
    button.click(no_wait_after=True)
    button.click(no_wait_after=True, force=True)
    expect(page_nojs.get_by_text("Yes, and on the tablets too.")).to_be_visible()
    expect(page_nojs.get_by_role("heading", name="Comments (1)")).to_be_visible()
    assert Comment.objects.count() == 1


def test_a_double_click_on_post_comment_makes_one_comment(page: Page, alice):
    idea = IdeaFactory(title="Longer battery life on the XPS")
    open_logged_in(page, idea.get_absolute_url(), "alice")
    page.get_by_label("Comment", exact=True).fill("Yes, and on the tablets too.")
    page.get_by_role("button", name="Post comment").dblclick()
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    assert Comment.objects.count() == 1
