import datetime as dt

import pytest
from django.utils import timezone

from comments.models import Comment
from moderation.bans import ban_create
from notifications.models import Follow
from notifications.selectors import is_following
from tests.api.conftest import field_errors
from tests.factories import CommentFactory, IdeaFactory, NotificationFactory

pytestmark = pytest.mark.django_db


def test_follow_then_unfollow(as_bob, bob):
    idea = IdeaFactory()
    response = as_bob.put(f"/api/ideas/{idea.pk}/follow/")
    assert response.status_code == 200 and response.json() == {"idea": idea.pk, "following": True}
    assert is_following(bob, idea)
    assert as_bob.delete(f"/api/ideas/{idea.pk}/follow/").json()["following"] is False
    assert not is_following(bob, idea)


def test_follow_needs_a_login_and_a_visible_idea(api, as_bob, mo, bob):
    idea = IdeaFactory()
    hidden = IdeaFactory(hidden_at=timezone.now())
    assert api.put(f"/api/ideas/{idea.pk}/follow/").status_code in (401, 403)
    assert as_bob.put(f"/api/ideas/{hidden.pk}/follow/").status_code == 404
    assert as_bob.put("/api/ideas/999999/follow/").status_code == 404
    ban_create(moderator=mo, user=bob, reason="Spam", days=1)
    bob.refresh_from_db()  # the client acts as this very object
    assert as_bob.put(f"/api/ideas/{idea.pk}/follow/").status_code == 403
    assert not Follow.objects.filter(user=bob).exists()


def test_notifications_are_mine_only_paginated_in_constant_queries(
    as_alice, alice, bob, django_assert_max_num_queries
):
    for _ in range(25):
        NotificationFactory(recipient=alice)
    NotificationFactory(recipient=bob)
    with django_assert_max_num_queries(4):
        body = as_alice.get("/api/notifications/").json()
    assert body["count"] == 25 and len(body["results"]) == 20 and body["next"]
    item = body["results"][0]
    assert set(item) == {
        "id", "kind", "message", "idea", "comment", "actor", "created_at", "read_at", "url",
    }  # fmt: skip
    assert as_alice.get("/api/notifications/?page=0").status_code == 400


def test_notifications_need_a_login(api):
    assert api.get("/api/notifications/").status_code in (401, 403)
    assert api.post("/api/notifications/read/", {}, format="json").status_code in (401, 403)


def test_mark_some_or_all_read_never_touches_others(as_alice, alice, bob):
    mine = [NotificationFactory(recipient=alice) for _ in range(3)]
    theirs = NotificationFactory(recipient=bob)
    response = as_alice.post(
        "/api/notifications/read/", {"ids": [mine[0].pk, theirs.pk]}, format="json"
    )
    assert response.status_code == 200 and response.json() == {"marked": 1}
    assert as_alice.post("/api/notifications/read/", {}, format="json").json() == {"marked": 2}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_bad_ids_is_400(as_alice):
    response = as_alice.post("/api/notifications/read/", {"ids": ["x"]}, format="json")
    assert response.status_code == 400 and set(field_errors(response)) == {"ids"}


# ---- comments ----


@pytest.fixture
def own_comment(alice):
    return CommentFactory(author=alice)


def test_author_edits_a_comment(as_alice, own_comment):
    response = as_alice.patch(f"/api/comments/{own_comment.pk}/", {"body": "Edited"}, format="json")
    assert response.status_code == 200
    assert response.json()["body"] == "Edited" and response.json()["edited_at"]


def test_comment_edit_bad_input_and_window(as_alice, own_comment):
    response = as_alice.patch(f"/api/comments/{own_comment.pk}/", {"body": ""}, format="json")
    assert response.status_code == 400 and set(field_errors(response)) == {"body"}
    Comment.objects.filter(pk=own_comment.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    response = as_alice.patch(f"/api/comments/{own_comment.pk}/", {"body": "Late"}, format="json")
    assert response.status_code == 403


def test_comment_edit_and_delete_are_the_authors_alone(as_bob, api, own_comment):
    url = f"/api/comments/{own_comment.pk}/"
    assert as_bob.patch(url, {"body": "Mine"}, format="json").status_code == 403
    assert as_bob.delete(url).status_code == 403
    assert api.delete(url).status_code in (401, 403)
    own_comment.refresh_from_db()
    assert own_comment.deleted_at is None


def test_author_deletes_a_comment(as_alice, own_comment):
    assert as_alice.delete(f"/api/comments/{own_comment.pk}/").status_code == 204
    own_comment.refresh_from_db()
    assert own_comment.deleted_at is not None


def test_hidden_or_unknown_comment_is_404_to_members(as_bob, bob):
    hidden = CommentFactory(author=bob, hidden_at=timezone.now())
    assert (
        as_bob.patch(f"/api/comments/{hidden.pk}/", {"body": "x"}, format="json").status_code == 404
    )
    assert as_bob.delete("/api/comments/999999/").status_code == 404
