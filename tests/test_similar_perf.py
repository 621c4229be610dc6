"""Similar ideas while typing (/ideas/similar/, web/ideas/similar.py): the lookup kept per board
version, the panel per what it shows; the same panel as one rendered for the request, each
viewer's own votes, changes shown at once, and few queries."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from actions.ideas import idea_submit
from actions.moderation import content_hide
from ideas import search
from ideas.models import Idea
from tests.factories import IdeaFactory
from votes.services import vote_cast

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'value="[A-Za-z0-9]{64}"')
TITLE = "Quieter fans on the business notebooks"


@pytest.fixture(autouse=True)
def page_cache(settings, redis_url, postgres):
    settings.IDEAS_PAGE_CACHE = True


@pytest.fixture
def fans(category):
    return [
        IdeaFactory(title="Quieter fans on the business notebooks", category=category),
        IdeaFactory(title="Quieter fans for the workstations", category=category),
        IdeaFactory(title="Longer battery on the business notebooks", category=category),
    ]


def similar(client, title=TITLE) -> str:
    response = client.get(reverse("idea-similar"), {"title": title})
    assert response.status_code == 200
    return CSRF.sub('value="CSRF"', response.content.decode())


def rendered_for(user, title=TITLE) -> str:
    """The panel as the view rendered it before it was kept: for this request, whole."""
    request = RequestFactory().get(reverse("idea-similar"), {"title": title})
    request.user = user
    ideas = search.similar(Idea.objects.visible().for_list().with_viewer_vote(user), title)
    html = render_to_string("ideas/similar.html", {"similar": ideas}, request=request)
    return CSRF.sub('value="CSRF"', html)


def test_the_panel_is_the_one_rendered_for_the_request(client, fans, alice):
    from django.contrib.auth.models import AnonymousUser

    assert similar(client) == similar(client) == rendered_for(AnonymousUser())
    vote_cast(voter=alice, idea=fans[1], value=1)
    client.force_login(alice)
    assert similar(client) == similar(client) == rendered_for(alice)
    assert "Quieter fans for the workstations" in similar(client)


def test_each_member_sees_their_own_votes(client, fans, alice, bob):
    vote_cast(voter=alice, idea=fans[0], value=1)
    for _ in range(2):
        client.force_login(alice)
        assert similar(client).count('aria-pressed="true"') == 1
        client.force_login(bob)
        assert 'aria-pressed="true"' not in similar(client)


def test_a_new_idea_a_hidden_one_and_a_vote_show_at_once(
    client, fans, alice, bob, mo, category, django_capture_on_commit_callbacks
):
    client.force_login(bob)
    assert "Quieter fans on the workstations too" not in similar(client)
    with django_capture_on_commit_callbacks(execute=True):
        idea_submit(
            author=alice,
            title="Quieter fans on the workstations too",
            description="Please.",
            category=category,
        )
    assert "Quieter fans on the workstations too" in similar(client)
    with django_capture_on_commit_callbacks(execute=True):
        content_hide(moderator=mo, target=fans[1], reason="duplicate")
    assert "Quieter fans for the workstations" not in similar(client)
    vote_cast(voter=alice, idea=fans[0], value=1)
    html = similar(client)
    start = html.index(f'id="vote-{fans[0].pk}"')
    assert '<output class="score" data-testid="idea-score"' in html[start:]
    assert 'idea-score"\n          title="1 promote, 0 demotes">1</output>' in html[start:]


def test_a_short_title_asks_for_nothing(client, fans, django_assert_num_queries):
    with django_assert_num_queries(0):
        html = similar(client, "ab")
    assert "similar-list" not in html


def test_a_kept_answer_costs_a_query_for_the_ideas(
    client, fans, bob, django_assert_max_num_queries
):
    similar(client)
    with django_assert_max_num_queries(1):  # the ideas' figures
        similar(client)
    client.force_login(bob)
    similar(client)
    with django_assert_max_num_queries(3):  # the session, the member, the ideas and votes
        similar(client)
