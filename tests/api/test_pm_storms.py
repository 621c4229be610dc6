import datetime as dt

import pytest
from django.utils import timezone

from storms.models import StormSession
from storms.services import storm_create
from tests.api.conftest import field_errors
from tests.factories import IdeaFactory
from votes.models import TopRequestEntry, TopRequestSnapshot

pytestmark = pytest.mark.django_db

NEW_STORM = {
    "title": "Servers for small offices",
    "description": "Quiet, small, easy to service.",
    "starts_at": "2030-03-01T09:00:00Z",
    "ends_at": "2030-03-15T18:00:00Z",
    "categories": ["notebooks"],
}


def _storm(pat, title: str, days: int = 1) -> StormSession:
    now = timezone.now()
    return storm_create(
        actor=pat,
        title=title,
        description="",
        starts_at=now - dt.timedelta(days=days),
        ends_at=now + dt.timedelta(days=1),
    )


def test_sessions_list_in_constant_queries(api, pat, category, django_assert_max_num_queries):
    for n in range(5):
        _storm(pat, f"Storm {n}").categories.set([category])
    with django_assert_max_num_queries(3):
        body = api.get("/api/sessions/").json()
    assert body["count"] == 5
    item = body["results"][0]
    assert item["state"] == "active" and item["categories"] == ["notebooks"]
    assert item["ideas_url"].endswith(f"/api/ideas/?session={item['slug']}")


def test_session_detail_and_unknown_slug(api, pat):
    session = _storm(pat, "Students")
    assert api.get(f"/api/sessions/{session.slug}/").json()["title"] == "Students"
    assert api.get("/api/sessions/no-such-one/").status_code == 404


def test_pm_creates_a_session(as_pat, category):
    response = as_pat.post("/api/sessions/", NEW_STORM, format="json")
    assert response.status_code == 201
    assert response.json()["slug"] == "servers-for-small-offices"
    assert response.json()["state"] == "upcoming"


def test_session_bad_input_is_400_per_field(as_pat, category):
    body = {**NEW_STORM, "ends_at": "2030-02-01T09:00:00Z", "categories": ["nope"]}
    response = as_pat.post("/api/sessions/", body, format="json")
    assert response.status_code == 400 and set(field_errors(response)) == {"categories"}
    response = as_pat.post(
        "/api/sessions/",
        {**NEW_STORM, "categories": [], "ends_at": "2030-02-01T09:00:00Z"},
        format="json",
    )
    assert set(field_errors(response)) == {"ends_at"}
    response = as_pat.post("/api/sessions/", {}, format="json")
    assert set(field_errors(response)) == {"title", "starts_at", "ends_at"}


def test_only_pms_create_sessions(api, as_alice, as_mo, category):
    assert api.post("/api/sessions/", NEW_STORM, format="json").status_code in (401, 403)
    assert as_alice.post("/api/sessions/", NEW_STORM, format="json").status_code == 403
    assert as_mo.post("/api/sessions/", NEW_STORM, format="json").status_code == 403
    assert not StormSession.objects.exists()


def test_latest_snapshot_with_entries(as_pat, category, django_assert_max_num_queries):
    now = timezone.now()
    TopRequestSnapshot.objects.create(period=now - dt.timedelta(hours=1), taken_at=now)
    snapshot = TopRequestSnapshot.objects.create(period=now, taken_at=now)
    ideas = [IdeaFactory(category=category) for _ in range(3)]
    hidden = IdeaFactory(category=category, hidden_at=now)
    for rank, idea in enumerate([*ideas, hidden], start=1):
        TopRequestEntry.objects.create(
            snapshot=snapshot, idea=idea, rank=rank, score=10 - rank, promotes=10 - rank,
            demotes=0, previous_rank=rank + 1 if rank == 1 else None,
        )  # fmt: skip
    with django_assert_max_num_queries(4):
        body = as_pat.get("/api/snapshots/latest/").json()
    assert [e["idea"] for e in body["entries"]] == [i.pk for i in ideas]
    assert body["entries"][0] == {
        "rank": 1, "idea": ideas[0].pk, "title": ideas[0].title, "score": 9,
        "previous_rank": 2, "category": "notebooks",
    }  # fmt: skip
    assert body["category"] is None
    by_category = as_pat.get("/api/snapshots/latest/?category=notebooks").json()
    assert by_category["category"] == "notebooks" and by_category["entries"] == []


def test_snapshot_errors(api, as_pat, as_alice):
    assert as_pat.get("/api/snapshots/latest/").status_code == 404
    assert as_alice.get("/api/snapshots/latest/").status_code == 403
    assert api.get("/api/snapshots/latest/").status_code in (401, 403)
    response = as_pat.get("/api/snapshots/latest/?category=nope")
    assert response.status_code == 400 and set(field_errors(response)) == {"category"}
