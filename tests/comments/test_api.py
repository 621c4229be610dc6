import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from comments.models import Comment
from notifications.models import Notification
from tests.factories import CommentFactory, IdeaFactory

pytestmark = pytest.mark.django_db


def comments_url(idea) -> str:
    return reverse("api-comment-list", args=[idea.pk])


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def alice_api(api, alice):
    api.force_authenticate(alice)
    return api


def test_anyone_lists_an_ideas_comments_oldest_first(api):
    idea = IdeaFactory()
    first = CommentFactory(idea=idea, body="First")
    reply = CommentFactory(idea=idea, parent=first, body="A reply")
    CommentFactory()  # another idea's
    response = api.get(comments_url(idea))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["next"] is None and body["previous"] is None
    assert [c["id"] for c in body["results"]] == [first.pk, reply.pk]
    item = body["results"][1]
    assert item["parent"] == first.pk and item["idea"] == idea.pk
    assert item["author"] == reply.author.username
    assert item["body"] == "A reply" and item["body_html"] == "<p>A reply</p>\n"
    assert item["deleted"] is False and item["edited_at"] is None
    assert item["url"] == f"http://testserver/ideas/{idea.pk}/#comment-{reply.pk}"


def test_a_deleted_comment_is_listed_without_body_or_author(api):
    comment = CommentFactory(deleted_at=timezone.now(), body="Secret")
    [item] = api.get(comments_url(comment.idea)).json()["results"]
    assert item["deleted"] is True
    assert item["body"] == "" and item["body_html"] == "" and item["author"] is None


def test_a_bad_page_is_400(api):
    response = api.get(comments_url(IdeaFactory()), {"page": "0"})
    assert response.status_code == 400 and "page" in response.json()["errors"]


def test_a_member_posts_a_comment_and_gets_201(alice_api, bob):
    idea = IdeaFactory(author=bob)
    response = alice_api.post(comments_url(idea), {"body": "Yes **please**"}, format="json")
    assert response.status_code == 201
    data = response.json()
    comment = Comment.objects.get()
    assert data["id"] == comment.pk and data["author"] == "alice" and data["parent"] is None
    assert data["body_html"] == "<p>Yes <strong>please</strong></p>\n"
    assert Notification.objects.filter(recipient=bob, comment=comment).exists()


def test_a_reply_to_a_reply_is_returned_under_the_top_level_comment(alice_api):
    top = CommentFactory()
    reply = CommentFactory(idea=top.idea, parent=top)
    response = alice_api.post(
        comments_url(top.idea), {"body": "Me too", "parent": reply.pk}, format="json"
    )
    assert response.status_code == 201 and response.json()["parent"] == top.pk


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"body": "Hi", "parent": 999999}, "parent"),
        ({"body": "Hi", "parent": "first"}, "parent"),
    ],
)
def test_bad_input_is_400_with_a_message_per_field(alice_api, payload, field):
    response = alice_api.post(comments_url(IdeaFactory()), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Comment.objects.exists()


def test_a_parent_on_another_idea_is_400(alice_api):
    other = CommentFactory()
    response = alice_api.post(
        comments_url(IdeaFactory()), {"body": "Hi", "parent": other.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"parent": ["That comment is on another idea."]}


def test_a_visitor_may_not_post(api):
    response = api.post(comments_url(IdeaFactory()), {"body": "Hi"}, format="json")
    assert response.status_code in (401, 403)
    assert not Comment.objects.exists()


def test_a_token_without_login_is_401_or_403_and_a_token_works(api, alice):
    from rest_framework.authtoken.models import Token

    idea = IdeaFactory()
    api.credentials(HTTP_AUTHORIZATION="Token nope")
    assert api.post(comments_url(idea), {"body": "Hi"}, format="json").status_code in (401, 403)
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    assert api.post(comments_url(idea), {"body": "Hi"}, format="json").status_code == 201


def test_an_unknown_idea_is_404(api, alice_api):
    assert api.get("/api/ideas/999999/comments/").status_code == 404
    assert alice_api.post("/api/ideas/999999/comments/", {"body": "Hi"}).status_code == 404


def test_a_withdrawn_idea_is_404_for_its_comments(alice_api):
    idea = IdeaFactory(withdrawn_at=timezone.now())
    assert alice_api.post(comments_url(idea), {"body": "Hi"}, format="json").status_code == 404
    assert alice_api.get(comments_url(idea)).status_code == 404
    assert not idea.comments.exists()


def test_other_methods_are_405(alice_api):
    assert alice_api.delete(comments_url(IdeaFactory())).status_code == 405


def test_the_schema_describes_the_endpoint(api):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/ideas/{id}/comments/" in response.json()["paths"]
