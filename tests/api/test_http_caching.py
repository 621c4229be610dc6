"""HTTP caching for API readers: ETag and If-None-Match on the ideas list and an idea, and
Link headers (RFC 8288) on every paginated list."""

import re

import pytest

from ideas.models import Tag
from tests.factories import IdeaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def idea(category):
    return IdeaFactory(category=category, title="Café “quotes” 🚀")


def _links(response) -> dict[str, str]:
    """rel -> URL of a Link header."""
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="([a-z]+)"', response["Link"])}


@pytest.mark.parametrize("path", ["/api/ideas/", "/api/ideas/{pk}/"])
def test_a_read_carries_a_strong_etag_and_the_headers_it_varies_by(api, idea, path):
    response = api.get(path.format(pk=idea.pk))
    assert response.status_code == 200
    assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])
    vary = {v.strip().lower() for v in response["Vary"].split(",")}
    assert {"accept", "authorization", "cookie"} <= vary
    assert "no-cache" in response["Cache-Control"]
    assert api.get(path.format(pk=idea.pk))["ETag"] == response["ETag"]


@pytest.mark.parametrize("path", ["/api/ideas/", "/api/ideas/{pk}/"])
def test_if_none_match_with_the_current_etag_is_a_304_without_a_body(as_alice, idea, path):
    path = path.format(pk=idea.pk)
    etag = as_alice.get(path)["ETag"]
    response = as_alice.get(path, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert "authorization" in response["Vary"].lower()
    assert "private" in response["Cache-Control"]
    assert as_alice.get(path, HTTP_IF_NONE_MATCH='"stale", ' + etag).status_code == 304
    assert as_alice.get(path, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_head_answers_304_too(api, idea):
    etag = api.get(f"/api/ideas/{idea.pk}/")["ETag"]
    assert api.head(f"/api/ideas/{idea.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize("path", ["/api/ideas/", "/api/ideas/{pk}/"])
def test_the_etag_changes_after_the_viewer_votes(as_alice, idea, path):
    path = path.format(pk=idea.pk)
    before = as_alice.get(path)["ETag"]
    assert (
        as_alice.put(f"/api/ideas/{idea.pk}/vote/", {"value": 1}, format="json").status_code == 200
    )
    after = as_alice.get(path, HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200
    assert after["ETag"] != before
    body = after.json()
    assert (body["results"][0] if "results" in body else body)["my_vote"] == 1


def test_two_members_with_different_votes_get_different_etags(as_alice, as_bob, api, idea):
    path = f"/api/ideas/{idea.pk}/"
    as_alice.put(f"/api/ideas/{idea.pk}/vote/", {"value": 1}, format="json")
    as_bob.put(f"/api/ideas/{idea.pk}/vote/", {"value": -1}, format="json")
    alice, bob, visitor = as_alice.get(path), as_bob.get(path), api.get(path)
    assert alice.json()["my_vote"] == 1 and bob.json()["my_vote"] == -1
    assert len({alice["ETag"], bob["ETag"], visitor["ETag"]}) == 3
    # One member's copy is no good to another.
    assert as_bob.get(path, HTTP_IF_NONE_MATCH=alice["ETag"]).status_code == 200


def test_errors_and_writes_carry_no_etag(as_alice, api, idea):
    assert not api.get("/api/ideas/999999/").has_header("ETag")
    assert not api.get("/api/ideas/?page=0").has_header("ETag")
    created = as_alice.post(
        "/api/ideas/",
        {"title": "Longer battery life", "description": "Ten hours.", "category": "notebooks"},
        format="json",
    )
    assert created.status_code == 201 and not created.has_header("ETag")


def test_link_header_points_to_the_other_pages(api, category):
    for n in range(45):
        IdeaFactory(category=category, title=f"Idea {n}")
    first = api.get("/api/ideas/?sort=new")
    assert _links(first) == {
        "next": "http://testserver/api/ideas/?page=2&sort=new",
        "last": "http://testserver/api/ideas/?page=3&sort=new",
    }
    assert first.json()["next"] == _links(first)["next"]
    middle = api.get("/api/ideas/?sort=new&page=2")
    assert _links(middle) == {
        "first": "http://testserver/api/ideas/?sort=new",
        "prev": "http://testserver/api/ideas/?sort=new",
        "next": "http://testserver/api/ideas/?page=3&sort=new",
        "last": "http://testserver/api/ideas/?page=3&sort=new",
    }
    last = api.get("/api/ideas/?sort=new&page=3")
    assert _links(last) == {
        "first": "http://testserver/api/ideas/?sort=new",
        "prev": "http://testserver/api/ideas/?page=2&sort=new",
    }
    assert last.json()["previous"] == _links(last)["prev"]


def test_a_single_page_has_no_link_header(api, idea):
    assert not api.get("/api/ideas/").has_header("Link")


def test_other_paginated_lists_have_link_headers_too(api, idea):
    idea.tags.add(*Tag.objects.bulk_create(Tag(name=f"t{n}", slug=f"t{n}") for n in range(101)))
    response = api.get("/api/tags/")
    assert _links(response)["next"] == "http://testserver/api/tags/?page=2"


def test_schema_documents_if_none_match_the_304_and_the_link_header(api):
    schema = api.get("/api/schema/?format=json").json()
    for path in ("/api/ideas/", "/api/ideas/{id}/"):
        operation = schema["paths"][path]["get"]
        assert "If-None-Match" in {
            p["name"] for p in operation["parameters"] if p["in"] == "header"
        }
        assert "304" in operation["responses"]
        assert "ETag" in operation["responses"]["200"]["headers"]
    assert "Link" in schema["paths"]["/api/ideas/"]["get"]["responses"]["200"]["headers"]
