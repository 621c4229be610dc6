"""The Django admin lists ideas, categories, tags, comments, Storm Sessions and webhooks with
search and filters, for the rare case; ideas, categories, tags and comments are read-only
there (ideas/admin.py says why)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from ideas.models import Idea, StatusChange
from storms.models import StormSession
from tests.factories import CommentFactory, IdeaFactory, UserFactory
from webhooks.models import Delivery, Webhook

pytestmark = pytest.mark.django_db

# Changelist -> a search and a filter that finds the object `board` names.
CHANGELISTS = {
    "ideas_idea": ("longer", "status__exact=planned&hidden_at__isempty=1"),
    "ideas_category": ("notebooks", ""),
    "ideas_tag": ("linux", ""),
    "comments_comment": ("every day", "hidden_at__isempty=1&deleted_at__isempty=1"),
    "storms_stormsession": ("students", "closed_at__isempty=1"),
    "webhooks_webhook": ("example", "active__exact=1"),
    "webhooks_delivery": ("idea.created", "status__exact=pending"),
}


@pytest.fixture
def root(client):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def board(category):
    now = timezone.now()
    idea = IdeaFactory(
        title="Longer battery life", category=category, status="planned", promotes=3, score=3
    )
    idea.tags.create(name="linux", slug="linux")
    StatusChange.objects.create(idea=idea, old_status="new", new_status="planned", created_at=now)
    IdeaFactory(title="Hidden battery idea", category=category, hidden_at=now)
    CommentFactory(idea=idea)
    StormSession.objects.create(
        title="Notebooks for students",
        slug="students",
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=7),
        created_at=now,
    )
    webhook = Webhook.objects.create(url="https://hooks.example.com/in", events=["idea.created"])
    Delivery.objects.create(webhook=webhook, event="idea.created", payload={}, created_at=now)
    return idea


@pytest.mark.parametrize("model", CHANGELISTS)
def test_each_changelist_loads_with_a_search_and_a_filter(client, root, board, model):
    search, filters = CHANGELISTS[model]
    url = reverse(f"admin:{model}_changelist")
    response = client.get(url, {"q": search})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1, model
    query = f"?q={search}&{filters}" if filters else f"?q={search}"
    response = client.get(url + query)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1, model


def test_the_idea_list_searches_titles_and_filters_hidden_ideas(client, root, board):
    url = reverse("admin:ideas_idea_changelist")
    both = client.get(url, {"q": "battery"}).context["cl"].result_count
    hidden = client.get(url + "?q=battery&hidden_at__isempty=0").context["cl"].result_list
    assert both == 2
    assert [idea.title for idea in hidden] == ["Hidden battery idea"]


def test_the_idea_page_shows_but_never_edits_counters(client, root, board):
    url = reverse("admin:ideas_idea_change", args=[board.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Longer battery life" in html and "planned" in html.lower()
    for name in ("score", "promotes", "demotes", "popular_key", "title", "status"):
        assert f'name="{name}"' not in html, name
    assert "description_html" not in html
    response = client.post(url, {"title": "Changed", "score": 99, "promotes": 99})
    assert response.status_code == 403
    board.refresh_from_db()
    assert (board.title, board.score, board.promotes) == ("Longer battery life", 3, 3)


def test_ideas_comments_categories_and_tags_cannot_be_added_or_deleted(client, root, board):
    for model in ("ideas_idea", "ideas_category", "ideas_tag", "comments_comment"):
        assert client.get(reverse(f"admin:{model}_add")).status_code == 403, model
    url = reverse("admin:ideas_idea_delete", args=[board.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Idea.objects.filter(pk=board.pk).exists()


def test_the_idea_list_reads_in_a_few_queries(client, root, board, django_assert_max_num_queries):
    for _ in range(30):
        IdeaFactory(category=board.category)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:ideas_idea_changelist"))
    assert response.status_code == 200


def test_members_and_staff_without_rights_are_kept_out(client, board):
    client.force_login(UserFactory(username="alice"))
    response = client.get(reverse("admin:ideas_idea_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
