import pytest
from django.db import connection
from django.urls import reverse

from ideas.models import Idea
from ideas.search import highlight, similar
from tests.factories import IdeaFactory


@pytest.mark.parametrize(
    "q",
    [
        '"battery life',
        "battery OR -keyboard",
        "a & b | !c",
        "<script>",
        "((",
        "'; DROP",
        "::*",
        "—",
    ],
)
def test_search_with_quotes_operators_or_symbols_never_errors(client, db, q):
    IdeaFactory(title="Longer battery life")
    response = client.get(reverse("idea-list"), {"q": q})
    assert response.status_code == 200
    api = client.get(reverse("api-idea-list"), {"q": q})
    assert api.status_code == 200


def test_search_finds_word_forms_and_highlights_them_on_postgres(client, postgres):
    IdeaFactory(title="Batteries that last all day", description="My laptop dies by noon.")
    IdeaFactory(title="Brighter screen", description="Outdoors it is unreadable.")
    response = client.get(reverse("idea-list"), {"q": "battery"})
    assert [i.title for i in response.context["ideas"]] == ["Batteries that last all day"]
    assert "<mark>Batteries</mark>" in response.content.decode()


def test_highlighted_text_is_escaped(client, db):
    IdeaFactory(title="<b>Bold</b> battery", description="<img src=x onerror=alert(1)> battery")
    body = client.get(reverse("idea-list"), {"q": "battery"}).content.decode()
    assert "<b>Bold</b>" not in body
    assert "<img src=x" not in body
    assert "&lt;b&gt;Bold&lt;/b&gt;" in body
    assert "<mark>battery</mark>" in body


def test_highlight_turns_only_its_own_markers_into_mark():
    assert highlight("a \x02<i>b</i>\x03 c") == "a <mark>&lt;i&gt;b&lt;/i&gt;</mark> c"


def test_similar_ideas_match_a_near_duplicate_title(db):
    wanted = IdeaFactory(title="Longer battery life on XPS laptops")
    IdeaFactory(title="A brighter screen for tablets")
    found = similar(Idea.objects.all(), "battery life of the laptop")
    assert found and found[0] == wanted


def test_similar_ideas_are_at_most_five_and_skip_withdrawn(db):
    from django.utils import timezone

    ideas = [IdeaFactory(title=f"Keyboard backlight option {n}") for n in range(7)]
    Idea.objects.filter(pk=ideas[0].pk).update(withdrawn_at=timezone.now())
    found = similar(Idea.objects.visible(), "keyboard backlight")
    assert len(found) == 5
    assert ideas[0] not in found


def test_similar_endpoint_renders_candidates_with_promote_buttons(alice_client):
    idea = IdeaFactory(title="Dock that charges the laptop over USB-C")
    response = alice_client.get(reverse("idea-similar"), {"title": "usb-c dock charging"})
    body = response.content.decode()
    assert response.status_code == 200
    assert idea.title in body
    assert 'aria-pressed="false"' in body and "Promote" in body


def test_similar_endpoint_with_a_short_or_missing_title_is_empty(client, db):
    IdeaFactory(title="Anything")
    for params in ({}, {"title": "a"}):
        response = client.get(reverse("idea-similar"), params)
        assert response.status_code == 200
        assert "similar-list" not in response.content.decode()


def test_similar_ideas_on_an_idea_page_are_remembered_but_read_fresh(db, django_assert_num_queries):
    from django.utils import timezone

    from ideas.search import similar_to

    idea = IdeaFactory(title="Quieter laptop fans")
    twin = IdeaFactory(title="Quieter fans in laptops")
    others = Idea.objects.visible().exclude(pk=idea.pk)
    assert similar_to(idea, others) == [twin]
    with django_assert_num_queries(1):  # the ideas only: the lookup is remembered
        assert similar_to(idea, others) == [twin]
    Idea.objects.filter(pk=twin.pk).update(hidden_at=timezone.now())
    assert similar_to(idea, Idea.objects.visible().exclude(pk=idea.pk)) == []


@pytest.fixture
def on_sqlite(db):
    """The embedded default: no DATABASE_URL. Tests marked sqlite run only there (conftest)."""
    assert connection.vendor == "sqlite"


@pytest.mark.sqlite
def test_similar_ideas_on_sqlite_share_most_words_not_one(on_sqlite):
    orders = IdeaFactory(title="Show the ship date on orders")
    office = IdeaFactory(title="Ship OpenOffice with the installer")
    delivery = IdeaFactory(title="Display estimated delivery date")
    found = similar(Idea.objects.visible(), "Show the ship date")
    # "show", "ship", "date": the first has all three; the others one each, a coincidence.
    assert found == [orders]
    assert office not in found and delivery not in found
    # Typed the other way round, the installer idea is the one that shares most words.
    assert similar(Idea.objects.visible(), "Ship OpenOffice on a disc") == [office]


@pytest.mark.sqlite
def test_similar_ideas_on_sqlite_rank_by_bm25_title_first(on_sqlite):
    in_description = IdeaFactory(title="Order page", description="Show the ship date there.")
    in_title = IdeaFactory(title="Ship date shown on each order", description="Please.")
    found = similar(Idea.objects.visible(), "ship date shown")
    assert found[:2] == [in_title, in_description]
    # Word forms match (porter stemming): "shipping dates" finds "ship date".
    assert in_title in similar(Idea.objects.visible(), "shipping dates")


@pytest.mark.sqlite
def test_similar_ideas_on_sqlite_follow_edits_and_skip_hidden(on_sqlite, alice):
    from django.utils import timezone

    from ideas.search import search_documents_refresh

    idea = IdeaFactory(title="Faster laptop chargers")
    Idea.objects.filter(pk=idea.pk).update(title="Quieter laptop fans")
    search_documents_refresh([idea.pk])
    assert similar(Idea.objects.visible(), "quieter laptop fans") == [idea]
    assert similar(Idea.objects.visible(), "faster laptop chargers") == []
    Idea.objects.filter(pk=idea.pk).update(hidden_at=timezone.now())
    assert similar(Idea.objects.visible(), "quieter laptop fans") == []


@pytest.mark.sqlite
@pytest.mark.parametrize(
    "title",
    ['ship" OR date', "NEAR(ship date)", "ship* AND -date", "title: ship date", "“ship” ^date"],
)
def test_similar_ideas_on_sqlite_read_fts5_syntax_as_words(on_sqlite, title):
    wanted = IdeaFactory(title="Ship date on orders")
    assert similar(Idea.objects.visible(), title) == [wanted]
