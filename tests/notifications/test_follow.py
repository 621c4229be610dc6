import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from notifications.models import Follow
from notifications.selectors import is_following
from tests.factories import IdeaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea(bob):
    return IdeaFactory(author=bob, title="Dark mode")


def render_button(user, idea) -> str:
    request = RequestFactory().get(idea.get_absolute_url())
    request.user = user
    template = engines["django"].from_string(
        "{% load notifications_tags %}{% follow_button idea %}"
    )
    return template.render({"idea": idea}, request)


def test_follow_by_form_post_follows_and_returns_to_the_idea(alice_client, alice, idea):
    response = alice_client.post(reverse("idea-follow", args=[idea.pk]), {"following": "1"})
    assert response.status_code == 302
    assert response.url == idea.get_absolute_url()
    assert Follow.objects.get(user=alice, idea=idea).following
    assert is_following(alice, idea)


def test_unfollow_overrides_the_implicit_follow_of_the_author(client, bob, idea):
    client.force_login(bob)
    assert is_following(bob, idea)
    client.post(reverse("idea-follow", args=[idea.pk]), {"following": "0"})
    assert not is_following(bob, idea)


def test_follow_by_htmx_swaps_the_button_and_announces_it(alice_client, alice, idea):
    response = alice_client.post(
        reverse("idea-follow", args=[idea.pk]), {"following": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-pressed="true"' in html
    assert "Unfollow" in html
    assert 'name="following" value="0"' in html
    assert 'hx-swap-oob="true"' in html and "You follow “Dark mode”." in html
    assert "<html" not in html


def test_a_visitor_is_sent_to_log_in_and_back(client, idea):
    response = client.post(reverse("idea-follow", args=[idea.pk]), {"following": "1"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert response.url.endswith("?next=" + idea.get_absolute_url())
    assert not Follow.objects.exists()


def test_a_visitor_using_htmx_is_redirected_by_header(client, idea):
    response = client.post(
        reverse("idea-follow", args=[idea.pk]), {"following": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_follow_by_get_is_refused(alice_client, idea):
    assert alice_client.get(reverse("idea-follow", args=[idea.pk])).status_code == 405


@pytest.mark.parametrize("value", ["", "yes", "2"])
def test_follow_with_a_bad_value_is_a_400(alice_client, idea, value):
    response = alice_client.post(reverse("idea-follow", args=[idea.pk]), {"following": value})
    assert response.status_code == 400
    assert not Follow.objects.exists()


def test_following_a_withdrawn_or_missing_idea_is_a_404(alice_client, idea):
    idea.withdrawn_at = timezone.now()
    idea.save(update_fields=["withdrawn_at"])
    url = reverse("idea-follow", args=[idea.pk])
    assert alice_client.post(url, {"following": "1"}).status_code == 404
    assert (
        alice_client.post(reverse("idea-follow", args=[999999]), {"following": "1"}).status_code
        == 404
    )


def test_button_shows_follow_then_unfollow_with_aria_pressed(alice, idea):
    html = render_button(alice, idea)
    assert 'aria-pressed="false"' in html and "</span>Follow" in html
    assert "csrfmiddlewaretoken" in html
    Follow.objects.create(user=alice, idea=idea, following=True)
    html = render_button(alice, idea)
    assert 'aria-pressed="true"' in html and "</span>Unfollow" in html


def test_visitor_sees_follow_which_leads_to_log_in(idea):
    from django.contrib.auth.models import AnonymousUser

    html = render_button(AnonymousUser(), idea)
    assert 'aria-pressed="false"' in html and "</span>Follow" in html
    assert 'name="following" value="1"' in html


def test_the_idea_page_shows_the_button(alice_client, idea):
    html = alice_client.get(idea.get_absolute_url()).content.decode()
    assert f'id="follow-{idea.pk}-button"' in html
