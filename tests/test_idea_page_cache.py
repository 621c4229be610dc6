"""The idea page from kept pieces (web/ideas/detail_page.py, web/threads.py): the same page as
one rendered whole, each viewer's own state only, anything that changes shown at once, and a
query count that does not grow with the comments."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.conf import settings
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import override

from actions.comments import comment_post, comment_revise
from actions.moderation import content_hide
from comments.models import EDIT_WINDOW_MINUTES
from comments.services import comment_delete
from moderation.services import flag_create
from notifications.services import follow_set
from tests.clock import Clock
from tests.factories import CommentFactory, IdeaFactory, UserFactory
from votes.services import vote_cast
from web import times
from web.templatetags import ideas_tags

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'value="[A-Za-z0-9]{64}"')
FORM_TOKEN = re.compile(r'name="form_token" value="[^"]*"')


@pytest.fixture(autouse=True)
def page_cache(settings, redis_url):
    # The pieces are kept in the shared cache, Redis: every test here runs with it.
    settings.IDEAS_PAGE_CACHE = True


def page(client, idea, **kwargs) -> str:
    response = client.get(idea.get_absolute_url(), **kwargs)
    assert response.status_code == 200
    return response.content.decode()


def rendered_whole(client, idea) -> str:
    with override_settings(IDEAS_PAGE_CACHE=False):
        return page(client, idea)


def same_page(html: str) -> str:
    """The page without what differs between two renderings of it: the CSRF tokens (masked
    anew each time), the one-time form tokens (fresh for each form shown), and blank lines
    (web.skeleton's bell leaves one more)."""
    html = FORM_TOKEN.sub('name="form_token" value="TOKEN"', CSRF.sub('value="CSRF"', html))
    return re.sub(r"\n\s*\n", "\n", html)


def comment_html(html: str, comment) -> str:
    start = html.index(f'<article id="comment-{comment.pk}"')
    return html[start : html.index("</article>", start)]


@pytest.fixture
def carol(db):
    return UserFactory(username="carol")


@pytest.fixture
def thread(alice, bob, carol):
    """An idea by carol with a comment by alice, one by bob, and a reply by carol."""
    idea = IdeaFactory(author=carol, title="Quieter fans")
    first = CommentFactory(idea=idea, author=alice, body="alice says")
    second = CommentFactory(idea=idea, author=bob, body="bob says")
    reply = CommentFactory(idea=idea, author=carol, parent=first, body="carol answers")
    return idea, first, second, reply


def logged_in(client, user):
    client.force_login(user)
    return client


# The same page


@pytest.mark.parametrize("who", ["visitor", "alice", "bob"])
def test_the_page_is_the_one_rendered_whole(client, thread, alice, bob, who):
    idea, *_ = thread
    if who != "visitor":
        logged_in(client, {"alice": alice, "bob": bob}[who])
    whole = rendered_whole(client, idea)
    first, again = page(client, idea), page(client, idea)
    assert same_page(first) == same_page(whole)
    assert same_page(again) == same_page(whole)


def test_a_member_who_voted_and_follows_and_flagged_gets_their_own_parts(
    client, thread, alice, bob
):
    idea, _first, second, _reply = thread
    vote_cast(voter=alice, idea=idea, value=1)
    follow_set(user=alice, idea=idea, following=True)
    flag_create(flagger=alice, target=idea, reason="spam")
    flag_create(flagger=alice, target=second, reason="spam")
    logged_in(client, alice)
    whole = rendered_whole(client, idea)
    assert same_page(page(client, idea)) == same_page(whole)
    assert 'aria-pressed="true"' in whole and "Unfollow" in whole
    assert whole.count("You flagged this") == 2


# Each viewer's own state


def test_two_members_each_see_only_their_own_controls_on_kept_comments(client, thread, alice, bob):
    idea, first, second, _reply = thread
    flag_create(flagger=bob, target=first, reason="spam")
    for _ in range(2):  # the second time from the kept pieces
        as_alice = page(logged_in(client, alice), idea)
        mine, theirs = comment_html(as_alice, first), comment_html(as_alice, second)
        assert "Edit comment" in mine and "Delete comment" in mine and "Flag" not in mine
        assert "Edit comment" not in theirs and "Delete comment" not in theirs
        assert ">Flag</button>" in theirs and "You flagged this" not in as_alice

        as_bob = page(logged_in(client, bob), idea)
        mine, theirs = comment_html(as_bob, second), comment_html(as_bob, first)
        assert "Edit comment" in mine and "Delete comment" in mine
        assert "Edit comment" not in theirs and "Delete comment" not in theirs
        assert "You flagged this" in theirs and ">Flag</button>" not in theirs

        as_visitor = page(client.logout() or client, idea)
        assert "Edit comment" not in as_visitor and "Flag" not in as_visitor
        assert "Delete comment" not in as_visitor


def test_the_edit_link_goes_when_the_window_closes(client, thread, alice):
    idea, first, *_ = thread
    logged_in(client, alice)
    assert "Edit comment" in comment_html(page(client, idea), first)
    later = timezone.now() + dt.timedelta(minutes=EDIT_WINDOW_MINUTES, seconds=1)
    with mock.patch("django.utils.timezone.now", lambda: later):
        mine = comment_html(page(client, idea), first)
    assert "Edit comment" not in mine and "Delete comment" in mine


def test_a_moderator_always_gets_their_controls(client, thread, alice, mo):
    idea, first, second, reply = thread
    page(logged_in(client, alice), idea)  # the pieces are kept
    html = page(logged_in(client, mo), idea)
    for comment in (first, second, reply):
        assert f'id="moderate-comment-{comment.pk}"' in comment_html(html, comment)
    assert f'id="moderate-idea-{idea.pk}"' in html
    assert f'id="moderate-comment-{first.pk}"' not in page(logged_in(client, alice), idea)


def test_the_author_gets_edit_and_withdraw(client, thread, carol, alice):
    idea, *_ = thread
    page(logged_in(client, alice), idea)
    html = page(logged_in(client, carol), idea)
    assert "Edit idea" in html and "Withdraw idea" in html
    assert "Withdraw idea" not in page(logged_in(client, alice), idea)


def test_a_held_comment_shows_to_its_author_only(client, thread, alice, bob):
    idea, *_ = thread
    held = CommentFactory(idea=idea, author=bob, body="wait for me", held_at=timezone.now())
    assert "wait for me" not in page(logged_in(client, alice), idea)
    mine = page(logged_in(client, bob), idea)
    assert "wait for me" in mine
    assert "Waiting for review" in comment_html(mine, held)
    assert "wait for me" not in page(client.logout() or client, idea)


# What changes shows at once


def test_a_new_comment_an_edit_and_a_deletion_show_at_once(client, thread, alice, bob):
    idea, *_ = thread
    logged_in(client, bob)
    page(client, idea)
    comment = comment_post(author=alice, idea=idea, body="brand new")
    html = page(client, idea)
    assert "brand new" in html and "Comments (4)" in html
    comment_revise(comment=comment, user=alice, body="now edited")
    html = page(client, idea)
    assert "now edited" in html and "brand new" not in html and "(edited)" in html
    comment_delete(comment=comment, user=alice)
    html = page(client, idea)
    assert "now edited" not in html and "Comment deleted" in html and "Comments (3)" in html


def test_a_hidden_comment_leaves_at_once(client, thread, mo, bob):
    idea, first, *_ = thread
    logged_in(client, bob)
    assert "alice says" in page(client, idea)
    content_hide(moderator=mo, target=first, reason="rude")
    assert "alice says" not in page(client, idea)


def test_a_vote_an_edit_and_a_status_show_at_once(client, thread, alice, bob, pat):
    idea, *_ = thread
    logged_in(client, bob)
    page(client, idea)
    vote_cast(voter=alice, idea=idea, value=1)
    assert "<strong>1</strong> promote" in page(client, idea)
    vote_cast(voter=bob, idea=idea, value=1)
    html = page(client, idea)
    assert "<strong>2</strong> promotes" in html and 'aria-pressed="true"' in html
    idea.title = "Silent fans"
    idea.save()
    assert "Silent fans" in page(client, idea)


def test_a_member_s_follow_shows_at_once(client, thread, bob):
    idea, *_ = thread
    logged_in(client, bob)
    assert "Unfollow" in page(client, idea)  # bob commented: he follows
    follow_set(user=bob, idea=idea, following=False)
    assert "Unfollow" not in page(client, idea)
    follow_set(user=bob, idea=idea, following=True)
    assert "Unfollow" in page(client, idea)


def test_times_read_as_they_do_now(client, thread, bob):
    idea, first, *_ = thread
    clock = Clock(timezone.now())
    with (
        mock.patch("django.utils.timezone.now", lambda: clock.now),
        # timesince reads the system clock itself.
        mock.patch.object(times, "timesince", lambda d: timesince(d, clock.now)),
    ):
        logged_in(client, bob)
        html = page(client, idea)
        assert "just now" in comment_html(html, first)
        clock.advance(minutes=3)
        html = page(client, idea)
    assert "3\xa0minutes ago" in comment_html(html, first)
    assert "3\xa0minutes ago" in html[: html.index('id="comments"')]  # the idea's own time


# Queries


@pytest.mark.parametrize("comments", [1, 20])
def test_the_query_count_does_not_grow_with_comments(
    client, alice, bob, comments, django_assert_max_num_queries
):
    idea = IdeaFactory()
    for n in range(comments):
        CommentFactory(idea=idea, author=alice if n % 2 else bob)
    logged_in(client, bob)
    page(client, idea)
    # The session, the member, the idea and the viewer's vote, their follow, their flags,
    # the comments, the bell's count.
    with django_assert_max_num_queries(8):
        page(client, idea)
    client.logout()
    page(client, idea)
    with django_assert_max_num_queries(2):  # the idea, the comments
        page(client, idea)


def test_without_a_shared_cache_the_page_is_rendered(client, thread, bob, settings):
    idea, *_ = thread
    settings.IDEAS_PAGE_CACHE = False
    assert "alice says" in page(logged_in(client, bob), idea)


# Times as they read


def test_the_ago_text_is_the_template_filter_s():
    now = timezone.now()
    for delta in (dt.timedelta(0), dt.timedelta(seconds=59), dt.timedelta(minutes=61)):
        assert times.ago(now - delta) == ideas_tags.ago(now - delta)
    assert times.ago(None) == ideas_tags.ago(None) == ""


@pytest.mark.parametrize(
    "at",
    [
        dt.datetime(2024, 1, 31, 10, 17, 23, tzinfo=dt.UTC),
        dt.datetime(2023, 2, 28, 23, 59, 59, 999999, tzinfo=dt.UTC),
    ],
)
def test_ago_key_changes_whenever_the_text_does(at):
    def text(now):
        with (
            mock.patch("django.utils.timezone.now", lambda: now),
            mock.patch.object(times, "timesince", lambda d: timesince(d, now)),
        ):
            return times.ago(at)

    with override("en"):
        previous_key = previous_text = None
        # Every 17 seconds for two days, every 7 minutes for 40 days, every 3 hours for 2 years.
        steps = [dt.timedelta(seconds=17 * n) for n in range(-10, 10_200)]
        steps += [dt.timedelta(days=2, minutes=7 * n) for n in range(8_300)]
        steps += [dt.timedelta(days=42, hours=3 * n) for n in range(5_900)]
        for step in steps:
            now = at + step
            key, now_text = times.ago_key(at, now), text(now)
            if key == previous_key:
                assert now_text == previous_text, (at, now)
            previous_key, previous_text = key, now_text


def test_a_kept_rendering_has_its_times_as_markers():
    at = timezone.now() - dt.timedelta(hours=2, minutes=5)
    html = f'<time datetime="{at.isoformat()}" title="x">{times.ago(at)}</time>'
    html += '<time datetime="2024-01-01T00:00:00+00:00">1 January 2024</time>'
    marked = times.mark_times(html, timezone.now())
    assert times.ago(at) not in marked and "1 January 2024" in marked
    assert times.fill_times(marked) == html
    assert times.join_times(times.split_times(marked)) == html
    assert settings.USE_TZ
