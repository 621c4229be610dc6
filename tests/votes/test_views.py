import pytest
from django.urls import reverse

from ideas.models import Idea
from tests.factories import IdeaFactory
from votes.models import Vote

pytestmark = pytest.mark.django_db


def vote_url(idea):
    return reverse("idea-vote", args=[idea.pk])


def test_plain_post_votes_and_redirects_back_to_next(alice_client, alice):
    idea = IdeaFactory()
    response = alice_client.post(vote_url(idea), {"value": "1", "next": "/ideas/?sort=new"})
    assert response.status_code == 302 and response.url == "/ideas/?sort=new"
    assert Idea.objects.get(pk=idea.pk).score == 1


def test_offsite_next_is_ignored(alice_client):
    idea = IdeaFactory()
    response = alice_client.post(vote_url(idea), {"value": "-1", "next": "https://evil.test/"})
    assert response.url == idea.get_absolute_url()


def test_htmx_vote_returns_the_widget_with_the_new_score_and_pressed_state(alice_client):
    idea = IdeaFactory()
    response = alice_client.post(vote_url(idea), {"value": "1"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'data-testid="idea-score"' in html and ">1</output>" in html
    assert 'aria-pressed="true"' in html
    # Announced through the status region outside the swapped form.
    assert 'id="vote-status"' in html and 'hx-swap-oob="true"' in html
    assert "Promoted" in html and "now has a score of 1." in html


def test_htmx_vote_on_the_idea_page_also_refreshes_its_tally_and_follow_button(alice_client):
    idea = IdeaFactory()
    page = f"https://ideas.example.com{idea.get_absolute_url()}"  # behind a TLS proxy
    headers = {"HX-Request": "true", "HX-Current-URL": page}
    html = alice_client.post(vote_url(idea), {"value": "1"}, headers=headers).content.decode()
    assert f'id="tally-{idea.pk}" data-hx-swap-oob="true"' in html
    assert "<strong>1</strong> promote ·" in html
    # A vote follows the idea (auto-follow is on by default).
    assert f'id="follow-{idea.pk}" data-hx-swap-oob="true"' in html and "Unfollow" in html

    # From a list, or from another idea's page (its similar ideas), the widget is all there is.
    for elsewhere in ("/ideas/", IdeaFactory().get_absolute_url()):
        elsewhere = f"https://ideas.example.com{elsewhere}"  # behind a proxy: any origin
        headers["HX-Current-URL"] = elsewhere
        html = alice_client.post(vote_url(idea), {"value": "-1"}, headers=headers)
        assert "tally-" not in html.content.decode() and "follow-" not in html.content.decode()


def test_pressing_the_pressed_button_withdraws(alice_client, alice):
    idea = IdeaFactory()
    alice_client.post(vote_url(idea), {"value": "1"})
    alice_client.post(vote_url(idea), {"value": "0"})
    assert not Vote.objects.filter(voter=alice).exists()
    assert Idea.objects.get(pk=idea.pk).score == 0


@pytest.mark.parametrize("value", ["2", "", "promote", "-2", "1.0"])
def test_a_value_other_than_plus_minus_one_or_zero_is_refused(alice_client, value):
    idea = IdeaFactory()
    response = alice_client.post(vote_url(idea), {"value": value})
    assert response.status_code == 400
    assert Idea.objects.get(pk=idea.pk).score == 0


def test_vote_on_a_missing_idea_is_404(alice_client):
    assert alice_client.post("/ideas/999999/vote/", {"value": "1"}).status_code == 404


def test_visitor_vote_is_sent_to_log_in_and_back(client):
    idea = IdeaFactory()
    response = client.post(vote_url(idea), {"value": "1", "next": "/ideas/"})
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/ideas/"
    assert Vote.objects.count() == 0


def test_visitor_htmx_vote_gets_an_hx_redirect_to_log_in(client):
    idea = IdeaFactory()
    response = client.post(
        vote_url(idea), {"value": "1", "next": "/ideas/"}, headers={"HX-Request": "true"}
    )
    assert response["HX-Redirect"] == "/accounts/login/?next=/ideas/"


def test_vote_by_get_is_refused(alice_client):
    assert alice_client.get(vote_url(IdeaFactory())).status_code == 405
