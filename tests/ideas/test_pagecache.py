from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.ideas import idea_submit
from core.pagecache import LIVE_LAG
from tests.clock import Clock
from tests.factories import IdeaFactory
from votes.services import vote_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings):
    settings.IDEAS_PAGE_CACHE = True


def score_of(html: str, idea) -> str:
    start = html.index(f'id="vote-{idea.pk}"')
    chunk = html[html.index('data-testid="idea-score"', start) :]
    return chunk[chunk.index(">") + 1 : chunk.index("</output>")]


def test_a_second_visitor_is_served_from_the_cache(client, page_cache, django_assert_num_queries):
    IdeaFactory.create_batch(3)
    first = client.get(reverse("idea-list"))
    with django_assert_num_queries(0):
        second = client.get(reverse("idea-list"))
    assert second.content == first.content


@pytest.fixture
def clock():
    clock = Clock(timezone.now())
    with mock.patch("django.utils.timezone.now", lambda: clock.now):
        yield clock


def test_a_vote_shows_to_visitors_within_the_live_lag(
    client, alice, page_cache, clock, django_capture_on_commit_callbacks
):
    idea = IdeaFactory()
    assert score_of(client.get(reverse("idea-list")).content.decode(), idea) == "0"
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=alice, idea=idea, value=1)
    # A page rendered less than LIVE_LAG ago is still served: under 20 votes a second the list
    # is rendered about once a second, not once per vote.
    clock.advance(seconds=LIVE_LAG / 2)
    assert score_of(client.get(reverse("idea-list")).content.decode(), idea) == "0"
    clock.advance(seconds=LIVE_LAG / 2 + 0.01)
    assert score_of(client.get(reverse("idea-list")).content.decode(), idea) == "1"


def test_without_votes_since_a_page_is_served_past_the_live_lag(
    client, page_cache, clock, django_assert_num_queries
):
    IdeaFactory()
    first = client.get(reverse("idea-list"))
    clock.advance(seconds=30)
    with django_assert_num_queries(0):
        assert client.get(reverse("idea-list")).content == first.content


def test_a_new_idea_shows_to_visitors_at_once(
    client, alice, category, page_cache, clock, django_capture_on_commit_callbacks
):
    client.get(reverse("idea-list"))
    with django_capture_on_commit_callbacks(execute=True):
        idea_submit(author=alice, title="Fresh idea now", description="Text.", category=category)
    assert "Fresh idea now" in client.get(reverse("idea-list")).content.decode()


def test_members_see_their_own_vote_at_once(
    client, alice, page_cache, clock, django_capture_on_commit_callbacks
):
    idea = IdeaFactory()
    client.get(reverse("idea-list"))  # a visitor's copy is now cached
    client.force_login(alice)
    client.get(reverse("idea-list"))  # and the member's
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=alice, idea=idea, value=1)
    # Well within LIVE_LAG, which would still serve a visitor the page from before the vote.
    clock.advance(seconds=LIVE_LAG / 10)
    html = client.get(reverse("idea-list")).content.decode()
    assert score_of(html, idea) == "1"
    assert 'aria-pressed="true"' in html


def test_visitor_pages_carry_no_csrf_token_so_they_can_be_shared(client):
    IdeaFactory()
    html = client.get(reverse("idea-list")).content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert 'action="/accounts/login/"' in html
