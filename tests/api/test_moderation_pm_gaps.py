"""The API's moderator and product manager endpoints that mirror the browser's pages: bulk
moderation, vote-stuffing cases, editing a Storm Session, the PM overview, and the index."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import resolve
from django.utils import timezone

from actions.ideas import idea_status_set
from core.models import AuditEntry
from ideas.models import Status
from moderation.models import Flag, StuffingCase
from pm.selectors import OVERVIEW_KEY
from storms.models import StormSession
from storms.services import storm_create
from tests.api.conftest import field_errors
from tests.factories import CommentFactory, IdeaFactory, UserFactory
from votes.models import Vote
from votes.services import vote_cast

pytestmark = pytest.mark.django_db

BULK = "/api/moderation/bulk/"
CASES = "/api/moderation/stuffing-cases/"
OVERVIEW = "/api/pm/overview/"


def _flag(**target) -> None:
    Flag.objects.create(flagger=UserFactory(), reason="spam", created_at=timezone.now(), **target)


# ---- bulk moderation ----------------------------------------------------------------------


def test_bulk_hide_hides_ideas_and_comments_and_audits_each(as_mo, api):
    ideas = [IdeaFactory(), IdeaFactory()]
    comment = CommentFactory()
    _flag(idea=ideas[0])
    body = {"action": "hide", "ideas": [i.pk for i in ideas], "comments": [comment.pk]}
    response = as_mo.post(BULK, {**body, "reason": "Spam"}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "action": "hide",
        "items": [
            {"kind": "idea", "id": ideas[0].pk, "state": "hidden", "open_flags": 0},
            {"kind": "idea", "id": ideas[1].pk, "state": "hidden", "open_flags": 0},
            {"kind": "comment", "id": comment.pk, "state": "hidden", "open_flags": 0},
        ],
    }
    assert api.get(f"/api/ideas/{ideas[1].pk}/").status_code == 404
    entries = AuditEntry.objects.filter(actor_name="mo", reason="Spam")
    assert sorted(entries.values_list("action", flat=True)) == [
        "comment.hidden",
        "idea.hidden",
        "idea.hidden",
    ]


def test_bulk_restore_and_dismiss(as_mo):
    now = timezone.now()
    hidden = IdeaFactory(hidden_at=now)
    held = CommentFactory(held_at=now)
    response = as_mo.post(
        BULK, {"action": "restore", "ideas": [hidden.pk], "comments": [held.pk]}, format="json"
    )
    assert [item["state"] for item in response.json()["items"]] == ["visible", "visible"]
    flagged = IdeaFactory()
    _flag(idea=flagged)
    _flag(idea=flagged)
    response = as_mo.post(BULK, {"action": "dismiss", "ideas": [flagged.pk]}, format="json")
    assert response.status_code == 200
    assert response.json()["items"] == [
        {"kind": "idea", "id": flagged.pk, "state": "visible", "open_flags": 0}
    ]
    assert not Flag.objects.filter(idea=flagged, resolved_at__isnull=True).exists()


def test_bulk_acts_once_on_an_id_given_twice(as_mo):
    idea = IdeaFactory()
    response = as_mo.post(
        BULK, {"action": "hide", "ideas": [idea.pk, idea.pk], "reason": "Spam"}, format="json"
    )
    assert response.status_code == 200 and len(response.json()["items"]) == 1
    assert AuditEntry.objects.filter(action="idea.hidden").count() == 1


@pytest.mark.parametrize(
    "body, fields",
    [
        ({"action": "hide", "reason": "Spam"}, {"non_field_errors"}),
        ({"action": "hide", "ideas": [], "comments": []}, {"non_field_errors"}),
        ({"ideas": [1]}, {"action"}),
        ({"action": "delete", "ideas": [1]}, {"action"}),
        ({"action": "hide", "ideas": ["one", 0]}, {"ideas"}),
        ({"action": "hide", "ideas": list(range(1, 102))}, {"ideas"}),
        ({"action": "hide", "ideas": [1], "reason": "x" * 501}, {"reason"}),
        ({"action": "hide", "ideas": [2**63]}, {"ideas"}),
    ],
)
def test_bulk_bad_input_is_400_per_field(as_mo, body, fields):
    response = as_mo.post(BULK, body, format="json")
    assert response.status_code == 400
    assert set(field_errors(response)) == fields


def test_bulk_caps_ideas_and_comments_together(as_mo):
    body = {"action": "hide", "ideas": list(range(1, 61)), "comments": list(range(1, 61))}
    response = as_mo.post(BULK, body, format="json")
    assert response.status_code == 400
    assert field_errors(response) == {"non_field_errors": ["Select at most 100 items at once."]}


def test_bulk_reports_unknown_ids_by_field_and_place_and_does_nothing(as_mo):
    idea, comment = IdeaFactory(), CommentFactory()
    withdrawn = IdeaFactory(withdrawn_at=timezone.now())
    body = {
        "action": "hide",
        "ideas": [idea.pk, 999_999, withdrawn.pk],
        "comments": [888_888, comment.pk],
        "reason": "Spam",
    }
    response = as_mo.post(BULK, body, format="json")
    assert response.status_code == 400
    assert field_errors(response) == {
        "ideas": {
            "1": ["There is no idea with the id 999999."],
            "2": [f"There is no idea with the id {withdrawn.pk}."],
        },
        "comments": {"0": ["There is no comment with the id 888888."]},
    }
    idea.refresh_from_db()
    assert idea.hidden_at is None and not AuditEntry.objects.exists()


def test_bulk_is_all_or_nothing(as_mo):
    """One item the action does not apply to undoes the others, audit entries included."""
    fresh = IdeaFactory()
    already = IdeaFactory(hidden_at=timezone.now())
    comment = CommentFactory()
    _flag(idea=fresh)
    body = {"action": "hide", "ideas": [fresh.pk, already.pk], "comments": [comment.pk]}
    response = as_mo.post(BULK, {**body, "reason": "Spam"}, format="json")
    assert response.status_code == 400
    assert field_errors(response) == {"ideas": {"1": ["This idea is already hidden."]}}
    fresh.refresh_from_db()
    comment.refresh_from_db()
    assert fresh.hidden_at is None and comment.hidden_at is None
    assert Flag.objects.get(idea=fresh).resolved_at is None
    assert not AuditEntry.objects.exists()


def test_bulk_hide_without_reason_needs_flags(as_mo):
    flagged, unflagged = IdeaFactory(), IdeaFactory()
    _flag(idea=flagged)
    response = as_mo.post(
        BULK, {"action": "hide", "ideas": [flagged.pk, unflagged.pk]}, format="json"
    )
    assert response.status_code == 400
    assert field_errors(response) == {"ideas": {"1": ["Say why you are hiding it."]}}
    response = as_mo.post(BULK, {"action": "hide", "ideas": [flagged.pk]}, format="json")
    assert response.status_code == 200
    assert AuditEntry.objects.get(action="idea.hidden").reason == "Flagged: Spam"


def test_bulk_is_for_moderators_only(api, as_alice, as_pat):
    idea = IdeaFactory()
    body = {"action": "hide", "ideas": [idea.pk], "reason": "Spam"}
    assert api.post(BULK, body, format="json").status_code in (401, 403)
    for client in (as_alice, as_pat):
        response = client.post(BULK, body, format="json")
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    idea.refresh_from_db()
    assert idea.hidden_at is None


# ---- vote-stuffing cases ------------------------------------------------------------------


def _case(n_accounts: int = 2, *, state=StuffingCase.State.OPEN, idea=None) -> StuffingCase:
    idea = idea or IdeaFactory()
    accounts = [UserFactory() for _ in range(n_accounts)]
    for voter in accounts:
        vote_cast(voter=voter, idea=idea, value=1)
    case = StuffingCase.objects.create(
        rule=StuffingCase.Rule.BURST,
        state=state,
        network="203.0.113.0/24",
        idea=idea,
        evidence={"votes": n_accounts, "why": "new accounts on one network"},
        fingerprint=f"case-{idea.pk}-{state}",
        detected_at=timezone.now(),
    )
    case.accounts.set(accounts)
    Vote.objects.filter(voter__in=accounts).update(quarantine=case)
    return case


def test_stuffing_cases_list_open_first_in_constant_queries(as_mo, django_assert_max_num_queries):
    decided = _case(state=StuffingCase.State.CONFIRMED)
    for _ in range(4):
        _case(3)
    # Auth, count, page, the accounts.
    with django_assert_max_num_queries(5):
        body = as_mo.get(CASES).json()
    assert body["count"] == 5
    assert [c["state"] for c in body["results"]] == ["open"] * 4 + ["confirmed"]
    first = body["results"][0]
    assert first["rule"] == "burst" and first["votes"] == 3 and len(first["accounts"]) == 3
    assert first["idea_title"] and first["decided_by"] is None
    assert first["evidence"]["why"] == "new accounts on one network"
    with django_assert_max_num_queries(5):
        body = as_mo.get(CASES, {"state": "decided"}).json()
    assert [c["id"] for c in body["results"]] == [decided.pk]
    assert as_mo.get(CASES, {"state": "open"}).json()["count"] == 4


def test_stuffing_cases_bad_filter_is_400_and_others_get_403(as_mo, as_pat, as_alice, api):
    response = as_mo.get(CASES, {"state": "closed", "page": "0"})
    assert response.status_code == 400 and set(field_errors(response)) == {"state"}
    response = as_mo.get(CASES, {"page": "0"})
    assert response.status_code == 400 and set(field_errors(response)) == {"page"}
    assert as_pat.get(CASES).status_code == 403
    assert as_alice.get(CASES).status_code == 403
    assert api.get(CASES).status_code in (401, 403)


def test_confirm_a_case_and_ban_its_accounts(as_mo, mo):
    case = _case(2)
    response = as_mo.post(
        f"{CASES}{case.pk}/decide/",
        {"decision": "confirm", "reason": "Sock puppets", "ban_accounts": True, "ban_days": 7},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["case"]["state"] == "confirmed" and body["case"]["decided_by"] == "mo"
    assert body["case"]["votes"] == 2
    assert sorted(body["banned"]) == sorted(body["case"]["accounts"])
    assert body["not_banned"] == []
    assert AuditEntry.objects.filter(action="stuffing.confirmed", reason="Sock puppets").exists()


def test_an_account_the_ban_refuses_is_reported_not_banned(as_mo, mo):
    case = _case(1)
    case.accounts.add(mo)
    response = as_mo.post(
        f"{CASES}{case.pk}/decide/",
        {"decision": "confirm", "ban_accounts": True, "ban_reason": "Ring"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["not_banned"] == [
        {"username": "mo", "reason": "You can't ban yourself."}
    ]
    assert len(response.json()["banned"]) == 1


def test_release_a_case_puts_its_votes_back(as_mo):
    case = _case(3)
    response = as_mo.post(f"{CASES}{case.pk}/decide/", {"decision": "release"}, format="json")
    assert response.status_code == 200
    assert response.json()["case"]["state"] == "released"
    assert response.json()["case"]["votes"] == 0
    assert not Vote.objects.filter(quarantine__isnull=False).exists()


@pytest.mark.parametrize(
    "first, second, message",
    [
        ("confirm", "confirm", "This case is confirmed already."),
        ("release", "release", "This case was released already."),
        ("release", "confirm", "This case was released already."),
    ],
)
def test_deciding_a_case_twice_is_400_with_the_reason(as_mo, first, second, message):
    case = _case()
    url = f"{CASES}{case.pk}/decide/"
    assert as_mo.post(url, {"decision": first}, format="json").status_code == 200
    response = as_mo.post(url, {"decision": second}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == message


def test_decide_bad_input_is_400_per_field(as_mo):
    url = f"{CASES}{_case().pk}/decide/"
    response = as_mo.post(url, {"decision": "maybe", "ban_days": 0}, format="json")
    assert response.status_code == 400
    assert set(field_errors(response)) == {"decision", "ban_days"}
    response = as_mo.post(url, {"decision": "release", "ban_accounts": True}, format="json")
    assert response.json()["detail"] == "Ban the accounts only when confirming the case."
    response = as_mo.post(url, {"decision": "confirm", "ban_accounts": True}, format="json")
    assert set(field_errors(response)) == {"ban_reason"}
    assert StuffingCase.objects.get().state == StuffingCase.State.OPEN


def test_a_reason_too_long_for_the_bans_is_400_and_decides_nothing(as_mo):
    """The ban reason falls back to the reason, which may be longer than a ban takes: refused
    before the case is decided, not as a 200 that bans no one."""
    case = _case(2)
    body = {"decision": "confirm", "reason": "x" * 450, "ban_accounts": True}
    response = as_mo.post(f"{CASES}{case.pk}/decide/", body, format="json")
    assert response.status_code == 400
    assert field_errors(response) == {"ban_reason": ["Keep the ban reason to 300 characters."]}
    case.refresh_from_db()
    assert case.state == StuffingCase.State.OPEN
    assert not AuditEntry.objects.exists()


def test_decide_is_403_for_others_and_404_for_unknown(as_mo, as_pat, as_alice):
    case = _case()
    for client in (as_pat, as_alice):
        response = client.post(f"{CASES}{case.pk}/decide/", {"decision": "confirm"}, format="json")
        assert response.status_code == 403
    response = as_mo.post(f"{CASES}999999/decide/", {"decision": "confirm"}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert StuffingCase.objects.get().state == StuffingCase.State.OPEN


# ---- editing a Storm Session --------------------------------------------------------------


@pytest.fixture
def session(pat, category):
    now = timezone.now()
    return storm_create(
        actor=pat,
        title="Notebooks for students",
        description="What do students need?",
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=3),
        categories=[category],
    )


def test_pm_edits_some_of_a_sessions_fields(as_pat, session, api):
    url = f"/api/sessions/{session.slug}/"
    response = as_pat.patch(url, {"title": "Notebooks for pupils"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Notebooks for pupils" and body["slug"] == session.slug
    assert body["categories"] == ["notebooks"] and body["state"] == "active"
    response = as_pat.patch(url, {"categories": [], "description": "**Any** idea"}, format="json")
    assert response.json()["categories"] == []
    assert "<strong>Any</strong>" in response.json()["description_html"]
    assert api.get(url).json()["title"] == "Notebooks for pupils"


def test_a_form_encoded_session_edit_is_refused(as_pat, session):
    url = f"/api/sessions/{session.slug}/"
    response = as_pat.patch(url, {"title": "Notebooks for pupils"}, format="multipart")
    assert response.status_code == 415
    session.refresh_from_db()
    assert session.title != "Notebooks for pupils"
    assert list(session.categories.values_list("slug", flat=True)) == ["notebooks"]


def test_session_edit_bad_input_is_400_per_field(as_pat, session):
    url = f"/api/sessions/{session.slug}/"
    response = as_pat.patch(
        url,
        {"title": "", "starts_at": "soon", "categories": ["nope"]},
        format="json",
    )
    assert response.status_code == 400
    assert set(field_errors(response)) == {"title", "starts_at", "categories"}
    response = as_pat.patch(
        url,
        {"starts_at": "2030-03-15T18:00:00Z", "ends_at": "2030-03-01T09:00:00Z"},
        format="json",
    )
    assert field_errors(response) == {"ends_at": ["The end must be after the start."]}
    # An end before the start it keeps: the service's check of the times as they end up.
    response = as_pat.patch(url, {"ends_at": "2020-01-01T00:00:00Z"}, format="json")
    assert response.status_code == 400
    assert field_errors(response) == {"ends_at": ["The end must be after the start."]}
    session.refresh_from_db()
    assert session.title == "Notebooks for students"


def test_a_closed_session_reopens_when_its_end_moves_on(as_pat, pat):
    """The storm-edit page and the service allow editing a closed session: so does the API."""
    now = timezone.now()
    closed = storm_create(
        actor=pat,
        title="Last year",
        description="",
        starts_at=now - dt.timedelta(days=10),
        ends_at=now - dt.timedelta(days=1),
    )
    url = f"/api/sessions/{closed.slug}/"
    assert as_pat.get(url).json()["state"] == "closed"
    ends_at = (now + dt.timedelta(days=2)).isoformat()
    response = as_pat.patch(url, {"ends_at": ends_at}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "active"
    assert StormSession.objects.get(pk=closed.pk).closed_at is None


def test_only_pms_edit_sessions(api, as_alice, as_mo, as_pat, session):
    url = f"/api/sessions/{session.slug}/"
    assert api.patch(url, {"title": "x"}, format="json").status_code in (401, 403)
    assert as_alice.patch(url, {"title": "x"}, format="json").status_code == 403
    assert as_mo.patch(url, {"title": "x"}, format="json").status_code == 403
    assert as_pat.patch("/api/sessions/no-such/", {"title": "x"}, format="json").status_code == 404
    assert api.get(url).status_code == 200
    session.refresh_from_db()
    assert session.title == "Notebooks for students"


# ---- the PM overview ----------------------------------------------------------------------
@pytest.fixture
def pat_client(client, pat):
    client.force_login(pat)
    return client


def test_overview_reports_the_dashboards_figures(as_pat, pat, category, settings):
    settings.PM_RESPONSE_THRESHOLD = 2
    answered = IdeaFactory(category=category, score=3, promotes=3)
    IdeaFactory(category=category, score=5, promotes=5)  # waiting for an answer
    IdeaFactory(category=category, score=1, promotes=1)  # under the threshold
    vote_cast(voter=UserFactory(), idea=answered, value=1)
    idea_status_set(idea=answered, actor=pat, status=Status.PLANNED, response="Next spring.")
    response = as_pat.get(OVERVIEW)
    assert response.status_code == 200
    body = response.json()
    assert body["days"] == 7 and body["new_ideas"] == 3 and body["votes"] == 1
    assert body["threshold"] == 2
    assert (body["above_threshold"], body["answered_above_threshold"]) == (2, 1)
    assert body["waiting"] == 1 and body["response_rate"] == 0.5
    assert body["median_response_seconds"] >= 0
    per_status = {row["status"]: row["ideas"] for row in body["per_status"]}
    assert per_status == {**dict.fromkeys(Status.values, 0), "new": 2, "planned": 1}
    assert body["per_status"][0]["label"] == Status(body["per_status"][0]["status"]).label


def test_overview_shares_the_dashboards_cache(
    as_pat, pat_client, category, django_assert_max_num_queries
):
    IdeaFactory(category=category)
    first = as_pat.get(OVERVIEW).json()
    assert cache.get(OVERVIEW_KEY) is not None
    IdeaFactory(category=category)
    # The user, then the figures from the cache: none of the overview's queries.
    with django_assert_max_num_queries(2):
        again = as_pat.get(OVERVIEW).json()
    assert again == first and again["new_ideas"] == 1
    cache.delete(OVERVIEW_KEY)
    assert pat_client.get("/pm/").status_code == 200
    assert as_pat.get(OVERVIEW).json()["new_ideas"] == 2


def test_overview_before_any_answer_has_no_rate_or_median(as_pat):
    body = as_pat.get(OVERVIEW).json()
    assert body["response_rate"] is None and body["median_response_seconds"] is None


def test_overview_is_for_pms_only(api, as_alice, as_mo):
    assert api.get(OVERVIEW).status_code in (401, 403)
    assert as_alice.get(OVERVIEW).status_code == 403
    assert as_mo.get(OVERVIEW).status_code == 403


# ---- the index ----------------------------------------------------------------------------


def test_the_index_links_every_collection(api):
    response = api.get("/api/")
    assert response.status_code == 200
    links = response.json()
    assert set(links) >= {
        "ideas",
        "categories",
        "tags",
        "sessions",
        "notifications",
        "me",
        "snapshots",
        "export",
        "moderation_queue",
        "moderation_audit",
        "stuffing_cases",
        "pm_overview",
        "token",
        "schema",
        "docs",
        "similar_ideas",
        "merge_suggestions",
        "user",
    }
    assert all(url.startswith("http://testserver/api/") for url in links.values())
    assert links["user"] == "http://testserver/api/users/{username}/"


def test_every_index_link_is_an_api_route(api):
    for name, url in api.get("/api/").json().items():
        assert resolve(urlsplit(url).path).url_name.startswith("api-"), name
