import csv
import datetime as dt
import io
import json
import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ideas.models import Idea, Status, Tag
from pm import export
from storms.models import StormSession
from tests.factories import CategoryFactory, IdeaFactory
from votes.services import vote_cast

CSV_URL, JSON_URL = "/pm/export.csv", "/pm/export.json"


def body(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response))))


@pytest.fixture
def board(category, segment_voters, pat):
    now = timezone.now()
    session = StormSession.objects.create(
        title="Linux week",
        slug="linux-week",
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=6),
        created_at=now,
    )
    ubuntu = IdeaFactory(category=category, title="Ubuntu preinstalled", session=session)
    ubuntu.tags.add(
        Tag.objects.create(name="linux", slug="linux"),
        Tag.objects.create(name="os", slug="os"),
    )
    for voters in segment_voters.values():
        for voter in voters:
            vote_cast(voter=voter, idea=ubuntu, value=1)
    vote_cast(voter=segment_voters["enterprise"][0], idea=ubuntu, value=1)
    other = IdeaFactory(
        category=CategoryFactory(name="Servers and storage", slug="servers"),
        title="Quieter fans",
        status=Status.PLANNED,
    )
    vote_cast(voter=segment_voters["consumer"][0], idea=other, value=-1)
    IdeaFactory(category=category, title="Hidden", hidden_at=now)
    return {"ubuntu": ubuntu, "other": other, "session": session}


def test_csv_has_a_row_per_visible_idea_best_first(pat_client, board):
    response = pat_client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="ideastorm-ideas-')
    assert response["Content-Disposition"].endswith('.csv"')
    rows = csv_rows(response)
    assert [r["title"] for r in rows] == ["Ubuntu preinstalled", "Quieter fans"]
    ubuntu = rows[0]
    idea = board["ubuntu"]
    assert ubuntu == {
        "id": str(idea.pk),
        "title": "Ubuntu preinstalled",
        "url": f"http://testserver/ideas/{idea.pk}/",
        "category": "Notebooks",
        "tags": "linux, os",
        "status": "new",
        "created_at": idea.created_at.isoformat(),
        "score": "5",
        "promotes": "5",
        "demotes": "0",
        "promotes_consumer": "2",
        "promotes_small_business": "1",
        "promotes_enterprise": "1",
        "promotes_unknown": "1",
        "demotes_consumer": "0",
        "demotes_small_business": "0",
        "demotes_enterprise": "0",
        "demotes_unknown": "0",
        "responded_at": "",
        "session": "Linux week",
    }
    assert rows[1]["demotes_consumer"] == "1" and rows[1]["session"] == ""


def test_json_streams_an_array_of_ideas(pat_client, board, pat):
    from actions.ideas import idea_status_set

    idea_status_set(idea=board["other"], actor=pat, status="planned", response="Next model.")
    response = pat_client.get(JSON_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].endswith('.json"')
    ideas = json.loads(body(response))
    assert [i["title"] for i in ideas] == ["Ubuntu preinstalled", "Quieter fans"]
    assert ideas[0]["tags"] == ["linux", "os"]
    assert ideas[0]["votes_by_segment"] == {
        "consumer": {"promotes": 2, "demotes": 0},
        "small-business": {"promotes": 1, "demotes": 0},
        "enterprise": {"promotes": 1, "demotes": 0},
        "unknown": {"promotes": 1, "demotes": 0},
    }
    assert ideas[0]["session"] == "Linux week"
    assert ideas[1]["responded_at"] is not None and ideas[1]["category"] == "Servers and storage"


def test_an_empty_export_is_valid(pat_client, db):
    assert json.loads(body(pat_client.get(JSON_URL))) == []
    assert body(pat_client.get(CSV_URL)).splitlines() == [",".join(export.CSV_COLUMNS)]


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL])
def test_exports_take_the_dashboards_filters(pat_client, board, url):
    query = {"category": "servers", "status": "planned"}
    response = pat_client.get(url, query)
    titles = (
        [r["title"] for r in csv_rows(response)]
        if url == CSV_URL
        else [i["title"] for i in json.loads(body(response))]
    )
    assert titles == ["Quieter fans"]
    assert [r["title"] for r in csv_rows(pat_client.get(CSV_URL, {"tag": "linux"}))] == [
        "Ubuntu preinstalled"
    ]
    assert csv_rows(pat_client.get(CSV_URL, {"session": "linux-week"}))[0]["tags"] == "linux, os"


def test_bad_filters_are_a_400_with_the_reason_and_nothing_streamed(pat_client, board):
    response = pat_client.get(CSV_URL, {"status": "lost", "created_from": "yesterday"})
    assert response.status_code == 400
    assert not response.streaming
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "Status: Select a valid choice. lost is not one of the available choices." in text
    assert "Created from: Enter a valid date." in text
    response = pat_client.get(JSON_URL, {"tag": "nope"})
    assert response.status_code == 400 and not response.streaming
    errors = response.json()["errors"]
    assert list(errors) == ["tag"] and errors["tag"][0]["code"] == "invalid_choice"


def test_csv_cells_cannot_run_as_formulas(pat_client, category):
    IdeaFactory(category=category, title='=HYPERLINK("http://evil")')
    assert csv_rows(pat_client.get(CSV_URL))[0]["title"] == '\'=HYPERLINK("http://evil")'


def bulk_ideas(n: int, category, tag) -> None:
    now = timezone.now()
    ideas = Idea.objects.bulk_create(
        Idea(
            title=f"Bulk idea number {i} with a title of a usual length",
            description="x",
            category=category,
            created_at=now,
        )
        for i in range(n)
    )
    Idea.tags.through.objects.bulk_create(
        Idea.tags.through(idea_id=idea.pk, tag_id=tag.pk) for idea in ideas[::3]
    )


def test_queries_are_per_chunk_not_per_idea(pat_client, category, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_SIZE", 10)
    bulk_ideas(45, category, Tag.objects.create(name="bulk", slug="bulk"))
    with CaptureQueriesContext(connection) as queries:
        rows = csv_rows(pat_client.get(CSV_URL))
    assert len(rows) == 45
    # 5 chunks: the ideas' cursor once, then tags and votes per chunk; plus the request's own.
    export_queries = [
        q for q in queries if "ideas_idea_tags" in q["sql"] or "votes_vote" in q["sql"]
    ]
    assert len(export_queries) == 10
    assert len(queries) <= 10 + 8


def peak_while_exporting(client) -> tuple[int, int]:
    """(peak traced memory, bytes streamed) while the CSV is consumed and thrown away."""
    response = client.get(CSV_URL)
    streamed = 0
    tracemalloc.start()
    try:
        for piece in response.streaming_content:
            streamed += len(piece)
        return tracemalloc.get_traced_memory()[1], streamed
    finally:
        tracemalloc.stop()


def test_export_memory_stays_flat_as_the_list_grows(pat_client, category, monkeypatch):
    """Four times the ideas must not take anywhere near four times the memory: each chunk is
    written out and dropped before the next is read."""
    monkeypatch.setattr(export, "CHUNK_SIZE", 250)
    tag = Tag.objects.create(name="bulk", slug="bulk")
    bulk_ideas(1000, category, tag)
    small_peak, small_size = peak_while_exporting(pat_client)
    bulk_ideas(3000, category, tag)
    large_peak, large_size = peak_while_exporting(pat_client)
    assert large_size > 3.9 * small_size
    # Held whole, the list would take about four times the memory.
    assert large_peak < 1.5 * small_peak, (small_peak, large_peak)
