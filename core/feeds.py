"""Atom for every feed of the site: without the characters XML 1.0 can't carry
(core.text.printable). The inputs refuse them, but a row stored before that, or through the
admin, may hold one, and a single one would make a feed a 500.

Ids and links come from settings.IDEASTORM_SITE_URL, never from the request's Host header:
a feed reader keys what it has shown by the ids, so they must not change with the name the
site was reached by, nor when an idea or a category is renamed. Ids are `tag:` URIs (RFC
4151) made of the site's host and the row's number (tag_uri); links carry the slug."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from core.text import printable

# The date part of every tag: URI. Fixed: changing it would change every id.
TAG_DATE = "2024"


def _printable(value):
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list | tuple):
        return type(value)(_printable(item) for item in value)
    return value


class PrintableAtom1Feed(Atom1Feed):
    """Atom without control characters (but newline, carriage return and tab), surrogates,
    U+FFFE and U+FFFF: every string of the feed and of its entries (titles, summaries, names,
    categories) is cleaned on its way in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*_printable(args), **{k: _printable(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*_printable(args), **{k: _printable(v) for k, v in kwargs.items()})


def site_url(path: str) -> str:
    """The absolute URL of a path on this site, as IDEASTORM_SITE_URL names it."""
    return settings.IDEASTORM_SITE_URL + path


def tag_uri(specific: str) -> str:
    """A permanent Atom id: `tag:<host of IDEASTORM_SITE_URL>,2024:<specific>`, e.g.
    `tag:ideas.example.com,2024:idea/42`."""
    host = urlsplit(settings.IDEASTORM_SITE_URL).hostname or "localhost"
    return f"tag:{host},{TAG_DATE}:{specific}"


class SiteFeed(Feed):
    """A feed of this site: Atom without unprintable characters, entry links absolute from
    IDEASTORM_SITE_URL (Django would otherwise prefix the request's Host). Subclasses give
    `feed_guid` and `item_guid` (tag_uri) and absolute `link` and `feed_url` (site_url), and
    an `item_updateddate` for every entry."""

    feed_type = PrintableAtom1Feed

    def item_link(self, item) -> str:
        return site_url(item.get_absolute_url())

    def item_guid_is_permalink(self, item) -> bool:
        return False
