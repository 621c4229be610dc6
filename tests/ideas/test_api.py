import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from ideas.models import Idea
from tests.conftest import PASSWORD
from tests.factories import IdeaFactory
from votes.services import vote_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def alice_api(api, alice):
    api.force_authenticate(alice)
    return api


def test_token_login_then_vote_with_the_token(api, alice):
    idea = IdeaFactory()
    token = api.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}).json()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    response = api.put(f"/api/ideas/{idea.pk}/vote/", {"value": 1}, format="json")
    assert response.status_code == 200
    assert response.json() == {"score": 1, "promotes": 1, "demotes": 0, "my_vote": 1}


def test_token_with_a_wrong_password_is_400_with_a_message(api, alice):
    response = api.post("/api/auth/token/", {"username": "alice", "password": "nope"})
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"]


def test_idea_list_has_the_contract_fields_and_my_vote(alice_api, alice):
    idea = IdeaFactory()
    vote_cast(voter=alice, idea=idea, value=-1)
    body = alice_api.get("/api/ideas/").json()
    assert body["count"] == 1 and "next" in body and "previous" in body
    item = body["results"][0]
    for field in ("id", "title", "description", "category", "status", "score", "promotes",
                  "demotes", "author", "created_at", "url", "my_vote"):  # fmt: skip
        assert field in item
    assert item["my_vote"] == -1 and item["score"] == -1
    assert item["url"].endswith(idea.get_absolute_url())


def test_unknown_sort_or_status_is_400_with_the_field(api):
    response = api.get("/api/ideas/", {"sort": "sideways", "status": "lost"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"sort", "status"}


def test_idea_list_makes_a_constant_number_of_queries(
    alice_api, alice, django_assert_max_num_queries
):
    for _ in range(30):
        vote_cast(voter=alice, idea=IdeaFactory(), value=1)
    with django_assert_max_num_queries(4):
        assert alice_api.get("/api/ideas/").status_code == 200


def test_create_idea(alice_api, category):
    response = alice_api.post(
        "/api/ideas/",
        {"title": "No trialware", "description": "Clean installs.", "category": "notebooks"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["category"], body["score"], body["author"]) == (
        "No trialware", "notebooks", 0, "alice"
    )  # fmt: skip


def test_create_idea_with_bad_input_is_400_per_field(alice_api, category):
    response = alice_api.post(
        "/api/ideas/", {"title": "x" * 121, "category": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"title", "description", "category"}
    assert Idea.objects.count() == 0


def test_visitor_cannot_create_or_vote(api, category):
    idea = IdeaFactory()
    assert api.post("/api/ideas/", {}, format="json").status_code in (401, 403)
    assert api.put(f"/api/ideas/{idea.pk}/vote/", {"value": 1}, format="json").status_code in (
        401,
        403,
    )


@pytest.mark.parametrize("body", [{"value": 0}, {"value": 2}, {"value": "up"}, {}])
def test_vote_with_a_bad_value_is_400(alice_api, body):
    idea = IdeaFactory()
    response = alice_api.put(f"/api/ideas/{idea.pk}/vote/", body, format="json")
    assert response.status_code == 400 and "value" in response.json()["errors"]


def test_vote_then_withdraw(alice_api):
    idea = IdeaFactory()
    alice_api.put(f"/api/ideas/{idea.pk}/vote/", {"value": -1}, format="json")
    response = alice_api.delete(f"/api/ideas/{idea.pk}/vote/")
    assert response.json() == {"score": 0, "promotes": 0, "demotes": 0, "my_vote": None}


def test_vote_on_a_missing_idea_is_404(alice_api):
    assert alice_api.put("/api/ideas/999999/vote/", {"value": 1}, format="json").status_code == 404


def test_malformed_json_is_400(alice_api):
    idea = IdeaFactory()
    response = alice_api.generic(
        "PUT", f"/api/ideas/{idea.pk}/vote/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_categories_and_idea_detail(api, category):
    idea = IdeaFactory(category=category)
    assert api.get("/api/categories/").json() == [
        {
            "slug": "notebooks",
            "name": "Notebooks",
            "description": "",
            "retired": False,
            "merged_into": None,
        }
    ]
    assert api.get(f"/api/ideas/{idea.pk}/").json()["my_vote"] is None
    assert api.get("/api/ideas/999999/").status_code == 404


def test_schema_and_docs_are_served_locally(api):
    schema = api.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/ideas/{id}/vote/" in schema.content
    docs = api.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower()


@pytest.mark.parametrize("sort", ["popular", "top", "new", "trending"])
def test_every_sort_is_served(api, sort):
    IdeaFactory.create_batch(3)
    assert api.get("/api/ideas/", {"sort": sort}).json()["count"] == 3


@pytest.mark.parametrize(
    "params, field",
    [
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "99"}, "page"),
        ({"category": "no-such"}, "category"),
        ({"sort": "hot"}, "sort"),
    ],
)
def test_wrong_list_parameters_are_400_with_the_reason(api, params, field):
    IdeaFactory()
    response = api.get("/api/ideas/", params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize("page", ["²", "1.5", "-1", "9" * 30])
def test_odd_page_numbers_are_400_never_500(api, page):
    IdeaFactory()
    assert api.get("/api/ideas/", {"page": page}).status_code == 400


def test_an_id_too_big_for_the_database_is_404(alice_api):
    huge = "9223372036854775808"
    assert alice_api.put(f"/api/ideas/{huge}/vote/", {"value": 1}, format="json").status_code == 404
    assert alice_api.get(f"/api/ideas/{huge}/").status_code == 404


def test_create_idea_with_tags_then_filter_by_tag(alice_api, category):
    body = {"title": "Tagged", "description": "D", "category": category.slug, "tags": ["Mobile"]}
    response = alice_api.post(reverse("api-idea-list"), body, format="json")
    assert response.status_code == 201
    assert response.json()["tags"] == ["mobile"]
    IdeaFactory(title="Untagged")
    listed = alice_api.get(reverse("api-idea-list"), {"tag": "mobile"}).json()["results"]
    assert [i["title"] for i in listed] == ["Tagged"]


def test_too_many_tags_or_a_long_description_is_400_per_field(alice_api, category):
    body = {"title": "T", "description": "x" * 10_001, "category": category.slug}
    body["tags"] = [f"t{n}" for n in range(6)]
    response = alice_api.post(reverse("api-idea-list"), body, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"description", "tags"}
    assert not Idea.objects.exists()
