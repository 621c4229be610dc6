import pytest
from django.urls import reverse

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


def test_a_vote_shows_to_visitors_at_once(
    client, alice, page_cache, django_capture_on_commit_callbacks
):
    idea = IdeaFactory()
    assert score_of(client.get(reverse("idea-list")).content.decode(), idea) == "0"
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=alice, idea=idea, value=1)
    assert score_of(client.get(reverse("idea-list")).content.decode(), idea) == "1"


def test_members_always_get_a_fresh_page_with_their_own_votes(
    client, alice, page_cache, django_assert_max_num_queries
):
    idea = IdeaFactory()
    client.get(reverse("idea-list"))  # a visitor's copy is now cached
    client.force_login(alice)
    vote_cast(voter=alice, idea=idea, value=1)
    html = client.get(reverse("idea-list")).content.decode()
    assert score_of(html, idea) == "1"
    assert 'aria-pressed="true"' in html


def test_visitor_pages_carry_no_csrf_token_so_they_can_be_shared(client):
    IdeaFactory()
    html = client.get(reverse("idea-list")).content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert 'action="/accounts/login/"' in html
