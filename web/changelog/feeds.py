"""The changelog's Atom feed: published entries, newest first, each with what it ships.
Its ids were permanent from the start (URLs by number, from IDEASTORM_SITE_URL) and stay as
they are, so readers don't see every entry again; links are built from IDEASTORM_SITE_URL
too, never from the request's Host (core.feeds)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.views.decorators.http import require_safe

from board.selectors import board_settings
from changelog.models import Entry
from core.feeds import SiteFeed, site_url
from web.changelog.views import with_ideas

FEED_SIZE = 30


class ChangelogFeed(SiteFeed):
    def title(self) -> str:
        return f"{board_settings().name}: changelog"

    def subtitle(self) -> str:
        return "What shipped, and the ideas it delivers."

    def link(self) -> str:
        return site_url(reverse("changelog"))

    def feed_url(self) -> str:
        return site_url(reverse("feed-changelog"))

    def feed_guid(self) -> str:
        return site_url(reverse("feed-changelog"))

    def author_name(self) -> str:
        return board_settings().name

    def items(self):
        return with_ideas(Entry.objects.published().newest_first())[:FEED_SIZE]

    def item_title(self, entry: Entry) -> str:
        return entry.title

    def item_description(self, entry: Entry) -> str:
        return render_to_string("changelog/feed_item.html", {"entry": entry})

    def item_guid(self, entry: Entry) -> str:
        # By id, not by title: an entry renamed later is the same entry to feed readers.
        return f"{settings.IDEASTORM_SITE_URL}/changelog/{entry.pk}/"

    def item_pubdate(self, entry: Entry):
        return entry.published_at

    def item_updateddate(self, entry: Entry):
        return max(entry.updated_at, entry.published_at)


feed_urlpatterns = [
    path("feeds/changelog/", require_safe(ChangelogFeed()), name="feed-changelog"),
]
