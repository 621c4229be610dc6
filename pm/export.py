"""Streaming exports of a filtered list of ideas, CSV or JSON, in constant memory: the ideas
are read through a server-side cursor in chunks, and each chunk's tags and votes by segment
come from one aggregate query each, never a query per idea."""

import csv
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
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


def _iso(value) -> str | None:
    return value.isoformat() if value else None


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
                    "created_at": _iso(row["created_at"]),
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
                    "responded_at": _iso(row["responded_at"]),
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


def csv_stream(ideas, *, origin: str) -> Iterator[str]:
    """The header, then one piece of text per chunk of ideas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    for records in idea_records(ideas, origin=origin):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_csv_row(record) for record in records)
        yield buffer.getvalue()


def json_stream(ideas, *, origin: str) -> Iterator[str]:
    """A JSON array, written as it goes: "[", the ideas separated by commas, "]"."""
    yield "["
    separator = ""
    for records in idea_records(ideas, origin=origin):
        yield separator + ",".join(json.dumps(record, ensure_ascii=False) for record in records)
        separator = ","
    yield "]\n"
