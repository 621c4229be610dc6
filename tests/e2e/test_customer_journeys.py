"""A customer's journeys in Chromium: finding a duplicate before posting, voting, talking,
following, searching and looking someone up. Everything is found by role, label and
accessible name (CONTRACT.md, "Accessible names"); expect() waits, nothing sleeps."""

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

from actions.ideas import idea_status_set
from tests.conftest import PASSWORD
from tests.e2e.test_journeys import IDEA_URL, log_in, vote_buttons
from tests.factories import CategoryFactory, IdeaFactory
from votes.services import vote_cast

SAME_DOCUMENT = "window.__sameDocument === true"


def mark_document(page: Page) -> None:
    """A full page load wipes this marker; an htmx swap keeps it."""
    page.evaluate("window.__sameDocument = true")


def assert_same_document(page: Page, what: str) -> None:
    assert page.evaluate(SAME_DOCUMENT), f"{what} reloaded the page"


def open_logged_in(page: Page, path: str, username: str) -> None:
    page.goto(f"/accounts/login/?next={path}")
    log_in(page, username)
    expect(page).to_have_url(re.compile(re.escape(path) + r"$"))


def test_similar_idea_found_while_typing_is_promoted_in_place_then_new_idea_submitted(
    page: Page, live_server, category
):
    existing = IdeaFactory(
        title="Longer battery life on XPS laptops", category=category, status="planned"
    )
    IdeaFactory(title="Dark mode for the notebook editor", category=category)

    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.goto("/ideas/new/")
    similar_titles = []
    page.on(
        "request",
        lambda request: (
            similar_titles.append(parse_qs(urlparse(request.url).query).get("title", [""])[0])
            if "/ideas/similar/" in request.url
            else None
        ),
    )
    title = page.get_by_label("Title", exact=True)
    typed = "battery life laptop"
    with page.expect_response(
        lambda response: (
            "/ideas/similar/" in response.url
            and parse_qs(urlparse(response.url).query).get("title") == [typed]
        )
    ) as answer:
        title.press_sequentially(typed)
    assert answer.value.ok

    panel = page.locator("#similar-ideas")
    heading = panel.get_by_role("heading", name="Already on the board? Back one instead")
    expect(heading).to_be_visible()
    item = panel.get_by_role("listitem").filter(
        has=page.get_by_role("link", name=existing.title, exact=True)
    )
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Planned")
    expect(panel.get_by_role("link", name="Dark mode for the notebook editor")).to_have_count(0)
    # The panel sits right under the Title field, before Description.
    assert page.evaluate(
        """() => {
            const title = document.getElementById('id_title');
            const panel = document.getElementById('similar-ideas');
            const description = document.getElementById('id_description');
            const after = Node.DOCUMENT_POSITION_FOLLOWING;
            return !!(title.compareDocumentPosition(panel) & after)
                && !!(panel.compareDocumentPosition(description) & after);
        }"""
    ), "the similar ideas panel is not between Title and Description"
    # Debounced: one request for the finished title, not one per keystroke.
    typed_requests = [t for t in similar_titles if t]
    assert typed_requests and typed_requests[-1] == typed
    assert len(typed_requests) < len(typed) // 2, typed_requests

    mark_document(page)
    promote, demote = vote_buttons(item)
    score = item.get_by_test_id("idea-score")
    expect(score).to_have_text("0")
    expect(promote).to_have_attribute("aria-pressed", "false")
    promote.click()
    expect(promote).to_have_attribute("aria-pressed", "true")
    expect(score).to_have_text("1")
    expect(demote).to_have_attribute("aria-pressed", "false")
    assert_same_document(page, "promoting a similar idea")
    expect(page).to_have_url(re.compile(r"/ideas/new/$"))
    expect(title).to_have_value(typed)
    existing.refresh_from_db()
    assert existing.score == 1

    title.fill("Keyboard shortcuts for the notebook editor")
    page.get_by_label("Description").fill("Let me run a cell with Ctrl+Enter.")
    page.get_by_label("Category").select_option(label="Notebooks")
    page.get_by_label("Tags").fill("keyboard, editor")
    page.get_by_role("button", name="Submit idea").click()

    expect(page).to_have_url(IDEA_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Keyboard shortcuts for the notebook editor"
    )
    tags = page.get_by_role("list", name="Tags")
    expect(tags.get_by_role("link", name="#keyboard")).to_be_visible()
    expect(tags.get_by_role("link", name="#editor")).to_be_visible()
    expect(page.get_by_text("Let me run a cell with Ctrl+Enter.")).to_be_visible()


def test_promote_demote_and_withdraw_update_in_place(page: Page, live_server, alice):
    idea = IdeaFactory(title="Sync settings between devices")
    open_logged_in(page, f"/ideas/{idea.pk}/", "alice")

    score = page.get_by_test_id("idea-score")
    promote, demote = vote_buttons(page)
    expect(score).to_have_text("0")
    mark_document(page)

    tally = page.locator(".tally")
    expect(page.get_by_role("button", name="Follow", exact=True)).to_be_visible()
    promote.click()
    expect(promote).to_have_attribute("aria-pressed", "true")
    expect(demote).to_have_attribute("aria-pressed", "false")
    expect(score).to_have_text("1")
    # The tally and Follow change with it: voting follows the idea.
    expect(tally).to_have_text("1 promote · 0 demotes")
    expect(page.get_by_role("button", name="Unfollow", exact=True)).to_be_visible()

    demote.click()
    expect(demote).to_have_attribute("aria-pressed", "true")
    expect(promote).to_have_attribute("aria-pressed", "false")
    expect(score).to_have_text("-1")
    expect(tally).to_have_text("0 promotes · 1 demote")

    demote.click()
    expect(demote).to_have_attribute("aria-pressed", "false")
    expect(promote).to_have_attribute("aria-pressed", "false")
    expect(score).to_have_text("0")
    # Screen readers hear the last change through the status region.
    expect(page.locator("#vote-status")).to_contain_text("Vote withdrawn")
    assert_same_document(page, "a vote")

    idea.refresh_from_db()
    assert (idea.score, idea.promotes, idea.demotes) == (0, 0, 0)
    page.reload()
    expect(score).to_have_text("0")
    expect(demote).to_have_attribute("aria-pressed", "false")


def test_comment_and_reply_appear_without_reload(page: Page, live_server, alice):
    idea = IdeaFactory(title="Comment threads in notebooks")
    open_logged_in(page, f"/ideas/{idea.pk}/", "alice")
    comments = page.locator("#comments")
    expect(comments.get_by_role("heading", name="Comments (0)")).to_be_visible()
    mark_document(page)

    page.get_by_label("Comment", exact=True).fill("This would save me an hour a day.")
    page.get_by_role("button", name="Post comment").click()

    thread = comments.locator("li.comment-thread").filter(
        has_text="This would save me an hour a day."
    )
    expect(thread).to_have_count(1)
    expect(comments.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(thread.get_by_role("link", name="alice")).to_be_visible()
    # The form is emptied for the next comment.
    expect(page.get_by_label("Comment", exact=True)).to_have_value("")
    assert_same_document(page, "posting a comment")

    reply_field = thread.get_by_label("Reply", exact=True)
    expect(reply_field).to_be_hidden()
    thread.locator("summary", has_text="Reply").click()
    expect(reply_field).to_be_visible()
    reply_field.fill("Same here, especially on Mondays.")
    thread.get_by_role("button", name="Post reply").click()

    thread = comments.locator("li.comment-thread").filter(
        has_text="This would save me an hour a day."
    )
    replies = thread.locator(".comment-replies")
    expect(replies).to_contain_text("Same here, especially on Mondays.")
    expect(comments.locator("li.comment-thread")).to_have_count(1)
    expect(comments.get_by_role("heading", name="Comments (2)")).to_be_visible()
    assert_same_document(page, "posting a reply")

    page.reload()
    expect(
        page.locator("#comments .comment-replies").filter(
            has_text="Same here, especially on Mondays."
        )
    ).to_have_count(1)


def test_comment_without_javascript_redirects_back_and_shows_it(
    page_nojs: Page, live_server, alice
):
    page = page_nojs
    idea = IdeaFactory(title="Plain forms still work")
    idea_url = f"/ideas/{idea.pk}/"
    open_logged_in(page, idea_url, "alice")

    page.get_by_label("Comment", exact=True).fill("Posted with JavaScript off.")
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()

    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}{idea_url}")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Plain forms still work")
    comments = page.locator("#comments")
    expect(comments.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(comments.locator("article.comment")).to_contain_text("Posted with JavaScript off.")


def test_follower_hears_of_status_change_and_reads_official_response(
    page: Page, live_server, alice, pat
):
    idea = IdeaFactory(title="Offline notebooks")
    open_logged_in(page, f"/ideas/{idea.pk}/", "alice")
    bell = page.get_by_role("link", name=re.compile(r"^Notifications"))
    expect(bell).to_have_accessible_name("Notifications")

    follow = page.get_by_role("button", name="Follow", exact=True)
    expect(follow).to_have_attribute("aria-pressed", "false")
    mark_document(page)
    follow.click()
    unfollow = page.get_by_role("button", name="Unfollow", exact=True)
    expect(unfollow).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Follow", exact=True)).to_have_count(0)
    assert_same_document(page, "following")

    idea_status_set(
        idea=idea, actor=pat, status="planned", response="Coming in the spring release."
    )

    page.reload()
    expect(bell).to_have_accessible_name(re.compile(r"\b1 unread\b"))
    bell.click()
    expect(page).to_have_url(f"{live_server.url}/notifications/")
    notice = page.get_by_role("link", name=re.compile(r"Offline notebooks.*is now Planned"))
    expect(notice).to_have_count(1)
    notice.click()

    expect(page).to_have_url(IDEA_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Offline notebooks")
    response = page.get_by_role("region", name="Official response")
    expect(response.get_by_role("heading", name="Official response")).to_be_visible()
    expect(response).to_contain_text("Coming in the spring release.")
    expect(page.locator(".idea-page .status")).to_have_text("Planned")
    # Opening it read it: the bell is quiet again.
    expect(bell).to_have_accessible_name("Notifications")


def test_search_highlights_the_match_and_leaves_out_the_others(page: Page, live_server):
    category = CategoryFactory(name="Hardware", slug="hardware")
    wanted = IdeaFactory(
        title="Quieter fans",
        description="The cooling fans sound like a hovercraft under load.",
        category=category,
    )
    IdeaFactory(title="Brighter screen", description="Hard to read outdoors.", category=category)
    IdeaFactory(title="More ports", description="Two USB ports are not enough.", category=category)

    page.goto("/ideas/")
    results = page.locator("#results")
    expect(results.get_by_role("article")).to_have_count(3)
    search = page.get_by_label("Search", exact=True)
    search.fill("hovercraft")
    search.press("Enter")

    expect(page).to_have_url(re.compile(r"[?&]q=hovercraft\b"))
    cards = results.get_by_role("article")
    expect(cards).to_have_count(1)
    card = cards.first
    expect(card.get_by_role("link", name=wanted.title, exact=True)).to_be_visible()
    expect(card.locator("mark")).to_have_text(re.compile(r"^hovercraft$", re.I))
    expect(results.get_by_role("link", name="Brighter screen")).to_have_count(0)
    expect(results.get_by_role("link", name="More ports")).to_have_count(0)
    expect(search).to_have_value("hovercraft")


def test_author_link_leads_to_profile_with_ideas_and_points(page: Page, live_server, alice, bob):
    category = CategoryFactory(name="Hardware", slug="hardware")
    first = IdeaFactory(title="Quieter fans", author=alice, category=category)
    second = IdeaFactory(title="Brighter screen", author=alice, category=category)
    IdeaFactory(title="Someone else's idea", author=bob, category=category)
    vote_cast(voter=bob, idea=first, value=1)
    vote_cast(voter=bob, idea=second, value=1)
    carol = IdeaFactory().author
    vote_cast(voter=carol, idea=first, value=1)
    vote_cast(voter=carol, idea=second, value=-1)
    # first: 2, second: 0, so 2 points.

    page.goto(f"/ideas/{first.pk}/")
    page.locator(".idea-page .idea-meta").get_by_role("link", name="alice", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/users/alice/")
    expect(page.get_by_role("heading", level=1)).to_have_text("alice")
    expect(page.get_by_test_id("profile-points")).to_have_text("2")
    ideas = page.get_by_role("region", name="Ideas by alice")
    expect(ideas.get_by_role("article")).to_have_count(2)
    expect(ideas.get_by_role("link", name="Quieter fans", exact=True)).to_be_visible()
    expect(ideas.get_by_role("link", name="Brighter screen", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Someone else's idea")).to_have_count(0)
