import pytest
from django.utils import timezone

from accounts.models import User
from core.models import AuditEntry
from moderation.models import Flag
from tests.api.conftest import field_errors
from tests.factories import CommentFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


def _flag(target, n: int = 1):
    for _ in range(n):
        kind = "idea" if target.__class__.__name__ == "Idea" else "comment"
        Flag.objects.create(
            flagger=UserFactory(), reason="spam", created_at=timezone.now(), **{kind: target}
        )


def test_queue_lists_flagged_items_in_constant_queries(as_mo, django_assert_max_num_queries):
    for _ in range(3):
        _flag(IdeaFactory(), 2)
        _flag(CommentFactory())
    with django_assert_max_num_queries(8):
        body = as_mo.get("/api/moderation/queue/?tab=flagged&sort=flags").json()
    assert body["count"] == 6
    first = body["results"][0]
    assert first["kind"] == "idea" and first["open_flags"] == 2 and first["state"] == "visible"
    assert set(first) >= {"kind", "id", "title", "excerpt", "open_flags", "state"}


def test_queue_bad_tab_is_400_and_members_get_403(as_mo, as_alice, api):
    response = as_mo.get("/api/moderation/queue/?tab=stuffing&sort=up")
    assert response.status_code == 400 and set(field_errors(response)) == {"tab", "sort"}
    assert as_alice.get("/api/moderation/queue/").status_code == 403
    assert api.get("/api/moderation/queue/").status_code in (401, 403)


def test_hide_then_restore_an_idea(as_mo, api):
    idea = IdeaFactory()
    response = as_mo.post(
        f"/api/moderation/ideas/{idea.pk}/hide/", {"reason": "Spam"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"kind": "idea", "id": idea.pk, "state": "hidden", "open_flags": 0}
    assert api.get(f"/api/ideas/{idea.pk}/").status_code == 404
    response = as_mo.post(f"/api/moderation/ideas/{idea.pk}/restore/", {}, format="json")
    assert response.json()["state"] == "visible"
    assert api.get(f"/api/ideas/{idea.pk}/").status_code == 200


def test_hide_without_reason_or_flag_is_400_on_reason(as_mo):
    idea = IdeaFactory()
    response = as_mo.post(f"/api/moderation/ideas/{idea.pk}/hide/", {}, format="json")
    assert response.status_code == 400 and set(field_errors(response)) == {"reason"}
    response = as_mo.post(f"/api/moderation/ideas/{idea.pk}/dismiss/", {}, format="json")
    assert response.status_code == 400 and "non_field_errors" in field_errors(response)


def test_dismiss_a_comments_flags(as_mo):
    comment = CommentFactory()
    _flag(comment, 2)
    response = as_mo.post(f"/api/moderation/comments/{comment.pk}/dismiss/", {}, format="json")
    assert response.json() == {
        "kind": "comment",
        "id": comment.pk,
        "state": "visible",
        "open_flags": 0,
    }


def test_moderation_actions_are_403_for_others_and_404_for_unknown(as_pat, as_alice, as_mo):
    idea = IdeaFactory()
    for client in (as_pat, as_alice):
        response = client.post(
            f"/api/moderation/ideas/{idea.pk}/hide/", {"reason": "x"}, format="json"
        )
        assert response.status_code == 403
    assert (
        as_mo.post(
            "/api/moderation/comments/999999/hide/", {"reason": "x"}, format="json"
        ).status_code
        == 404
    )
    idea.refresh_from_db()
    assert idea.hidden_at is None


def test_ban_then_lift(as_mo, bob):
    response = as_mo.post(
        "/api/moderation/users/bob/ban/", {"reason": "Spam", "days": 3}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["banned"] is True and response.json()["ban_reason"] == "Spam"
    assert User.objects.get(pk=bob.pk).is_banned
    response = as_mo.post("/api/moderation/users/bob/lift-ban/", {}, format="json")
    assert response.status_code == 200 and response.json()["banned"] is False


def test_ban_bad_input_is_400_per_field(as_mo, bob, mo):
    response = as_mo.post("/api/moderation/users/bob/ban/", {"days": 0}, format="json")
    assert response.status_code == 400 and set(field_errors(response)) == {"reason", "days"}
    response = as_mo.post("/api/moderation/users/mo/ban/", {"reason": "x"}, format="json")
    assert response.status_code == 400
    response = as_mo.post("/api/moderation/users/bob/lift-ban/", {}, format="json")
    assert response.status_code == 400  # not banned


def test_ban_is_403_for_non_moderators_and_404_for_unknown(as_pat, as_mo, bob):
    assert (
        as_pat.post("/api/moderation/users/bob/ban/", {"reason": "x"}, format="json").status_code
        == 403
    )
    assert (
        as_mo.post("/api/moderation/users/nobody/ban/", {"reason": "x"}, format="json").status_code
        == 404
    )


def test_audit_log_filters_and_paginates(as_mo, as_alice, django_assert_max_num_queries):
    for _ in range(3):
        as_mo.post(
            f"/api/moderation/ideas/{IdeaFactory().pk}/hide/", {"reason": "Spam"}, format="json"
        )
    as_mo.post("/api/moderation/users/bob/ban/", {"reason": "Spam"}, format="json")
    with django_assert_max_num_queries(4):
        body = as_mo.get("/api/moderation/audit/?action=idea.hidden&actor=MO").json()
    assert body["count"] == 3 and body["results"][0]["actor"] == "mo"
    body = as_mo.get("/api/moderation/audit/?target_type=user").json()
    assert body["count"] == AuditEntry.objects.filter(target_type="user").count()
    response = as_mo.get("/api/moderation/audit/?target_type=planet")
    assert response.status_code == 400 and set(field_errors(response)) == {"target_type"}
    assert as_alice.get("/api/moderation/audit/").status_code == 403
