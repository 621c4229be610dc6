import datetime as dt

import pytest
from django.utils import timezone

from ideas.models import Idea, Merge
from tests.api.conftest import field_errors
from tests.factories import CategoryFactory, IdeaFactory, UserFactory
from votes.services import vote_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_idea(alice, category):
    return IdeaFactory(author=alice, category=category, title="A backlit keyboard")


def test_author_edits_title_and_tags_within_the_window(as_alice, own_idea):
    response = as_alice.patch(
        f"/api/ideas/{own_idea.pk}/", {"title": "A brighter keyboard", "tags": ["Keys"]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "A brighter keyboard" and body["tags"] == ["keys"]
    assert body["category"] == "notebooks"
    assert body["description"] == own_idea.description


def test_edit_bad_input_is_400_per_field(as_alice, own_idea):
    response = as_alice.patch(
        f"/api/ideas/{own_idea.pk}/", {"title": "x" * 500, "category": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert set(field_errors(response)) == {"title", "category"}


def test_edit_is_403_for_another_member_and_after_the_window(as_bob, as_alice, own_idea, bob):
    assert (
        as_bob.patch(f"/api/ideas/{own_idea.pk}/", {"title": "Mine now"}, format="json").status_code
        == 403
    )
    vote_cast(voter=bob, idea=own_idea, value=1)
    response = as_alice.patch(f"/api/ideas/{own_idea.pk}/", {"title": "Later"}, format="json")
    assert response.status_code == 403


def test_edit_after_thirty_minutes_is_403(as_alice, own_idea):
    Idea.objects.filter(pk=own_idea.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    response = as_alice.patch(f"/api/ideas/{own_idea.pk}/", {"title": "Late"}, format="json")
    assert response.status_code == 403


def test_edit_unknown_or_hidden_idea_is_404(as_alice, alice):
    hidden = IdeaFactory(author=alice, hidden_at=timezone.now())
    assert as_alice.patch("/api/ideas/999999/", {}, format="json").status_code == 404
    assert as_alice.patch(f"/api/ideas/{hidden.pk}/", {}, format="json").status_code == 404


def test_edit_needs_a_login(api, own_idea):
    assert api.patch(f"/api/ideas/{own_idea.pk}/", {"title": "t"}, format="json").status_code in (
        401,
        403,
    )


def test_author_withdraws_and_the_idea_is_gone(as_alice, api, own_idea):
    assert as_alice.post(f"/api/ideas/{own_idea.pk}/withdraw/").status_code == 204
    assert api.get(f"/api/ideas/{own_idea.pk}/").status_code == 404
    assert as_alice.post(f"/api/ideas/{own_idea.pk}/withdraw/").status_code == 404


def test_withdraw_is_403_for_others_and_401_for_visitors(as_bob, api, own_idea):
    assert as_bob.post(f"/api/ideas/{own_idea.pk}/withdraw/").status_code == 403
    assert api.post(f"/api/ideas/{own_idea.pk}/withdraw/").status_code in (401, 403)
    assert Idea.objects.get(pk=own_idea.pk).withdrawn_at is None


def test_tags_are_listed_paginated(api, as_alice, category):
    as_alice.post(
        "/api/ideas/",
        {
            "title": "Tagged",
            "description": "d",
            "category": "notebooks",
            "tags": ["Battery", "Keys"],
        },
        format="json",
    )
    body = api.get("/api/tags/").json()
    assert body["count"] == 2
    assert body["results"] == [
        {"slug": "battery", "name": "Battery"},
        {"slug": "keys", "name": "Keys"},
    ]
    assert api.get("/api/tags/?page=9").status_code == 400


# ---- product managers: status, merge, undo ----


def test_pm_sets_status_with_a_response(as_pat, category):
    idea = IdeaFactory(category=category)
    response = as_pat.post(
        f"/api/ideas/{idea.pk}/status/", {"status": "planned", "response": "Next year."},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json()["status"] == "planned"
    assert "Next year." in response.json()["response_html"]


def test_declining_without_a_response_is_400_on_response(as_pat, category):
    idea = IdeaFactory(category=category)
    response = as_pat.post(f"/api/ideas/{idea.pk}/status/", {"status": "declined"}, format="json")
    assert response.status_code == 400
    assert set(field_errors(response)) == {"response"}
    response = as_pat.post(f"/api/ideas/{idea.pk}/status/", {"status": "lost"}, format="json")
    assert set(field_errors(response)) == {"status"}


def test_status_is_403_for_members_and_moderators(as_alice, as_mo, api, category):
    idea = IdeaFactory(category=category)
    for client in (as_alice, as_mo):
        response = client.post(
            f"/api/ideas/{idea.pk}/status/", {"status": "planned"}, format="json"
        )
        assert response.status_code == 403
    assert api.post(f"/api/ideas/{idea.pk}/status/", {"status": "planned"}).status_code in (
        401,
        403,
    )


def test_status_of_unknown_or_hidden_idea_is_404(as_pat):
    hidden = IdeaFactory(hidden_at=timezone.now())
    for pk in (999999, hidden.pk):
        response = as_pat.post(f"/api/ideas/{pk}/status/", {"status": "planned"}, format="json")
        assert response.status_code == 404


def test_pm_merges_then_undoes(as_pat, category):
    merged, kept = IdeaFactory(category=category), IdeaFactory(category=category)
    response = as_pat.post(f"/api/ideas/{merged.pk}/merge/", {"into": kept.pk}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["kept"] == kept.pk and body["merged"] == merged.pk and body["undone_at"] is None
    assert Merge.objects.filter(pk=body["id"]).exists()
    undo = as_pat.post(f"/api/merges/{body['id']}/undo/")
    assert undo.status_code == 200 and undo.json()["undone_at"]
    again = as_pat.post(f"/api/merges/{body['id']}/undo/")
    assert again.status_code == 400 and field_errors(again)["non_field_errors"]


def test_merge_bad_input_is_400_on_into(as_pat, category):
    idea = IdeaFactory(category=category)
    for into in (idea.pk, 999999, "x", None):
        response = as_pat.post(f"/api/ideas/{idea.pk}/merge/", {"into": into}, format="json")
        assert response.status_code == 400, into
        assert set(field_errors(response)) == {"into"}, into


def test_merge_and_undo_are_403_for_non_pms_and_404_for_unknown(as_alice, as_pat, category):
    idea = IdeaFactory(category=category)
    kept = IdeaFactory(category=category)
    assert (
        as_alice.post(f"/api/ideas/{idea.pk}/merge/", {"into": kept.pk}, format="json").status_code
        == 403
    )
    assert as_alice.post("/api/merges/1/undo/").status_code == 403
    assert (
        as_pat.post("/api/ideas/999999/merge/", {"into": kept.pk}, format="json").status_code == 404
    )
    assert as_pat.post("/api/merges/999999/undo/").status_code == 404


def test_ideas_list_filters_by_session(api, pat, category):
    from storms.services import storm_create

    now = timezone.now()
    session = storm_create(
        actor=pat, title="Students", description="", categories=[],
        starts_at=now - dt.timedelta(days=1), ends_at=now + dt.timedelta(days=1),
    )  # fmt: skip
    inside = IdeaFactory(category=category, session=session)
    IdeaFactory(category=category)
    body = api.get(f"/api/ideas/?session={session.slug}").json()
    assert [item["id"] for item in body["results"]] == [inside.pk]
    response = api.get("/api/ideas/?session=no-such-session")
    assert response.status_code == 400 and set(field_errors(response)) == {"session"}


def test_export_streams_json_to_pms_only(as_pat, as_alice, category):
    IdeaFactory(category=category, title="Exported")
    IdeaFactory(category=CategoryFactory(slug="tablets"), title="Not exported")
    response = as_pat.get("/api/ideas/export/?category=notebooks")
    assert response.status_code == 200
    import json

    rows = json.loads(b"".join(response.streaming_content))
    assert [row["title"] for row in rows] == ["Exported"]
    assert as_alice.get("/api/ideas/export/").status_code == 403
    bad = as_pat.get("/api/ideas/export/?status=lost&created_from=nope")
    assert bad.status_code == 400 and set(field_errors(bad)) == {"status", "created_from"}


def test_patch_by_unrelated_user_is_forbidden_even_for_superusers(category):
    from rest_framework.test import APIClient

    idea = IdeaFactory(category=category)
    client = APIClient()
    client.force_authenticate(UserFactory(is_superuser=True, is_staff=True))
    assert client.patch(f"/api/ideas/{idea.pk}/", {"title": "t"}, format="json").status_code == 403
