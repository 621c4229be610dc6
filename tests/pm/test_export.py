import csv
import datetime as dt
import io
import json
import re
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
SEGMENTS_CSV_URL, SEGMENTS_API_URL = "/pm/export-segments.csv", "/api/ideas/export/segments/"
UTC_SECONDS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def raw(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def body(response) -> str:
    """The text as a spreadsheet or Python's csv module reads it: the byte order mark dropped."""
    return raw(response).decode("utf-8-sig")


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response))))


def iso_utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
        "created_at": iso_utc(idea.created_at),
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


# Made for other people's tools as they are: encodings, times, a typed schema.

TRICKY = "Café “quotes” 🚀"


@pytest.mark.parametrize("url", [CSV_URL, SEGMENTS_CSV_URL])
def test_csv_starts_with_a_utf8_bom_so_spreadsheets_read_it_as_utf8(pat_client, category, url):
    IdeaFactory(category=category, title=TRICKY)
    data = raw(pat_client.get(url))
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf" * 2)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["title"] == TRICKY
    assert next(iter(rows[0])) in ("id", "idea")  # no BOM left stuck to the first column's name


def test_an_empty_csv_is_the_bom_and_the_header(pat_client, db):
    assert raw(pat_client.get(CSV_URL)).decode() == "\ufeff" + ",".join(export.CSV_COLUMNS) + "\r\n"


def test_json_keeps_unicode_as_it_is(pat_client, category):
    IdeaFactory(category=category, title=TRICKY)
    data = raw(pat_client.get(JSON_URL))
    assert not data.startswith(b"\xef\xbb\xbf")
    assert TRICKY.encode() in data
    assert json.loads(data)[0]["title"] == TRICKY


def test_times_are_utc_to_the_second_in_csv_and_json(pat_client, board, pat, settings):
    from actions.ideas import idea_status_set

    settings.TIME_ZONE = "Europe/Berlin"
    Idea.objects.filter(pk=board["ubuntu"].pk).update(
        created_at=dt.datetime(2024, 5, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
    )
    idea_status_set(idea=board["other"], actor=pat, status="planned", response="Next model.")
    rows = {r["title"]: r for r in csv_rows(pat_client.get(CSV_URL))}
    ideas = {i["title"]: i for i in json.loads(body(pat_client.get(JSON_URL)))}
    for record in (rows, ideas):
        assert record["Ubuntu preinstalled"]["created_at"] == "2024-05-01T09:30:15Z"
        assert UTC_SECONDS.fullmatch(record["Quieter fans"]["created_at"])
        assert UTC_SECONDS.fullmatch(record["Quieter fans"]["responded_at"])
    assert ideas["Ubuntu preinstalled"]["responded_at"] is None


def _response_schema(schema: dict, path: str) -> dict:
    """The items of a JSON array response, with $refs followed."""

    def resolve(node):
        while "$ref" in node or "allOf" in node:
            if "allOf" in node:  # a $ref with a description of its own
                node = node["allOf"][0]
            else:
                node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
        return node

    content = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    array = resolve(content["schema"])
    assert array["type"] == "array"
    return resolve(array["items"]), resolve


def test_the_schema_types_the_export_rows(client):
    schema = client.get("/api/schema/?format=json").json()
    row, resolve = _response_schema(schema, "/api/ideas/export/")
    assert {"id", "title", "url", "created_at", "votes_by_segment", "responded_at"} <= set(
        row["properties"]
    )
    segments = resolve(row["properties"]["votes_by_segment"])
    assert set(segments["properties"]) == set(export.SEGMENT_KEYS)
    assert set(resolve(segments["properties"]["small-business"])["properties"]) == {
        "promotes",
        "demotes",
    }
    row, _ = _response_schema(schema, "/api/ideas/export/segments/")
    assert set(row["properties"]) == set(export.SEGMENT_CSV_COLUMNS)


def test_the_schema_matches_what_the_export_writes(as_pat_api, board, pat):
    """Every key of a written row is documented, and every documented one is written."""
    from web.pm.api import IdeaExportRowSerializer, SegmentExportRowSerializer

    ideas = json.loads(raw(as_pat_api.get("/api/ideas/export/")))
    assert set(ideas[0]) == set(IdeaExportRowSerializer().fields)
    rows = json.loads(raw(as_pat_api.get(SEGMENTS_API_URL)))
    assert set(rows[0]) == set(SegmentExportRowSerializer().fields)


# Votes by customer segment: a row per idea and segment.


def test_segment_csv_has_a_row_per_idea_and_segment(pat_client, board):
    response = pat_client.get(SEGMENTS_CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="ideastorm-votes-by-segment-'
    )
    rows = csv_rows(response)
    ubuntu, other = board["ubuntu"], board["other"]
    assert [(r["idea"], r["segment"], r["promotes"], r["demotes"]) for r in rows] == [
        (str(ubuntu.pk), "consumer", "2", "0"),
        (str(ubuntu.pk), "small-business", "1", "0"),
        (str(ubuntu.pk), "enterprise", "1", "0"),
        (str(ubuntu.pk), "unknown", "1", "0"),
        (str(other.pk), "consumer", "0", "1"),
        (str(other.pk), "small-business", "0", "0"),
        (str(other.pk), "enterprise", "0", "0"),
        (str(other.pk), "unknown", "0", "0"),
    ]
    assert rows[0] == {
        "idea": str(ubuntu.pk),
        "title": "Ubuntu preinstalled",
        "url": f"http://testserver/ideas/{ubuntu.pk}/",
        "category": "Notebooks",
        "status": "new",
        "segment": "consumer",
        "segment_label": "Consumer",
        "promotes": "2",
        "demotes": "0",
    }
    assert rows[-1]["segment_label"] == "Unknown"


def test_segment_exports_take_the_same_filters(pat_client, as_pat_api, board):
    rows = csv_rows(pat_client.get(SEGMENTS_CSV_URL, {"category": "servers", "status": "planned"}))
    assert {r["title"] for r in rows} == {"Quieter fans"} and len(rows) == 4
    api_rows = json.loads(raw(as_pat_api.get(SEGMENTS_API_URL, {"tag": "linux"})))
    assert {r["title"] for r in api_rows} == {"Ubuntu preinstalled"}
    assert api_rows[1] == {**api_rows[1], "segment": "small-business", "promotes": 1}
    bad = pat_client.get(SEGMENTS_CSV_URL, {"status": "lost"})
    assert bad.status_code == 400 and not bad.streaming
    assert "Status:" in bad.content.decode()
    bad = as_pat_api.get(SEGMENTS_API_URL, {"created_from": "nope"})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["created_from"]


def test_segment_json_is_streamed_as_a_file(as_pat_api, board):
    response = as_pat_api.get(SEGMENTS_API_URL)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].endswith('.json"')
    assert len(json.loads(raw(response))) == 8


def test_segment_exports_are_for_product_managers_only(client, alice, mo, as_pat_api, db):
    assert client.get(SEGMENTS_CSV_URL).status_code == 302
    for user in (alice, mo):
        client.force_login(user)
        assert client.get(SEGMENTS_CSV_URL).status_code == 403
    from rest_framework.test import APIClient

    api = APIClient()
    assert api.get(SEGMENTS_API_URL).status_code in (401, 403)
    api.force_authenticate(alice)
    assert api.get(SEGMENTS_API_URL).status_code == 403
    assert as_pat_api.post(SEGMENTS_API_URL).status_code == 405


def test_the_dashboard_links_the_segment_export_with_its_filters(pat_client, board):
    page = pat_client.get("/pm/?status=planned").content.decode()
    assert 'href="/pm/export-segments.csv?status=planned"' in page
