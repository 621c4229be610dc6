import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.ideas import idea_status_set
from tests.factories import CategoryFactory, IdeaFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response) -> list[ET.Element]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def text(entry: ET.Element, tag: str) -> str:
    return entry.find(f"{ATOM}{tag}").text or ""


def test_new_ideas_feed_lists_visible_ideas_newest_first(client, settings):
    now = timezone.now()
    IdeaFactory(title="Older", created_at=now - dt.timedelta(days=1))
    IdeaFactory(
        title="Newer",
        description="Use **bold**",
        description_html="<p>Use <strong>bold</strong></p>",
        created_at=now,
    )
    IdeaFactory(title="Withdrawn", withdrawn_at=now)
    items = entries(client.get(reverse("feed-ideas")))
    assert [text(e, "title") for e in items] == ["Newer", "Older"]
    assert text(items[0], "summary") == "<p>Use <strong>bold</strong></p>"
    link = items[0].find(f"{ATOM}link").get("href")
    assert link.startswith(settings.IDEASTORM_SITE_URL + "/ideas/")


def test_new_ideas_feed_keeps_the_50_newest(client):
    for _ in range(51):
        IdeaFactory()
    assert len(entries(client.get(reverse("feed-ideas")))) == 50


def test_a_deleted_authors_idea_is_by_deleted_user(client, alice):
    from actions.accounts import account_delete

    IdeaFactory(author=alice)
    account_delete(user=alice)
    body = client.get(reverse("feed-ideas")).content.decode()
    assert "<name>deleted user</name>" in body and "deleted-" not in body


def test_category_feed_lists_only_that_category(client):
    books, games = CategoryFactory(slug="books"), CategoryFactory(slug="games")
    IdeaFactory(title="Book idea", category=books)
    IdeaFactory(title="Game idea", category=games)
    items = entries(client.get(reverse("feed-category", args=["books"])))
    assert [text(e, "title") for e in items] == ["Book idea"]


def test_unknown_category_feed_is_a_404(client):
    assert client.get(reverse("feed-category", args=["nope"])).status_code == 404


def test_idea_feed_lists_status_changes_newest_first_with_responses(client, pat):
    idea = IdeaFactory(title="Sync")
    idea_status_set(idea=idea, actor=pat, status="planned")
    idea_status_set(idea=idea, actor=pat, status="declined", response="Out of *scope*.")
    items = entries(client.get(reverse("feed-idea", args=[idea.pk])))
    assert [text(e, "title") for e in items] == ["Planned → Declined", "New → Planned"]
    assert "<em>scope</em>" in text(items[0], "summary")
    ids = {text(e, "id") for e in items}
    assert len(ids) == 2


def test_idea_feed_of_a_withdrawn_or_missing_idea_is_a_404(client):
    idea = IdeaFactory(withdrawn_at=timezone.now())
    assert client.get(reverse("feed-idea", args=[idea.pk])).status_code == 404
    assert client.get(reverse("feed-idea", args=[999999])).status_code == 404


def test_feeds_refuse_post(client):
    idea = IdeaFactory()
    assert client.post(reverse("feed-ideas")).status_code == 405
    assert client.post(reverse("feed-category", args=[idea.category.slug])).status_code == 405
    assert client.post(reverse("feed-idea", args=[idea.pk])).status_code == 405


def test_feed_query_count_is_constant(client, django_assert_max_num_queries):
    for _ in range(10):
        IdeaFactory()
    with django_assert_max_num_queries(2):
        client.get(reverse("feed-ideas"))
