"""Streaming exports of a filtered list of ideas, CSV or JSON, in constant memory: the ideas
are read through a server-side cursor in chunks, and each chunk's tags and votes by segment
come from one aggregate query each, never a query per idea. Two shapes: a row per idea (with
its votes per customer segment in columns), and a row per idea and segment.

Made for other people's tools as they are: times are ISO 8601 in UTC to the second
(`2024-05-01T09:30:00Z`), the same in CSV and JSON; the CSV starts with a UTF-8 byte order
mark, without which Excel reads the file as the local code page and garbles "Café “quotes”"."""

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from itertools import islice

from django.urls import reverse

from ideas.models import Idea
from pm.selectors import SEGMENTS
from votes.selectors import votes_by_segment

CHUNK_SIZE = 2000
SEGMENT_KEYS = [key or "unknown" for key, _ in SEGMENTS]
CSV_COLUMNS = [
    "id",
    "title",
    "url",
    "category",
    "tags",
    "status",
    "created_at",
    "score",
    "promotes",
    "demotes",
    *(
        f"{kind}_{key.replace('-', '_')}"
        for kind in ("promotes", "demotes")
        for key in SEGMENT_KEYS
    ),
    "responded_at",
    "session",
]
SEGMENT_CSV_COLUMNS = [
    "idea",
    "title",
    "url",
    "category",
    "status",
    "segment",
    "segment_label",
    "promotes",
    "demotes",
]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


def iso_utc(value: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC to the second, `Z` for the zone: one width for every row."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def idea_records(ideas, *, origin: str) -> Iterator[list[dict]]:
    """The ideas as export records, one list per chunk, best first (the Top order)."""
    rows = ideas.ranked("top").values(
        "id",
        "title",
        "category__name",
        "status",
        "created_at",
        "score",
        "promotes",
        "demotes",
        "responded_at",
        "session__title",
    )
    for chunk in _chunks(rows.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
        ids = [row["id"] for row in chunk]
        tags: dict[int, list[str]] = {}
        pairs = Idea.tags.through.objects.filter(idea_id__in=ids).order_by("tag__name")
        for idea_id, name in pairs.values_list("idea_id", "tag__name"):
            tags.setdefault(idea_id, []).append(name)
        segments = votes_by_segment(ids)
        records = []
        for row in chunk:
            counts = segments[row["id"]]
            records.append(
                {
                    "id": row["id"],
                    "title": row["title"],
                    "url": origin + reverse("idea-detail", kwargs={"pk": row["id"]}),
                    "category": row["category__name"],
                    "tags": tags.get(row["id"], []),
                    "status": row["status"],
                    "created_at": iso_utc(row["created_at"]),
                    "score": row["score"],
                    "promotes": row["promotes"],
                    "demotes": row["demotes"],
                    "votes_by_segment": {
                        name: {
                            "promotes": counts.get(key, {}).get("promotes", 0),
                            "demotes": counts.get(key, {}).get("demotes", 0),
                        }
                        for (key, _), name in zip(SEGMENTS, SEGMENT_KEYS, strict=True)
                    },
                    "responded_at": iso_utc(row["responded_at"]),
                    "session": row["session__title"],
                }
            )
        yield records


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_row(record: dict) -> list:
    segments = record["votes_by_segment"]
    return [
        record["id"],
        _cell(record["title"]),
        record["url"],
        _cell(record["category"]),
        _cell(", ".join(record["tags"])),
        record["status"],
        record["created_at"],
        record["score"],
        record["promotes"],
        record["demotes"],
        *(segments[key][kind] for kind in ("promotes", "demotes") for key in SEGMENT_KEYS),
        record["responded_at"] or "",
        _cell(record["session"]),
    ]


def segment_records(ideas, *, origin: str) -> Iterator[list[dict]]:
    """A record per idea and customer segment, every segment for every idea (zeros included,
    so a pivot table has every cell), ideas best first, segments in the dashboard's order."""
    labels = [str(label) for _, label in SEGMENTS]
    for records in idea_records(ideas, origin=origin):
        yield [
            {
                "idea": record["id"],
                "title": record["title"],
                "url": record["url"],
                "category": record["category"],
                "status": record["status"],
                "segment": key,
                "segment_label": label,
                **record["votes_by_segment"][key],
            }
            for record in records
            for key, label in zip(SEGMENT_KEYS, labels, strict=True)
        ]


def _segment_csv_row(record: dict) -> list:
    return [
        record["idea"],
        _cell(record["title"]),
        record["url"],
        _cell(record["category"]),
        record["status"],
        record["segment"],
        record["segment_label"],
        record["promotes"],
        record["demotes"],
    ]


def _csv(columns: list[str], chunks: Iterator[list[dict]], row) -> Iterator[str]:
    """The byte order mark and the header, then one piece of text per chunk of records."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    yield BOM + buffer.getvalue()
    for records in chunks:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(row(record) for record in records)
        yield buffer.getvalue()


def _json(chunks: Iterator[list[dict]]) -> Iterator[str]:
    """A JSON array, written as it goes: "[", the records separated by commas, "]"."""
    yield "["
    separator = ""
    for records in chunks:
        if records:
            yield separator + ",".join(json.dumps(r, ensure_ascii=False) for r in records)
            separator = ","
    yield "]\n"


def csv_stream(ideas, *, origin: str) -> Iterator[str]:
    return _csv(CSV_COLUMNS, idea_records(ideas, origin=origin), _csv_row)


def json_stream(ideas, *, origin: str) -> Iterator[str]:
    return _json(idea_records(ideas, origin=origin))


def segments_csv_stream(ideas, *, origin: str) -> Iterator[str]:
    return _csv(SEGMENT_CSV_COLUMNS, segment_records(ideas, origin=origin), _segment_csv_row)


def segments_json_stream(ideas, *, origin: str) -> Iterator[str]:
    return _json(segment_records(ideas, origin=origin))
