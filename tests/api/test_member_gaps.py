"""The API endpoints that match what the pages already let people do: a public profile,
changing the password, deleting the account, the duplicate check, "Why this rank", customers'
votes recorded by staff, suggested merges and opening one notification."""

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actions.accounts import account_delete
from core.models import AuditEntry
from moderation.bans import ban_create
from tests.api.conftest import field_errors
from tests.conftest import PASSWORD
from tests.factories import IdeaFactory, NotificationFactory
from votes.models import Vote
from votes.services import vote_cast

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-horse-battery-9"


def _session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# ---- a public profile ----


def test_a_profile_shows_name_join_date_ideas_and_points_never_the_email(api, alice):
    IdeaFactory(author=alice, score=5, promotes=5)
    IdeaFactory(author=alice, score=-2, promotes=1, demotes=3)
    IdeaFactory(author=alice, score=40, promotes=40, hidden_at=timezone.now())
    response = api.get("/api/users/alice/")
    assert response.status_code == 200
    assert response.json() == {
        "username": "alice",
        "joined": alice.date_joined.isoformat().replace("+00:00", "Z"),
        "ideas": 2,
        "points": 3,
        "url": "http://testserver/users/alice/",
    }


def test_a_profile_without_ideas_has_no_points(api, bob):
    assert api.get("/api/users/bob/").json()["points"] == 0


def test_unknown_deleted_and_impossible_members_are_404(api, bob):
    account_delete(user=bob)
    for name in ("nobody", "bob", f"deleted-{bob.pk}", "two words", "nul%00byte"):
        response = api.get(f"/api/users/{name}/")
        assert response.status_code == 404, name
        assert response.json()["code"] == "not_found"


# ---- changing the password ----


def test_changing_the_password_keeps_this_session_and_ends_the_others(alice):
    this, other = _session_client(alice), _session_client(alice)
    response = this.post(
        "/api/users/me/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 204
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert this.get("/api/users/me/").status_code == 200
    assert other.get("/api/users/me/").status_code in (401, 403)


def test_changing_the_password_by_token_revokes_the_token_and_starts_no_session(alice):
    client = _token_client(alice)
    sessions = Session.objects.count()
    response = client.post(
        "/api/users/me/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 204
    assert client.get("/api/users/me/").status_code in (401, 403)
    assert not Token.objects.filter(user=alice).exists()
    assert Session.objects.count() == sessions


def test_a_wrong_old_password_and_a_weak_new_one_are_400_per_field(as_alice, alice):
    response = as_alice.post(
        "/api/users/me/password/",
        {"old_password": "not-it", "new_password": "12345678"},
        format="json",
    )
    assert response.status_code == 400
    errors = field_errors(response)
    assert errors["old_password"] == [
        "Your old password was entered incorrectly. Please enter it again."
    ]
    assert "This password is too common." in errors["new_password"]
    assert "This password is entirely numeric." in errors["new_password"]
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_a_new_password_like_the_name_or_missing_fields_are_400(as_alice):
    response = as_alice.post(
        "/api/users/me/password/",
        {"old_password": PASSWORD, "new_password": "alice@example.com"},
        format="json",
    )
    assert response.status_code == 400 and set(field_errors(response)) == {"new_password"}
    response = as_alice.post("/api/users/me/password/", {}, format="json")
    assert response.status_code == 400
    assert set(field_errors(response)) == {"old_password", "new_password"}


def test_changing_the_password_needs_a_login(api):
    response = api.post(
        "/api/users/me/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code in (401, 403)


def test_a_banned_member_may_still_change_the_password(alice, mo):
    ban_create(moderator=mo, user=alice, reason="Spam", days=3)
    body = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    response = _session_client(alice).post("/api/users/me/password/", body, format="json")
    assert response.status_code == 204


# ---- deleting the account ----


def test_deleting_the_account_anonymises_it_and_revokes_the_token(alice):
    IdeaFactory(author=alice)
    client = _token_client(alice)
    response = client.post("/api/users/me/delete/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    alice.refresh_from_db()
    assert alice.deleted_at and alice.username == f"deleted-{alice.pk}" and not alice.email
    assert not Token.objects.filter(user=alice).exists()
    assert client.get("/api/users/me/").status_code in (401, 403)
    assert alice.ideas.count() == 1


def test_deleting_the_account_logs_the_session_out(alice):
    client = _session_client(alice)
    key = client.session.session_key
    response = client.post("/api/users/me/delete/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    # The session itself is gone, not only refused for the changed password.
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/api/users/me/").status_code in (401, 403)


def test_deleting_needs_the_right_password(as_alice, alice):
    response = as_alice.post("/api/users/me/delete/", {"password": "not-it"}, format="json")
    assert response.status_code == 400
    assert field_errors(response) == {"password": ["That is not your password."]}
    response = as_alice.post("/api/users/me/delete/", {}, format="json")
    assert response.status_code == 400 and set(field_errors(response)) == {"password"}
    alice.refresh_from_db()
    assert alice.deleted_at is None


def test_deleting_needs_a_login_and_a_banned_member_may(api, alice, mo):
    response = api.post("/api/users/me/delete/", {"password": PASSWORD}, format="json")
    assert response.status_code in (401, 403)
    ban_create(moderator=mo, user=alice, reason="Spam", days=3)
    client = _session_client(alice)
    response = client.post("/api/users/me/delete/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204


# ---- the duplicate check ----


def test_similar_ideas_like_the_title_being_typed(api, category):
    battery = IdeaFactory(title="Longer battery life", category=category)
    tablets = IdeaFactory(title="Battery life for tablets", category=category)
    IdeaFactory(title="Quieter fans", category=category)
    IdeaFactory(title="Longer battery life please", hidden_at=timezone.now())
    response = api.get("/api/ideas/similar/?title=longer battery life")
    assert response.status_code == 200
    body = response.json()
    assert {idea["id"] for idea in body} == {battery.pk, tablets.pk}
    assert body[0] == {
        "id": battery.pk,
        "title": "Longer battery life",
        "status": "new",
        "score": 0,
        "category": "notebooks",
        "url": f"http://testserver/ideas/{battery.pk}/longer-battery-life/",
        "my_vote": None,
    }


def test_similar_ideas_are_at_most_five_best_first_with_my_vote(as_alice, alice):
    for n in range(6):
        IdeaFactory(title=f"Longer battery life, model {n}")
    same = IdeaFactory(title="Longer battery life")
    vote_cast(voter=alice, idea=same, value=1)
    body = as_alice.get("/api/ideas/similar/?title=Longer battery life").json()
    assert len(body) == 5
    assert body[0]["id"] == same.pk and body[0]["my_vote"] == 1


def test_a_short_title_finds_nothing_and_a_missing_one_is_400(api):
    IdeaFactory(title="Longer battery life")
    assert api.get("/api/ideas/similar/?title=lo").json() == []
    assert api.get("/api/ideas/similar/?title=").json() == []
    response = api.get("/api/ideas/similar/")
    assert response.status_code == 400
    assert field_errors(response) == {"title": ["This field is required."]}
    response = api.get("/api/ideas/similar/?title=" + "a" * 201)
    assert response.status_code == 400 and set(field_errors(response)) == {"title"}


# ---- why this rank ----


def test_ranking_explains_the_ideas_place(api, alice, bob, category):
    top = IdeaFactory(category=category)
    other = IdeaFactory()
    vote_cast(voter=alice, idea=top, value=1)
    vote_cast(voter=bob, idea=top, value=1)
    response = api.get(f"/api/ideas/{top.pk}/ranking/")
    assert response.status_code == 200
    body = response.json()
    assert body["popular_rank"] == 1 and body["category_rank"] == 1
    assert body["votes_last_7_days"] == 2
    assert body["decayed_score"] == pytest.approx(2.0, rel=0.01)
    assert body["ideas_total"] >= 2 and body["category_total"] >= 1
    assert set(body) == {
        "decayed_score", "half_life_days", "votes_last_7_days", "trend", "popular_rank",
        "ideas_total", "category_rank", "category_total",
    }  # fmt: skip
    assert api.get(f"/api/ideas/{other.pk}/ranking/").json()["popular_rank"] == 2


def test_ranking_of_a_hidden_or_unknown_idea_is_404(api):
    hidden = IdeaFactory(hidden_at=timezone.now())
    assert api.get(f"/api/ideas/{hidden.pk}/ranking/").status_code == 404
    assert api.get("/api/ideas/999999/ranking/").status_code == 404


# ---- votes recorded by staff ----

CUSTOMER_VOTE = {"email": "jo@example.com", "value": 1, "note": "Phone call, 3 May"}


def test_a_pm_records_a_new_customers_vote_once(as_pat, pat):
    idea = IdeaFactory()
    url = f"/api/ideas/{idea.pk}/recorded-votes/"
    response = as_pat.post(url, CUSTOMER_VOTE, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "customer": "jo",
        "email": "jo@example.com",
        "account_created": True,
        "outcome": "recorded",
        "message": body["message"],
        "value": 1,
        "score": 1,
        "promotes": 1,
        "demotes": 0,
    }
    again = as_pat.post(url, CUSTOMER_VOTE, format="json")
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    switched = as_pat.post(url, {**CUSTOMER_VOTE, "value": -1}, format="json")
    assert switched.status_code == 200
    assert switched.json()["outcome"] == "switched" and switched.json()["score"] == -1
    vote = Vote.objects.get(idea=idea)
    assert vote.recorded_by == pat and vote.value == -1
    assert AuditEntry.objects.filter(action="vote.recorded").count() == 3


def test_a_recorded_vote_for_a_members_email_is_theirs(as_pat, bob):
    idea = IdeaFactory()
    body = {**CUSTOMER_VOTE, "email": bob.email.upper()}
    response = as_pat.post(f"/api/ideas/{idea.pk}/recorded-votes/", body, format="json")
    assert response.status_code == 201
    assert response.json()["customer"] == "bob" and not response.json()["account_created"]
    assert Vote.objects.get(idea=idea).voter == bob


def test_recording_bad_input_is_400_per_field(as_pat):
    idea = IdeaFactory()
    url = f"/api/ideas/{idea.pk}/recorded-votes/"
    response = as_pat.post(url, {"email": "nope", "value": 2, "note": " "}, format="json")
    assert response.status_code == 400
    assert set(field_errors(response)) == {"email", "value", "note"}
    response = as_pat.post(url, {**CUSTOMER_VOTE, "name": "x" * 200}, format="json")
    assert response.status_code == 400 and set(field_errors(response)) == {"name"}
    response = as_pat.post(url, {}, format="json")
    assert set(field_errors(response)) == {"email", "value", "note"}
    assert not Vote.objects.exists()


def test_recording_for_a_banned_member_is_400_at_the_email(as_pat, bob, mo):
    ban_create(moderator=mo, user=bob, reason="Spam", days=3)
    idea = IdeaFactory()
    body = {**CUSTOMER_VOTE, "email": bob.email}
    response = as_pat.post(f"/api/ideas/{idea.pk}/recorded-votes/", body, format="json")
    assert response.status_code == 400 and set(field_errors(response)) == {"email"}


def test_only_pms_record_votes_and_only_on_visible_ideas(api, as_alice, as_mo, as_pat):
    idea = IdeaFactory()
    url = f"/api/ideas/{idea.pk}/recorded-votes/"
    assert api.post(url, CUSTOMER_VOTE, format="json").status_code in (401, 403)
    assert as_alice.post(url, CUSTOMER_VOTE, format="json").status_code == 403
    assert as_mo.post(url, CUSTOMER_VOTE, format="json").status_code == 403
    hidden = IdeaFactory(hidden_at=timezone.now())
    response = as_pat.post(f"/api/ideas/{hidden.pk}/recorded-votes/", CUSTOMER_VOTE, format="json")
    assert response.status_code == 404
    assert not Vote.objects.exists()


# ---- suggested merges ----


def test_suggested_merges_pair_look_alikes_keeping_the_better_supported(as_pat):
    kept = IdeaFactory(title="Quieter cooling fans", score=5, promotes=5)
    merged = IdeaFactory(title="Quieter cooling fan", score=1, promotes=1)
    IdeaFactory(title="Matte display option", description="Glare outdoors is a pain.")
    response = as_pat.get("/api/merges/suggestions/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    pair = body["results"][0]
    assert pair["keep"] == {
        "id": kept.pk,
        "title": "Quieter cooling fans",
        "score": 5,
        "url": f"http://testserver/ideas/{kept.pk}/",
    }
    assert pair["merge"]["id"] == merged.pk and 0.45 <= pair["likeness"] <= 1


def test_suggested_merges_in_constant_queries(as_pat, django_assert_max_num_queries):
    for n in range(40):
        IdeaFactory(title=f"Quieter cooling fans model {n}", description=f"Model {n}.")
    with django_assert_max_num_queries(2):
        body = as_pat.get("/api/merges/suggestions/").json()
    assert body["count"] == 30 and len(body["results"]) == 20 and body["next"]
    with django_assert_max_num_queries(2):
        assert len(as_pat.get("/api/merges/suggestions/?page=2").json()["results"]) == 10


def test_suggested_merges_are_for_pms_only(api, as_alice, as_mo, as_pat):
    assert api.get("/api/merges/suggestions/").status_code in (401, 403)
    assert as_alice.get("/api/merges/suggestions/").status_code == 403
    assert as_mo.get("/api/merges/suggestions/").status_code == 403
    response = as_pat.get("/api/merges/suggestions/?page=0")
    assert response.status_code == 400 and set(field_errors(response)) == {"page"}


# ---- opening one notification ----


def test_reading_one_notification_marks_only_it(as_alice, alice):
    mine, other = NotificationFactory(recipient=alice), NotificationFactory(recipient=alice)
    response = as_alice.post(f"/api/notifications/{mine.pk}/read/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == mine.pk and body["read_at"] is not None
    assert body["url"] == f"http://testserver{mine.idea.get_absolute_url()}"
    other.refresh_from_db()
    assert other.read_at is None
    again = as_alice.post(f"/api/notifications/{mine.pk}/read/")
    assert again.status_code == 200 and again.json()["read_at"] == body["read_at"]


def test_anothers_or_an_unknown_notification_is_404(api, as_bob, alice):
    theirs = NotificationFactory(recipient=alice)
    assert as_bob.post(f"/api/notifications/{theirs.pk}/read/").status_code == 404
    assert as_bob.post("/api/notifications/999999/read/").status_code == 404
    assert api.post(f"/api/notifications/{theirs.pk}/read/").status_code in (401, 403)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_banned_member_may_read_a_notification(alice, mo):
    notification = NotificationFactory(recipient=alice)
    ban_create(moderator=mo, user=alice, reason="Spam", days=3)
    response = _session_client(alice).post(f"/api/notifications/{notification.pk}/read/")
    assert response.status_code == 200


def test_wrong_methods_are_405(as_alice, as_pat, alice):
    notification = NotificationFactory(recipient=alice)
    assert as_alice.get(f"/api/notifications/{notification.pk}/read/").status_code == 405
    assert as_alice.get("/api/users/me/password/").status_code == 405
    assert as_alice.get("/api/users/me/delete/").status_code == 405
    assert as_alice.post("/api/users/alice/").status_code == 405
    assert as_alice.post("/api/ideas/similar/?title=battery").status_code == 405
    assert as_alice.put(f"/api/ideas/{IdeaFactory().pk}/ranking/").status_code == 405
    assert as_pat.get(f"/api/ideas/{IdeaFactory().pk}/recorded-votes/").status_code == 405
    assert as_pat.post("/api/merges/suggestions/").status_code == 405
