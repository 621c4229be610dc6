"""Every Atom feed as a feed reader sees it: parsed by feedparser, well-formed (bozo 0), with an
id and an `updated` date on the feed and on every entry, ids that stay the same when an idea
or a category is renamed, and ids and links that follow IDEASTORM_SITE_URL, not the Host the
request named."""

import feedparser
import pytest
from django.urls import reverse

from actions.changelog import entry_publish
from actions.ideas import idea_revise, idea_status_set
from changelog.services import entry_save
from ideas.models import Category, Idea
from tests.factories import CategoryFactory, IdeaFactory

pytestmark = pytest.mark.django_db

SITE = "https://ideas.example.com"


@pytest.fixture
def board(settings, pat):
    settings.IDEASTORM_SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["testserver", "other.example.net"]
    category = CategoryFactory(slug="gadgets", name="Gadgets")
    idea = IdeaFactory(title="Dark mode", category=category)
    IdeaFactory(title="Offline sync", category=category)
    idea_status_set(idea=idea, actor=pat, status="planned", response="Next *quarter*.")
    idea_status_set(idea=idea, actor=pat, status="planned", response="Still on track.")
    entry = entry_save(actor=pat, title="Shipped", body="Done.", ideas=[], publish_at=None)
    entry_publish(entry=entry, actor=pat)
    return idea


def feed_urls(idea: Idea) -> list[str]:
    return [
        reverse("feed-ideas"),
        reverse("feed-category", args=[idea.category.slug]),
        reverse("feed-idea", args=[idea.pk]),
        reverse("feed-updates"),
        reverse("feed-roadmap"),
        reverse("feed-changelog"),
    ]


def parse(client, url: str, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    return feedparser.parse(response.content)


def ids(feed) -> list[str]:
    return [feed.feed.id, *(entry.id for entry in feed.entries)]


def test_every_feed_parses_cleanly_with_ids_and_updated_dates(client, board):
    for url in feed_urls(board):
        feed = parse(client, url)
        assert feed.bozo == 0, (url, feed.get("bozo_exception"))
        assert feed.version == "atom10", url
        assert feed.feed.id and feed.feed.updated_parsed, url
        assert feed.entries, url
        for entry in feed.entries:
            assert entry.id and entry.updated_parsed and entry.title, (url, entry)
            assert entry.link.startswith(SITE + "/"), (url, entry.link)
        assert all(link.href.startswith(SITE + "/") for link in feed.feed.links), url


def test_the_idea_feeds_ids_are_tag_uris_by_number(client, board):
    feed = parse(client, reverse("feed-ideas"))
    assert feed.feed.id == "tag:ideas.example.com,2024:feed/ideas"
    assert f"tag:ideas.example.com,2024:idea/{board.pk}" in [e.id for e in feed.entries]
    changes = parse(client, reverse("feed-idea", args=[board.pk])).entries
    titles = [e.title for e in changes]
    assert titles == ["Official response: Planned", "New → Planned"]
    assert all(
        e.id.startswith(f"tag:ideas.example.com,2024:idea/{board.pk}/status/") for e in changes
    )


def test_the_updates_feed_has_every_status_change_and_official_response(client, board):
    titles = [e.title for e in parse(client, reverse("feed-updates")).entries]
    assert titles == ["Dark mode: Official response: Planned", "Dark mode: New → Planned"]


def test_ids_stay_when_an_idea_and_its_category_are_renamed(client, board, pat):
    before = {url: ids(parse(client, url)) for url in feed_urls(board)}
    idea_revise(
        idea=board,
        user=board.author,
        title="Dark theme everywhere",
        description=board.description,
        category=board.category,
    )
    Category.objects.filter(pk=board.category_id).update(name="Devices", slug="devices")
    board.refresh_from_db()
    after = {url: ids(parse(client, url)) for url in feed_urls(board)}
    # The category's feed moved with its slug: compare it by position.
    assert list(before.values()) == list(after.values())
    titles = [e.title for e in parse(client, reverse("feed-ideas")).entries]
    assert "Dark theme everywhere" in titles


def test_ids_and_links_ignore_the_host_header(client, board):
    for url in feed_urls(board):
        here = parse(client, url)
        there = parse(client, url, HTTP_HOST="other.example.net")
        assert ids(here) == ids(there), url
        assert [e.link for e in here.entries] == [e.link for e in there.entries], url
        assert "other.example.net" not in str(there.feed) + str(there.entries), url
