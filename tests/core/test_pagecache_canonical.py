"""The page cache keeps only canonical URLs (core.pagecache): a visitor varying the query
string gets a fresh page (still 200), never a new key; equivalent URLs share one key; the key
includes the host, so two sites sharing a Redis database never serve each other's pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ideas.models import Tag
from tests.factories import CategoryFactory, IdeaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings):
    settings.IDEAS_PAGE_CACHE = True
    settings.ALLOWED_HOSTS = ["testserver", "one.example", "two.example"]
    IdeaFactory.create_batch(2)


def get(client, url: str, **extra) -> int:
    """GET the URL as a visitor (200 expected); the number of database queries it took."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **extra).status_code == 200
    return len(queries)


def served_from_cache(client, url: str, **extra) -> bool:
    """Request the URL twice: whether the second answer came from the cache (no query)."""
    get(client, url, **extra)
    return get(client, url, **extra) == 0


@pytest.mark.parametrize(
    "query",
    [
        "?junk=1",
        "?utm_source=mail",
        "?sort=top&sort=new",  # given twice
        "?sort=TOP",  # not one of the sorts
        "?status=nope",
        "?page=0",
        "?page=01",
        "?page=999",  # past the pages worth keeping
        "?category=" + "x" * 61,  # longer than a slug can be
        "?category=no-such-category",  # a slug, but no category's
        "?tag=no-such-tag",
        "?q=battery",  # free text: a key per string
        "?show=everything",
    ],
)
def test_a_request_off_the_canonical_shape_is_served_fresh_and_not_stored(
    client, page_cache, query
):
    assert not served_from_cache(client, reverse("idea-list") + query)


def test_the_home_page_takes_no_query_parameter(client, page_cache):
    assert served_from_cache(client, reverse("home"))
    assert not served_from_cache(client, reverse("home") + "?x=1")


def test_known_parameters_with_allowed_values_are_cached(client, page_cache):
    CategoryFactory(slug="docks")
    Tag.objects.create(name="USB-C", slug="usb-c")
    url = reverse("idea-list") + "?sort=top&category=docks&status=planned&tag=usb-c&page=2"
    assert served_from_cache(client, url)


def test_equivalent_urls_share_one_key(client, page_cache):
    get(client, reverse("idea-list") + "?status=planned&sort=top")
    assert get(client, reverse("idea-list") + "?sort=top&status=planned") == 0
    get(client, reverse("idea-list"))
    # Defaults and empty values are no parameter.
    assert get(client, reverse("idea-list") + "?sort=popular&page=1&q=&category=") == 0


def test_two_hosts_never_serve_each_others_pages(client, page_cache):
    assert served_from_cache(client, reverse("idea-list"), HTTP_HOST="one.example")
    assert get(client, reverse("idea-list"), HTTP_HOST="two.example") > 0
    assert get(client, reverse("idea-list"), HTTP_HOST="two.example") == 0


def test_junk_query_strings_leave_no_page_in_redis(client, page_cache, redis_url, settings):
    import redis

    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    for n in range(20):
        get(client, reverse("idea-list") + f"?junk={n}")
        get(client, reverse("idea-list") + f"?q=junk{n}")
        get(client, reverse("idea-list") + f"?category=junk-{n}")
        get(client, reverse("idea-list") + f"?page=1&page={n}")
    get(client, reverse("idea-list"))
    pages = list(redis.Redis.from_url(redis_url).scan_iter(f"{prefix}:*:page:*"))
    assert len(pages) == 1, pages
