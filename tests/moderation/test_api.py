import pytest
from rest_framework.test import APIClient

from moderation.models import Flag
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_member_flags_an_idea(alice_api, alice, bobs_idea):
    response = alice_api.post(
        f"/api/ideas/{bobs_idea.pk}/flags/", {"reason": "spam", "note": "Ads"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    flag = Flag.objects.get()
    assert set(body) == {"id", "reason", "note", "created_at"}
    assert (body["id"], body["reason"], body["note"]) == (flag.pk, "spam", "Ads")
    assert (flag.flagger, flag.idea) == (alice, bobs_idea)


def test_member_flags_a_comment_with_a_token(alice, bobs_comment):
    api = APIClient()
    token = api.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}).json()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    response = api.post(f"/api/comments/{bobs_comment.pk}/flags/", {"reason": "abusive"})
    assert response.status_code == 201 and response.json()["note"] == ""
    assert Flag.objects.get().comment == bobs_comment


def test_flagging_twice_is_400_with_a_non_field_error(alice_api, bobs_idea):
    url = f"/api/ideas/{bobs_idea.pk}/flags/"
    alice_api.post(url, {"reason": "spam"}, format="json")
    response = alice_api.post(url, {"reason": "spam"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "You have already flagged this.",
        "code": "invalid",
        "errors": {"non_field_errors": ["You have already flagged this."]},
    }
    assert Flag.objects.count() == 1


@pytest.mark.parametrize("body", [{}, {"reason": "boring"}, {"reason": None}])
def test_bad_reason_is_400_on_the_field(alice_api, bobs_idea, body):
    response = alice_api.post(f"/api/ideas/{bobs_idea.pk}/flags/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["reason"]
    assert not Flag.objects.exists()


def test_other_without_a_note_is_400_on_the_note(alice_api, bobs_idea):
    response = alice_api.post(f"/api/ideas/{bobs_idea.pk}/flags/", {"reason": "other"})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["note"]


def test_own_idea_is_400(bobs_idea, bob):
    api = APIClient()
    api.force_authenticate(bob)
    response = api.post(f"/api/ideas/{bobs_idea.pk}/flags/", {"reason": "spam"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"non_field_errors": ["You can't flag your own idea."]}


def test_visitor_is_refused(bobs_idea, bobs_comment):
    api = APIClient()
    assert api.post(f"/api/ideas/{bobs_idea.pk}/flags/", {"reason": "spam"}).status_code in (
        401, 403
    )  # fmt: skip
    assert api.post(f"/api/comments/{bobs_comment.pk}/flags/", {"reason": "spam"}).status_code in (
        401,
        403,
    )
    assert not Flag.objects.exists()


def test_unknown_target_is_404(alice_api):
    assert alice_api.post("/api/ideas/999999/flags/", {"reason": "spam"}).status_code == 404
    assert alice_api.post("/api/comments/999999/flags/", {"reason": "spam"}).status_code == 404


def test_get_is_405(alice_api, bobs_idea):
    assert alice_api.get(f"/api/ideas/{bobs_idea.pk}/flags/").status_code == 405


def test_the_schema_documents_the_flag_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/ideas/{id}/flags/" in schema and "/api/comments/{id}/flags/" in schema
    assert "FlagInput" in schema
