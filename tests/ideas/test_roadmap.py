"""The public roadmap: /roadmap/, its Atom feed and GET /api/roadmap/."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.ideas import idea_status_set
from ideas.models import Idea, StatusChange
from tests.factories import CategoryFactory, IdeaFactory
from votes.services import vote_cast
from web.ideas.roadmap import COLUMN_SIZE, RECENTLY_IMPLEMENTED

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
COLUMNS = ["planned", "in-progress", "implemented"]


def moved(idea: Idea, status: str, *, ago: dt.timedelta = dt.timedelta(0)) -> Idea:
    """The idea moved to `status` `ago` (a StatusChange, as the product team's page records)."""
    StatusChange.objects.create(
        idea=idea,
        old_status=idea.status,
        new_status=status,
        created_at=timezone.now() - ago,
    )
    Idea.objects.filter(pk=idea.pk).update(status=status)
    idea.status = status
    return idea


def on_roadmap(status: str, popular_key: float = 0.0, **fields) -> Idea:
    idea = IdeaFactory(popular_key=popular_key, **fields)
    return moved(idea, status, ago=dt.timedelta(days=1))


def column_titles(html: str) -> dict[str, list[str]]:
    """Each column's card titles, in order, read from the page."""
    titles = {}
    for status in COLUMNS:
        start = html.index(f'aria-labelledby="roadmap-{status}-heading"')
        section = html[start : html.index("</section>", start)]
        titles[status] = re.findall(r'class="idea-title"[^>]*><a href="[^"]+">([^<]+)</a>', section)
    return titles


def column_counts(html: str) -> dict[str, int]:
    return {
        status: int(
            re.search(
                rf'id="roadmap-{status}-heading"[^>]*>[^<]*<span class="roadmap-count">(\d+)', html
            ).group(1)
        )
        for status in COLUMNS
    }


def page(client, query: str = "") -> str:
    response = client.get(reverse("roadmap") + query)
    assert response.status_code == 200
    return response.content.decode()


def test_columns_hold_planned_in_progress_and_recently_implemented_ranked_by_popular(client):
    on_roadmap("planned", 1.0, title="Planned second")
    on_roadmap("planned", 5.0, title="Planned first")
    on_roadmap("in-progress", 2.0, title="Building it")
    on_roadmap("implemented", 3.0, title="Shipped")
    IdeaFactory(title="Just new", popular_key=9.0)
    on_roadmap("under-review", 9.0, title="Being looked at")
    on_roadmap("declined", 9.0, title="Not doing it")

    html = page(client)
    assert column_titles(html) == {
        "planned": ["Planned first", "Planned second"],
        "in-progress": ["Building it"],
        "implemented": ["Shipped"],
    }
    assert column_counts(html) == {"planned": 2, "in-progress": 1, "implemented": 1}
    for title in ("Just new", "Being looked at", "Not doing it"):
        assert title not in html


def test_ideas_nobody_may_see_are_not_on_the_roadmap(client, alice):
    now = timezone.now()
    on_roadmap("planned", title="Shown")
    on_roadmap("planned", title="Hidden by a moderator", hidden_at=now)
    on_roadmap("planned", title="Held for review", held_at=now)
    on_roadmap("in-progress", title="Withdrawn by its author", withdrawn_at=now)
    kept = IdeaFactory(title="Kept")
    on_roadmap("implemented", title="Merged away", merged_into=kept)

    for viewer in ("visitor", "member"):
        if viewer == "member":
            client.force_login(alice)
        html = page(client)
        assert column_titles(html)["planned"] == ["Shown"]
        assert column_counts(html) == {"planned": 1, "in-progress": 0, "implemented": 0}
        assert "Hidden" not in html and "Held" not in html
        assert "Withdrawn" not in html and "Merged away" not in html


def test_an_idea_implemented_long_ago_leaves_the_roadmap(client):
    recent = IdeaFactory(title="Shipped last week")
    moved(recent, "implemented", ago=dt.timedelta(days=7))
    old = IdeaFactory(title="Shipped long ago")
    moved(old, "implemented", ago=RECENTLY_IMPLEMENTED + dt.timedelta(days=1))
    # No recorded change (seeded in bulk): no date, so not recent.
    IdeaFactory(title="Shipped who knows when", status="implemented")
    # Implemented long ago, reopened, then implemented again this week: recent.
    again = IdeaFactory(title="Shipped again")
    moved(again, "implemented", ago=dt.timedelta(days=200))
    moved(again, "in-progress", ago=dt.timedelta(days=30))
    moved(again, "implemented", ago=dt.timedelta(days=2))
    # Moved on from implemented recently (reopened): in its new column only.
    reopened = IdeaFactory(title="Reopened")
    moved(reopened, "implemented", ago=dt.timedelta(days=5))
    moved(reopened, "planned", ago=dt.timedelta(days=1))

    titles = column_titles(page(client))
    assert sorted(titles["implemented"]) == ["Shipped again", "Shipped last week"]
    assert titles["planned"] == ["Reopened"]


def test_the_category_filter_applies_to_the_cards_and_the_counts(client):
    books, games = CategoryFactory(name="Books", slug="books"), CategoryFactory(slug="games")
    on_roadmap("planned", title="A book idea", category=books)
    on_roadmap("planned", title="A game idea", category=games)
    on_roadmap("implemented", title="A shipped game", category=games)

    html = page(client, "?category=books")
    assert column_titles(html) == {"planned": ["A book idea"], "in-progress": [], "implemented": []}
    assert column_counts(html) == {"planned": 1, "in-progress": 0, "implemented": 0}
    assert '<option value="books" selected>' in html
    assert "Nothing implemented in this category yet." in html
    assert column_counts(page(client)) == {"planned": 2, "in-progress": 0, "implemented": 1}


def test_an_unknown_category_is_a_404_page_that_says_so(client):
    on_roadmap("planned", title="A planned idea")
    response = client.get(reverse("roadmap") + "?category=no-such-thing")
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is no category “no-such-thing”" in html
    assert "A planned idea" not in html
    # Any value is answered, never a 500.
    for value in ("%00", "a" * 500, "<script>", "x&category=y"):
        assert client.get(reverse("roadmap"), {"category": value}).status_code == 404


def test_a_long_column_shows_its_first_ideas_and_links_to_the_rest(client):
    books = CategoryFactory(slug="books")
    for n in range(COLUMN_SIZE + 3):
        on_roadmap("planned", float(n), title=f"Planned {n}", category=books)

    html = page(client, "?category=books")
    titles = column_titles(html)["planned"]
    assert len(titles) == COLUMN_SIZE
    assert titles[0] == f"Planned {COLUMN_SIZE + 2}"
    assert column_counts(html)["planned"] == COLUMN_SIZE + 3
    assert 'href="/ideas/?status=planned&amp;category=books"' in html
    assert "3 more in the idea list" in html


def test_the_page_reads_in_a_fixed_number_of_queries(client, alice, django_assert_max_num_queries):
    for status in COLUMNS:
        for _ in range(COLUMN_SIZE + 2):
            on_roadmap(status)
    with django_assert_max_num_queries(6):  # categories, counts, one per column, the site's
        html = page(client)
    assert html.count('class="roadmap-card"') == 3 * COLUMN_SIZE
    client.force_login(alice)
    with django_assert_max_num_queries(9):  # and the member's session, user and bell
        page(client)


def test_the_page_is_accessible_and_shows_each_idea_with_its_vote(client, alice):
    idea = on_roadmap("planned", title="Offline notebooks")
    vote_cast(voter=alice, idea=idea, value=1)
    html = page(client)
    assert len(re.findall(r"<h1[ >]", html)) == 1
    headings = re.findall(r"<h([1-3])", html)
    assert headings[:4] == ["1", "2", "3", "2"]  # h1, then each column's h2 over its cards
    for status in COLUMNS:
        assert f'<section class="roadmap-column roadmap-column-{status}" aria-labelledby' in html
        assert f'id="roadmap-{status}-heading"' in html
    assert 'style="' not in html
    assert '<link rel="alternate" type="application/atom+xml" title="Roadmap"' in html
    assert 'href="/feeds/roadmap/"' in html
    # Every idea in a list has its vote buttons and score (CONTRACT.md).
    assert 'data-testid="idea-score"' in html and ">Promote<" in html
    client.force_login(alice)
    html = page(client)
    assert f'id="vote-{idea.pk}-promote"' in html and 'aria-pressed="true"' in html


def test_the_header_links_to_the_roadmap_on_every_page(client):
    home = client.get(reverse("home")).content.decode()
    assert '<a href="/roadmap/">Roadmap</a>' in home
    roadmap_page = page(client)
    assert '<a href="/roadmap/" aria-current="page">Roadmap</a>' in roadmap_page
    assert '<a href="/roadmap/">Roadmap</a>' not in roadmap_page


def test_htmx_gets_the_board_alone(client):
    on_roadmap("planned", title="A planned idea")
    response = client.get(reverse("roadmap"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith("<title>Roadmap · IdeaStorm</title>")
    assert 'id="roadmap-board"' in html and "A planned idea" in html
    assert "<h1" not in html and "site-header" not in html


def test_the_wrong_method_is_refused(client):
    assert client.post(reverse("roadmap")).status_code == 405


def test_visitors_get_the_cached_page_until_a_status_changes(
    client, settings, pat, django_assert_num_queries, django_capture_on_commit_callbacks
):
    settings.IDEAS_PAGE_CACHE = True
    idea = IdeaFactory(title="Soon on the roadmap")
    first = page(client)
    assert "Soon on the roadmap" not in first
    with django_assert_num_queries(0):
        assert page(client) == first
    with django_capture_on_commit_callbacks(execute=True):
        idea_status_set(idea=idea, actor=pat, status="planned")
    assert column_titles(page(client))["planned"] == ["Soon on the roadmap"]


# ---- the feed ---------------------------------------------------------------------------


def test_the_feed_lists_the_roadmap_latest_moves_first(client):
    planned = IdeaFactory(title="Planned a week ago")
    moved(planned, "planned", ago=dt.timedelta(days=7))
    shipped = IdeaFactory(title="Shipped yesterday")
    moved(shipped, "implemented", ago=dt.timedelta(days=1))
    IdeaFactory(title="Not on the roadmap")
    IdeaFactory(title="Hidden", status="planned", hidden_at=timezone.now())

    response = client.get(reverse("feed-roadmap"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.find(f"{ATOM}title").text == "IdeaStorm: roadmap"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "Implemented: Shipped yesterday",
        "Planned: Planned a week ago",
    ]
    terms = [c.get("term") for c in entries[0].findall(f"{ATOM}category")]
    assert terms == ["Implemented", shipped.category.name]
    updated = dt.datetime.fromisoformat(entries[1].find(f"{ATOM}updated").text)
    change = StatusChange.objects.get(idea=planned)
    assert abs(updated - change.created_at) < dt.timedelta(seconds=1)


def test_a_move_to_another_column_is_a_new_feed_entry(client):
    idea = IdeaFactory(title="Moving along")
    moved(idea, "planned", ago=dt.timedelta(days=3))
    before = ET.fromstring(client.get(reverse("feed-roadmap")).content)
    moved(idea, "in-progress")
    after = ET.fromstring(client.get(reverse("feed-roadmap")).content)
    (old_id,) = [e.find(f"{ATOM}id").text for e in before.findall(f"{ATOM}entry")]
    (new_id,) = [e.find(f"{ATOM}id").text for e in after.findall(f"{ATOM}entry")]
    assert old_id != new_id and new_id.endswith(f"idea/{idea.pk}/roadmap/in-progress")


# ---- the API ----------------------------------------------------------------------------


def test_the_api_gives_the_columns_with_counts_and_ideas(client, alice):
    books = CategoryFactory(slug="books")
    idea = on_roadmap("planned", 2.0, title="Planned book idea", category=books)
    on_roadmap("planned", 1.0, title="Planned other idea")
    on_roadmap("implemented", title="Shipped")
    vote_cast(voter=alice, idea=idea, value=1)

    response = client.get(reverse("api-roadmap"))
    assert response.status_code == 200
    columns = response.json()["columns"]
    assert [(c["status"], c["label"], c["count"]) for c in columns] == [
        ("planned", "Planned", 2),
        ("in-progress", "In progress", 0),
        ("implemented", "Implemented", 1),
    ]
    first = columns[0]["ideas"][0]
    assert first["title"] == "Planned book idea"
    assert first["my_vote"] is None
    assert {"id", "category", "status", "score", "tags", "url", "author"} <= set(first)

    client.force_login(alice)
    columns = client.get(reverse("api-roadmap"), {"category": "books"}).json()["columns"]
    assert [c["count"] for c in columns] == [1, 0, 0]
    assert [i["title"] for i in columns[0]["ideas"]] == ["Planned book idea"]
    assert columns[0]["ideas"][0]["my_vote"] == 1


def test_the_api_refuses_an_unknown_category(client):
    response = client.get(reverse("api-roadmap"), {"category": "nope"})
    assert response.status_code == 400
    assert "category" in response.json()["errors"]


def test_the_api_reads_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for status in COLUMNS:
        for _ in range(COLUMN_SIZE + 2):
            on_roadmap(status)
    # Counts, each column's ideas and their tags, and the site's settings.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("api-roadmap"))
    assert [len(c["ideas"]) for c in response.json()["columns"]] == [COLUMN_SIZE] * 3


def test_the_api_is_listed_in_the_index_and_typed_in_the_schema(client):
    assert client.get(reverse("api-root")).json()["roadmap"].endswith("/api/roadmap/")
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/roadmap/"]["get"]
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/RoadmapOutput"}
    assert "RoadmapColumn" in schema["components"]["schemas"]
    assert [p["name"] for p in operation["parameters"]] == ["category"]
    assert client.post(reverse("api-roadmap")).status_code in (403, 405)
