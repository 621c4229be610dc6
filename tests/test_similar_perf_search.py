"""ideas.search.SEARCH: the search parameter a results page may be kept under
(core.pagecache.Param): a few words, kept once asked for again."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from core import pagecache
from ideas import search

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings, redis_url):
    settings.IDEAS_PAGE_CACHE = True


def test_a_few_words_are_keepable_and_long_text_is_not():
    assert search.SEARCH.accepts("battery")
    assert search.SEARCH.accepts("quieter fan profile")
    assert not search.SEARCH.accepts("x" * (search.SEARCH_MAX_LENGTH + 1))
    assert not search.SEARCH.accepts("a b c d e f g")
    assert not search.SEARCH.accepts("   ")


def test_a_search_is_kept_once_asked_for_again():
    asked = [search.SEARCH.known("battery") for _ in range(search.SEARCH_KEEP_AFTER)]
    assert asked == [False] * (search.SEARCH_KEEP_AFTER - 1) + [True]
    assert not search.SEARCH.known("keyboard")


def test_a_visitor_s_results_page_is_kept_after_a_few_asks():
    rendered = []

    def view(request):
        rendered.append(request.GET["q"])
        return HttpResponse(f"results for {request.GET['q']}")

    kept = pagecache.cache_for_visitors(view, query={"q": search.SEARCH})
    factory = RequestFactory()

    def ask(q):
        request = factory.get("/ideas/", {"q": q})
        request.user = type("Visitor", (), {"is_authenticated": False})()
        request.htmx = False
        return kept(request).content.decode()

    for _ in range(search.SEARCH_KEEP_AFTER + 2):
        assert ask("fan") == "results for fan"
    # Rendered until asked SEARCH_KEEP_AFTER times, then served from the cache.
    assert rendered == ["fan"] * search.SEARCH_KEEP_AFTER
    long = "fan " * 10
    for _ in range(search.SEARCH_KEEP_AFTER + 2):
        ask(long)
    assert rendered.count(long) == search.SEARCH_KEEP_AFTER + 2
