"""Every API error has one JSON shape: {"detail", "code"} and, for invalid input, "errors"
per field; Django's own 404 and 500 answer in it too under /api/."""

from unittest import mock

import pytest
from rest_framework.test import APIClient

from tests.factories import IdeaFactory


@pytest.fixture
def alice_api(alice):
    api = APIClient()
    api.force_authenticate(alice)
    return api


@pytest.mark.django_db
def test_invalid_input_is_400_with_detail_code_and_errors_per_field(alice_api, category):
    response = alice_api.post("/api/ideas/", {"title": ""}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code", "errors"} and body["code"] == "invalid"
    assert set(body["errors"]) == {"title", "description", "category"}
    assert all(isinstance(m, str) for m in body["errors"]["title"])


@pytest.mark.django_db
def test_a_lone_non_field_error_is_also_the_detail(alice):
    response = APIClient().post("/api/auth/token/", {"username": "alice", "password": "nope"})
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid"
    assert body["detail"] == body["errors"]["non_field_errors"][0]


@pytest.mark.django_db
def test_malformed_json_is_400_parse_error(alice_api):
    response = alice_api.generic(
        "POST", "/api/ideas/", '{"title": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error" and response.json()["detail"]


@pytest.mark.django_db
def test_wrong_content_type_is_415(alice_api):
    response = alice_api.generic("POST", "/api/ideas/", "title=x", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


@pytest.mark.django_db
def test_huge_strings_are_400_not_500(alice_api, category):
    huge = "x" * 200_000
    body = {"title": huge, "description": huge, "category": huge, "tags": [huge]}
    response = alice_api.post("/api/ideas/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"title", "description", "category", "tags"}
    response = alice_api.get("/api/ideas/", {"q": huge, "category": huge, "tag": huge})
    assert response.status_code == 400


@pytest.mark.django_db
def test_missing_login_and_wrong_method_have_the_shape(alice_api, category):
    response = APIClient().post("/api/ideas/", {}, format="json")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"
    response = alice_api.delete("/api/ideas/")
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"


@pytest.mark.django_db
@pytest.mark.parametrize("idea_id", ["999999999999999999", "9" * 19, "9" * 40])
def test_unknown_ids_even_too_big_for_the_database_are_404_json(idea_id):
    for path in [f"/api/ideas/{idea_id}/", f"/api/ideas/{idea_id}/comments/"]:
        response = APIClient().get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_unknown_api_path_is_404_json_but_a_page_stays_html():
    response = APIClient().get("/api/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    response = APIClient().get("/nothing-here/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_crash_under_api_is_a_json_500(client):
    idea = IdeaFactory()
    client.raise_request_exception = False
    with mock.patch("web.ideas.api.IdeaDetailApi.get", side_effect=RuntimeError("boom")):
        response = client.get(f"/api/ideas/{idea.pk}/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


@pytest.mark.django_db
def test_the_schema_documents_the_error_responses():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"detail", "code", "errors"}
    create = schema["paths"]["/api/ideas/"]["post"]["responses"]
    assert {"400", "401", "403", "415", "429"} <= set(create)
    assert "404" in schema["paths"]["/api/ideas/{id}/"]["get"]["responses"]
    assert "415" not in schema["paths"]["/api/ideas/{id}/"]["get"]["responses"]
    ref = create["400"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/Error"
    assert "Retry-After" in create["429"]["headers"]
