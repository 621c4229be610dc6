"""GET /api/ideas/ shares its pages between viewers and counts once per change of the board
(core.pagecache.shared and cached_count): each viewer still gets their own `my_vote`, a voter
their vote at once, and the count follows every change of what the list holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.ideas import idea_submit
from ideas.services import idea_withdraw
from tests.factories import IdeaFactory
from votes.services import vote_cast

pytestmark = pytest.mark.django_db
URL = "/api/ideas/?sort=new"


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.IDEAS_PAGE_CACHE = True


def my_votes(client) -> dict[int, int | None]:
    return {row["id"]: row["my_vote"] for row in client.get(URL).json()["results"]}


def test_each_viewer_gets_their_own_my_vote_from_one_shared_page(
    api, as_alice, as_bob, alice, bob, django_capture_on_commit_callbacks
):
    first, second = IdeaFactory.create_batch(2)
    api.get(URL)  # a visitor's request caches the shared page
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=alice, idea=first, value=1)
        vote_cast(voter=bob, idea=second, value=-1)
    assert my_votes(as_alice) == {first.pk: 1, second.pk: None}
    assert my_votes(as_bob) == {first.pk: None, second.pk: -1}
    assert my_votes(api) == {first.pk: None, second.pk: None}


def test_a_voter_sees_their_vote_in_the_counts_at_once(
    api, as_alice, alice, django_capture_on_commit_callbacks
):
    idea = IdeaFactory()
    assert as_alice.get(URL).json()["results"][0]["score"] == 0  # cached for alice too
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=alice, idea=idea, value=1)
    row = as_alice.get(URL).json()["results"][0]
    assert (row["score"], row["my_vote"]) == (1, 1)


def test_the_count_is_taken_once_while_the_board_is_unchanged(api):
    IdeaFactory.create_batch(3)
    assert api.get(URL).json()["count"] == 3
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/ideas/?sort=popular").json()["count"] == 3
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]


def test_the_count_follows_a_new_idea_and_a_withdrawn_one(
    api, alice, category, django_capture_on_commit_callbacks
):
    IdeaFactory.create_batch(2)
    assert api.get(URL).json()["count"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        idea = idea_submit(
            author=alice, title="Counted at once", description="x", category=category
        )
    assert api.get(URL).json()["count"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        idea_withdraw(idea=idea, user=alice)
    assert api.get(URL).json()["count"] == 2


def test_a_page_past_the_end_is_still_a_400_with_a_cached_count(api):
    IdeaFactory.create_batch(2)
    api.get(URL)
    response = api.get(URL + "&page=2")
    assert response.status_code == 400
    assert response.json()["errors"]["page"]
