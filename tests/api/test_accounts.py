import pytest
from rest_framework.authtoken.models import Token

from moderation.bans import ban_create
from tests.api.conftest import field_errors
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_me_shows_roles_and_settings_but_no_segment(as_pat, pat):
    body = as_pat.get("/api/users/me/").json()
    assert body == {
        "username": "pat",
        "email": pat.email,
        "email_verified": True,
        "roles": ["pm"],
        "settings": {"auto_follow": True, "email_frequency": "each"},
    }


def test_me_needs_a_login(api):
    assert api.get("/api/users/me/").status_code in (401, 403)
    assert api.patch("/api/users/me/", {"auto_follow": False}, format="json").status_code in (
        401,
        403,
    )


def test_patch_me_changes_only_what_is_sent(as_alice, alice):
    response = as_alice.patch("/api/users/me/", {"email_frequency": "daily"}, format="json")
    assert response.status_code == 200
    assert response.json()["settings"] == {"auto_follow": True, "email_frequency": "daily"}
    alice.refresh_from_db()
    assert alice.email_frequency == "daily" and alice.email == "alice@example.com"


@pytest.mark.parametrize("body_format", ["multipart", "form"])
def test_the_api_takes_json_bodies_only(as_alice, alice, body_format):
    # The schema lists application/json alone (a form beside it tripped client generators).
    data = {"email_frequency": "daily"}
    if body_format == "form":
        response = as_alice.patch(
            "/api/users/me/",
            "email_frequency=daily",
            content_type="application/x-www-form-urlencoded",
        )
    else:
        response = as_alice.patch("/api/users/me/", data, format="multipart")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    alice.refresh_from_db()
    assert alice.email_frequency != "daily"


def test_patch_me_bad_input_is_400_per_field(as_alice, bob):
    response = as_alice.patch(
        "/api/users/me/",
        {"email": "not-an-address", "email_frequency": "hourly", "auto_follow": "maybe"},
        format="json",
    )
    assert response.status_code == 400
    assert set(field_errors(response)) == {"email", "email_frequency", "auto_follow"}


def test_a_banned_member_may_still_change_settings(as_alice, alice, mo):
    ban_create(moderator=mo, user=alice, reason="Spam", days=3)
    response = as_alice.patch("/api/users/me/", {"auto_follow": False}, format="json")
    assert response.status_code == 200


def test_delete_token_revokes_it(api, alice):
    key = api.post(
        "/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.delete("/api/auth/token/").status_code == 204
    assert not Token.objects.filter(key=key).exists()
    assert api.get("/api/users/me/").status_code in (401, 403)


def test_delete_token_needs_a_login_and_leaves_others_tokens(api):
    other = Token.objects.create(user=UserFactory())
    assert api.delete("/api/auth/token/").status_code in (401, 403)
    assert Token.objects.filter(pk=other.pk).exists()
