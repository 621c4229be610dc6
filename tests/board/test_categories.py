import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from actions.categories import categories_merge
from core.models import AuditEntry
from ideas.categories import category_create, category_move, category_retire
from ideas.models import Category, Idea
from storms.models import StormSession
from tests.factories import CategoryFactory, IdeaFactory

pytestmark = pytest.mark.django_db


def _names():
    return list(Category.objects.values_list("name", flat=True))


def test_an_admin_adds_a_category_that_the_submit_form_offers(admin_client, alice_client):
    response = admin_client.post(
        "/manage/categories/", {"name": "Docking stations", "description": "Docks and hubs"}
    )
    assert response.status_code == 302
    category = Category.objects.get(name="Docking stations")
    assert category.slug == "docking-stations"
    assert 'value="docking-stations"' in alice_client.get("/ideas/new/").content.decode()
    assert AuditEntry.objects.filter(action="category.created", target_id=category.pk).exists()


def test_a_duplicate_name_or_slug_is_refused_at_the_field(admin_client, category):
    response = admin_client.post("/manage/categories/", {"name": "notebooks"})
    assert response.status_code == 400
    assert "already a category called" in response.content.decode()
    response = admin_client.post("/manage/categories/", {"name": "Laptops", "slug": "notebooks"})
    assert response.status_code == 400
    assert 'id="id_slug_error"' in response.content.decode()
    response = admin_client.post("/manage/categories/", {"name": "Laptops", "slug": "not a slug!"})
    assert response.status_code == 400
    assert Category.objects.count() == 1


def test_renaming_keeps_the_ideas_and_changes_the_address(admin_client, category):
    idea = IdeaFactory(category=category)
    response = admin_client.post(
        f"/manage/categories/{category.pk}/",
        {"name": "Laptops", "slug": "laptops", "description": "Portable ones"},
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.category.name == "Laptops"
    assert idea.title in admin_client.get("/ideas/?category=laptops").content.decode()


def test_reordering_moves_one_place_and_the_submit_form_follows(admin, alice_client):
    a, b, c = (category_create(actor=admin, name=name) for name in ("Alpha", "Beta", "Gamma"))
    category_move(actor=admin, category=c, offset=-1)
    assert _names() == ["Alpha", "Gamma", "Beta"]
    category_move(actor=admin, category=a, offset=-1)  # already first: nothing moves
    assert _names() == ["Alpha", "Gamma", "Beta"]
    page = alice_client.get("/ideas/new/").content.decode()
    assert page.index("Gamma") < page.index("Beta")
    assert b.pk


def test_the_move_buttons_post_and_come_back(admin_client, admin):
    category_create(actor=admin, name="Alpha")
    beta = category_create(actor=admin, name="Beta")
    response = admin_client.post(f"/manage/categories/{beta.pk}/move/", {"direction": "up"})
    assert response.status_code == 302 and response["Location"].endswith(f"#category-{beta.pk}")
    assert _names() == ["Beta", "Alpha"]
    assert admin_client.get(f"/manage/categories/{beta.pk}/move/").status_code == 405


def test_a_retired_category_keeps_its_ideas_and_address_but_takes_no_new_ones(
    admin_client, admin, alice_client, category
):
    other = CategoryFactory(name="Servers", slug="servers")
    IdeaFactory(category=category, title="Keep me findable")
    response = admin_client.post(f"/manage/categories/{category.pk}/retire/", {"retired": "1"})
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.is_retired
    assert "Keep me findable" in alice_client.get("/ideas/?category=notebooks").content.decode()
    assert alice_client.get("/feeds/categories/notebooks/").status_code == 200
    form = alice_client.get("/ideas/new/").content.decode()
    assert 'value="notebooks"' not in form and 'value="servers"' in form
    refused = alice_client.post(
        "/ideas/new/",
        {
            "title": "A new idea here",
            "description": "Long enough text for the form.",
            "category": "notebooks",
        },
    )
    assert refused.status_code == 400
    api = alice_client.post(
        "/api/ideas/",
        {"title": "A new idea here", "description": "Long enough.", "category": "notebooks"},
        content_type="application/json",
    )
    assert api.status_code == 400 and "category" in api.json()["errors"]
    assert Idea.objects.filter(category=category).count() == 1
    assert other.pk


def test_an_idea_in_a_retired_category_can_still_be_edited_in_place(
    alice, alice_client, admin, category
):
    CategoryFactory(name="Servers", slug="servers")
    idea = IdeaFactory(category=category, author=alice)
    category_retire(actor=admin, category=category)
    response = alice_client.post(
        f"/ideas/{idea.pk}/edit/",
        {
            "title": "Edited title here",
            "description": "Still here, and edited.",
            "category": "notebooks",
        },
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.title == "Edited title here" and idea.category == category


def test_the_last_open_category_cant_be_retired(admin, category):
    with pytest.raises(ValidationError, match="at least one category open"):
        category_retire(actor=admin, category=category)


def test_reopening_a_retired_category(admin_client, admin, category):
    CategoryFactory(name="Servers", slug="servers")
    category_retire(actor=admin, category=category)
    admin_client.post(f"/manage/categories/{category.pk}/retire/", {"retired": "0"})
    category.refresh_from_db()
    assert not category.is_retired


def test_merging_moves_every_idea_and_the_old_address_leads_to_the_new(
    admin_client, client, category
):
    target = CategoryFactory(name="Laptops", slug="laptops")
    ideas = [IdeaFactory(category=category) for _ in range(3)]
    session = StormSession.objects.create(
        title="Notebook week",
        slug="notebook-week",
        description="",
        starts_at="2026-01-01T00:00Z",
        ends_at="2026-01-08T00:00Z",
        created_at="2025-12-01T00:00Z",
    )
    session.categories.set([category])
    response = admin_client.post(f"/manage/categories/{category.pk}/merge/", {"target": "laptops"})
    assert response.status_code == 302
    assert Idea.objects.filter(category=target).count() == 3
    category.refresh_from_db()
    assert category.is_retired and category.merged_into == target
    assert list(session.categories.all()) == [target]
    redirect = client.get("/ideas/?category=notebooks&sort=new")
    assert redirect.status_code == 302 and "category=laptops" in redirect["Location"]
    assert "sort=new" in redirect["Location"]
    assert ideas[0].pk


def test_merging_into_itself_or_a_retired_category_is_refused(admin_client, admin, category):
    retired = CategoryFactory(name="Old", slug="old")
    CategoryFactory(name="Open", slug="open")
    category_retire(actor=admin, category=retired)
    response = admin_client.post(f"/manage/categories/{category.pk}/merge/", {"target": "old"})
    assert response.status_code == 400
    assert "Choose an open category" in response.content.decode()
    with pytest.raises(ValidationError):
        categories_merge(actor=admin, source=category, target=category)
    assert Idea.objects.filter(category__slug="old").count() == 0


def test_the_categories_api_says_which_are_retired(admin, client, category):
    target = CategoryFactory(name="Laptops", slug="laptops")
    categories_merge(actor=admin, source=category, target=target)
    data = {c["slug"]: c for c in client.get("/api/categories/").json()}
    assert data["notebooks"]["retired"] is True and data["notebooks"]["merged_into"] == "laptops"
    assert data["laptops"]["retired"] is False and data["laptops"]["merged_into"] is None


def test_only_admins_manage_categories(client, alice_client, pat, category):
    assert Client().get("/manage/categories/").status_code == 302
    assert alice_client.get("/manage/categories/").status_code == 403
    client.force_login(pat)
    assert client.post("/manage/categories/", {"name": "By a PM"}).status_code == 403
    assert not Category.objects.filter(name="By a PM").exists()


def test_the_categories_page_lists_counts_and_states(admin_client, category):
    IdeaFactory(category=category)
    page = admin_client.get("/manage/categories/").content.decode()
    assert "Notebooks" in page and 'data-testid="category-row"' in page
    assert 'aria-label="Retire Notebooks"' in page


def test_a_slug_differing_only_in_case_is_a_duplicate(admin_client, category):
    response = admin_client.post("/manage/categories/", {"name": "Laptops", "slug": "NOTEBOOKS"})
    assert response.status_code == 400
    assert Category.objects.count() == 1


def test_a_merged_categorys_roadmap_and_api_lead_to_the_other(admin, client, category):
    target = CategoryFactory(name="Laptops", slug="laptops")
    idea = IdeaFactory(category=category, title="Moved along")
    categories_merge(actor=admin, source=category, target=target)
    response = client.get("/roadmap/?category=notebooks")
    assert response.status_code == 302 and response["Location"].endswith("?category=laptops")
    results = client.get("/api/ideas/?category=notebooks").json()["results"]
    assert [r["id"] for r in results] == [idea.pk]
