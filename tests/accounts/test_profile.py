import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.accounts import account_delete
from comments.models import Comment
from tests.factories import IdeaFactory

pytestmark = pytest.mark.django_db


def idea_with_score(author, promotes: int, demotes: int, **kwargs):
    return IdeaFactory(
        author=author, promotes=promotes, demotes=demotes, score=promotes - demotes, **kwargs
    )


def test_profile_shows_ideas_newest_first_points_and_join_date(client, alice):
    now = timezone.now()
    idea_with_score(alice, 5, 1, title="Older idea", created_at=now - dt.timedelta(days=3))
    idea_with_score(alice, 2, 3, title="Newer idea", created_at=now)
    idea_with_score(alice, 50, 0, title="Withdrawn idea", withdrawn_at=now)
    IdeaFactory(title="Someone else's idea")
    response = client.get(reverse("profile", args=["alice"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Newer idea") < html.index("Older idea")
    assert "Withdrawn idea" not in html and "Someone else" not in html
    assert response.context["totals"] == {"ideas": 2, "points": 3}
    assert '<dd data-testid="profile-points">3</dd>' in html
    assert alice.date_joined.strftime("%Y") in html
    assert 'data-testid="idea-score"' in html


def test_profile_lists_recent_comments_on_visible_ideas_with_links(client, alice):
    visible, withdrawn = IdeaFactory(title="Open idea"), IdeaFactory(withdrawn_at=timezone.now())
    now = timezone.now()
    shown = Comment.objects.create(
        idea=visible,
        author=alice,
        body="**Shown** comment & more",
        body_html="<p><strong>Shown</strong> comment &amp; more</p>",
        created_at=now,
    )
    Comment.objects.create(
        idea=visible, author=alice, body="Deleted comment", created_at=now, deleted_at=now
    )
    Comment.objects.create(idea=withdrawn, author=alice, body="Hidden comment", created_at=now)
    html = client.get(reverse("profile", args=["alice"])).content.decode()
    # The excerpt is the rendered text: no Markdown, no tags, escaped exactly once.
    assert "Shown comment &amp; more" in html
    assert f'href="{visible.get_absolute_url()}#comment-{shown.pk}"' in html
    assert "Deleted comment" not in html and "Hidden comment" not in html


def test_profile_paginates_ideas(client, alice):
    for _ in range(21):
        IdeaFactory(author=alice)
    first = client.get(reverse("profile", args=["alice"]))
    assert len(first.context["page"].items) == 20
    assert "?page=2" in first.content.decode()
    second = client.get(reverse("profile", args=["alice"]) + "?page=2")
    assert len(second.context["page"].items) == 1


def test_profile_without_ideas_has_an_empty_state(client, alice):
    html = client.get(reverse("profile", args=["alice"])).content.decode()
    assert "alice has not submitted an idea yet." in html
    assert "No comments yet." in html


def test_profile_query_count_is_constant(alice_client, alice, bob, django_assert_max_num_queries):
    for _ in range(20):
        idea = IdeaFactory(author=bob)
        Comment.objects.create(idea=idea, author=bob, body="Hi", created_at=timezone.now())
    with django_assert_max_num_queries(8):
        alice_client.get(reverse("profile", args=["bob"]))


def test_unknown_and_deleted_members_have_no_profile(client, alice):
    assert client.get(reverse("profile", args=["nobody"])).status_code == 404
    account_delete(user=alice)
    assert client.get(reverse("profile", args=[alice.username])).status_code == 404
    assert client.get(reverse("profile", args=["alice"])).status_code == 404


def test_profile_refuses_post(client, alice):
    assert client.post(reverse("profile", args=["alice"])).status_code == 405


def test_own_profile_links_to_settings(alice_client, bob):
    assert (
        reverse("account-settings")
        in alice_client.get(reverse("profile", args=["alice"])).content.decode()
    )
    html = alice_client.get(reverse("profile", args=["bob"])).content.decode()
    assert "Edit your settings" not in html
