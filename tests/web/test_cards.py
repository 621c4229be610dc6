"""Idea cards say what a customer needs at a glance (an excerpt, the comment count, the author,
and on Popular the figure the order follows), in the list's own queries, and a card's cache key
changes with each of them."""

import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.comments import comment_post
from comments.services import comment_delete
from core.pagecache import LIVE_LAG
from ideas.models import Idea
from tests.clock import Clock
from tests.factories import CommentFactory, IdeaFactory, UserFactory
from votes.services import vote_cast
from web import cards
from web.templatetags.ideas_tags import excerpt

pytestmark = pytest.mark.django_db

LONG = (
    "Ship **Ubuntu** as a choice in the build-your-PC menu, with drivers for the Wi-Fi chipset, "
    "the card reader and the webcam tested before the machine leaves the factory, so that it "
    "works on the first boot without a trip to the forums."
)


def card_of(html: str, idea) -> str:
    """The markup of one idea's card on a page."""
    start = html.index(f'id="idea-{idea.pk}-title"')
    start = html.rindex('<article class="idea-card">', 0, start)
    return html[start : html.index("</article>", start)]


def test_excerpt_is_plain_text_cut_at_a_word_with_an_ellipsis():
    text = excerpt("<p>" + "word " * 60 + "</p>")
    assert len(text) <= 160 and text.endswith("word…")
    assert (
        excerpt("<p>Short <strong>and</strong> sweet &amp; done.</p>") == "Short and sweet & done."
    )
    assert excerpt("<p>" + "x" * 300 + "</p>") == "x" * 159 + "…"
    assert excerpt("") == ""


def test_a_card_shows_its_excerpt_author_and_comment_count(client):
    author = UserFactory(username="ada_l", first_name="Ada", last_name="Byron")
    idea = IdeaFactory(author=author, description=LONG)
    CommentFactory.create_batch(2, idea=idea)
    CommentFactory(idea=idea, hidden_at=timezone.now())
    CommentFactory(idea=idea, deleted_at=timezone.now())
    card = card_of(client.get(reverse("idea-list"), {"sort": "new"}).content.decode(), idea)
    shown = re.search(r'<p class="idea-excerpt">([^<]*)</p>', card).group(1)
    assert shown.startswith("Ship Ubuntu as a choice") and shown.endswith("…")
    assert len(shown) <= 160 and "**" not in shown
    assert f'href="{idea.get_absolute_url()}#comments"' in card
    assert '2<span class="visually-hidden"> comments</span>' in card  # hidden and deleted left out
    assert 'class="avatar avatar-20' in card and ">AL</span>" in card
    assert 'data-testid="idea-score"' in card and f'id="vote-{idea.pk}"' in card


def test_popular_cards_say_why_and_other_orders_do_not(
    client, alice, django_capture_on_commit_callbacks
):
    idea = IdeaFactory()
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=alice, idea=idea, value=1)
    popular = card_of(client.get(reverse("idea-list"), {"sort": "popular"}).content.decode(), idea)
    assert re.search(r'<span class="idea-why-figure">1\.0</span>', popular)
    assert "Ranked by recent support" in client.get(reverse("idea-list")).content.decode()
    newest = card_of(client.get(reverse("idea-list"), {"sort": "new"}).content.decode(), idea)
    assert "idea-why" not in newest
    home = card_of(client.get(reverse("home")).content.decode(), idea)
    assert "idea-why-figure" in home


def test_why_figure_is_rounded_as_shown():
    class Row:
        def __init__(self, value):
            self.popular_now = value

    assert cards.why_figure(Row(12.345)) == "12.3"
    assert cards.why_figure(Row(119.6)) == "120"
    assert cards.why_figure(Row(-2.25)) == "\u22122.2"
    assert cards.why_figure(Row(0.0001)) == "0"


@pytest.fixture
def clock():
    clock = Clock(timezone.now())
    with mock.patch("django.utils.timezone.now", lambda: clock.now):
        yield clock


@pytest.mark.parametrize("page_cache", [False, True])
def test_a_new_comment_shows_on_the_card(
    client, alice, settings, page_cache, clock, django_capture_on_commit_callbacks
):
    # Without the page cache, the card's own key changes; with it, the cached list catches up
    # within LIVE_LAG, as after a vote.
    settings.IDEAS_PAGE_CACHE = page_cache
    idea = IdeaFactory()
    url = reverse("idea-list") + "?sort=new"
    none = '0<span class="visually-hidden"> comments</span>'
    assert none in card_of(client.get(url).content.decode(), idea)
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(author=alice, idea=idea, body="Yes, please.")
    clock.advance(seconds=LIVE_LAG + 0.01)
    card = card_of(client.get(url).content.decode(), idea)
    assert '1<span class="visually-hidden"> comment</span>' in card


def test_the_card_key_holds_every_field_the_card_shows():
    IdeaFactory()
    idea = cards.with_card_figures(Idea.objects.for_shared_list()).get()
    params = cards.CardParams(member=False, visitor_posts=False, demotes_on=True, q="", why=True)
    before = cards._card_key(idea, params)
    for change in (
        lambda i: setattr(i, "comment_count", i.comment_count + 1),
        lambda i: setattr(i, "popular_now", 3.0),
        lambda i: setattr(i, "description_html", "<p>Another text</p>"),
        lambda i: setattr(i.author, "username", "grace"),
    ):
        change(idea)
        after = cards._card_key(idea, params)
        assert after != before
        before = after
    assert cards._card_key(idea, params) != cards._card_key(
        idea, cards.CardParams(member=False, visitor_posts=False, demotes_on=True, q="", why=False)
    )


def test_cards_read_their_figures_without_a_query_per_card(client, django_assert_max_num_queries):
    ideas = IdeaFactory.create_batch(20)
    for idea in ideas:
        CommentFactory(idea=idea)
    client.get(reverse("idea-list"))
    with django_assert_max_num_queries(2):  # the board's settings and the page of ideas
        response = client.get(reverse("idea-list"))
    assert response.content.decode().count('1<span class="visually-hidden"> comment</span>') == 20


def test_deep_pages_read_the_figures_in_one_query_of_their_own(
    client, monkeypatch, django_assert_max_num_queries
):
    from web.ideas import views

    monkeypatch.setattr(views, "FIGURES_INLINE_PAGES", 0)
    for idea in IdeaFactory.create_batch(20):
        CommentFactory(idea=idea)
    client.get(reverse("idea-list"))
    with django_assert_max_num_queries(3):  # the settings, the page, the cards' figures
        html = client.get(reverse("idea-list")).content.decode()
    assert html.count('1<span class="visually-hidden"> comment</span>') == 20
    assert html.count('class="idea-why-figure"') == 20


@pytest.mark.parametrize("page_cache", [False, True])
def test_a_deleted_comment_leaves_the_card(
    client, alice, settings, page_cache, clock, django_capture_on_commit_callbacks
):
    settings.IDEAS_PAGE_CACHE = page_cache
    idea = IdeaFactory()
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_post(author=alice, idea=idea, body="Yes, please.")
    url = reverse("idea-list") + "?sort=new"
    assert '1<span class="visually-hidden"> comment</span>' in card_of(
        client.get(url).content.decode(), idea
    )
    with django_capture_on_commit_callbacks(execute=True):
        comment_delete(comment=comment, user=alice)
    clock.advance(seconds=LIVE_LAG + 0.01)
    card = card_of(client.get(url).content.decode(), idea)
    assert '0<span class="visually-hidden"> comments</span>' in card
