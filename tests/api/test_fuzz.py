"""Fuzz every API operation from the app's own OpenAPI schema (schemathesis): as a visitor
and as a member, no input may give a 500, and every answer must match the schema. The
operations gated to product managers and to moderators are fuzzed again as one, so their
happy paths run too.

Hostile text rides along: some examples carry a control character, a NUL, a C1 control, a
bidi override or a non-character inside every string of their body, query and path (the
`flatmap_*` hooks below); and every operation that takes a body is sent JSON nested 5,000
deep and just past the parser's limit (core.parsers), which must be a 400, never a 500."""

import datetime as dt
import re
import zlib
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import resolve
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import role_set
from actions.merging import idea_merge
from core.parsers import MAX_DEPTH
from core.roles import IsModerator, IsProductManager
from ideastorm.wsgi import application
from moderation.models import Flag, StuffingCase
from storms.services import storm_create
from tests.factories import CategoryFactory, CommentFactory, IdeaFactory, UserFactory
from votes.models import TopRequestEntry, TopRequestSnapshot

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


def gated_to(permission: type) -> Callable[[Any], bool]:
    """A schemathesis filter: the operations whose view asks for `permission` on their
    method (a session's views ask product managers on writes only)."""

    def gated(ctx) -> bool:
        operation = ctx.operation
        view = resolve(re.sub(r"{\w+}", "1", operation.path)).func.cls()
        view.request = SimpleNamespace(method=operation.method.upper())
        return any(isinstance(check, permission) for check in view.get_permissions())

    gated.__name__ = f"gated_to_{permission.__name__}"
    return gated


pm_schema = schema.include(gated_to(IsProductManager))
moderator_schema = schema.include(gated_to(IsModerator))

# Put inside every string of some examples (the schema's clones share these hooks). Not a
# lone surrogate: a form-encoded body or a query can't even be encoded with one (JSON can:
# tests/core/test_text.py covers the fields refusing it).
HOSTILE = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u202e", "\ufffe", "\r\n", "\t"]


def _taint(value, char: str):
    if isinstance(value, str):
        return value[:1] + char + value[1:]  # inside, so trimming whitespace keeps it
    if isinstance(value, dict):
        return {key: _taint(item, char) for key, item in value.items()}
    if isinstance(value, list):
        return [_taint(item, char) for item in value]
    return value


def _sometimes_hostile(value):
    """The value as generated, or with a hostile character inside every string (a third of
    the time: the happy paths still run)."""
    if not value:
        return st.just(value)
    tainted = st.sampled_from(HOSTILE).map(lambda char: _taint(value, char))
    return st.one_of(st.just(value), st.just(value), tainted)


@schema.hook
def flatmap_body(ctx, body):
    return _sometimes_hostile(body)


@schema.hook
def flatmap_query(ctx, query):
    return _sometimes_hostile(query)


@schema.hook
def flatmap_path_parameters(ctx, path_parameters):
    return _sometimes_hostile(path_parameters)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    # The data fixture is made once per test; the examples share it, in one transaction.
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def in_test_transaction():
    """Requests go through the real WSGI handler, which closes the database connection after
    each one; keep it open, as Django's test client does, so the test's transaction lives."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def board(db, settings, in_test_transaction):
    """A small board: ideas by the member and by another (one flagged), a comment and a
    hidden one, a category, a session, a merge, a vote-stuffing case, a top-requests
    snapshot, and a product manager and a moderator with their tokens."""
    settings.IDEAS_RATE_LIMITS = False
    member = UserFactory(username="fuzzer")
    other = UserFactory(username="other")
    category = CategoryFactory(slug="notebooks")
    theirs = IdeaFactory(author=other, category=category)
    mine = IdeaFactory(author=member, category=category)
    comment = CommentFactory(idea=theirs, author=other)
    now = timezone.now()
    hidden_comment = CommentFactory(idea=theirs, author=other, hidden_at=now)
    Flag.objects.create(flagger=other, idea=mine, reason="spam", created_at=now)
    pm = UserFactory(username="pm")
    role_set(user=pm, role="pm")
    moderator = UserFactory(username="mod")
    role_set(user=moderator, role="moderator")
    merge = idea_merge(
        actor=pm,
        merged=IdeaFactory(author=other, category=category),
        kept=IdeaFactory(author=other, category=category),
    )
    case = StuffingCase.objects.create(
        rule=StuffingCase.Rule.BURST,
        network="203.0.113.0/24",
        idea=theirs,
        evidence={"votes": 5},
        fingerprint="fuzz",
        detected_at=now,
    )
    case.accounts.add(other)
    snapshot = TopRequestSnapshot.objects.create(period=now, taken_at=now)
    TopRequestEntry.objects.create(
        snapshot=snapshot, idea=theirs, rank=1, score=3, promotes=3, demotes=0
    )
    session = storm_create(
        actor=pm,
        title="Notebooks for students",
        description="Tell us what students need.",
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=3),
        categories=[category],
    )
    return {
        "token": Token.objects.create(user=member).key,
        "pm_token": Token.objects.create(user=pm).key,
        "moderator_token": Token.objects.create(user=moderator).key,
        "ideas": [theirs.pk, mine.pk],
        "comments": [comment.pk, hidden_comment.pk],
        "session": session.slug,
        "merge": merge.pk,
        "case": case.pk,
    }


def aim(case, board) -> None:
    """Point most generated ids at rows that exist, so the happy paths run too (a random id
    is nearly always a 404): in the path, and the ideas and comments a body names."""
    params = case.path_parameters or {}
    raw = str(params.get("id", params.get("slug", params.get("username", ""))))
    body = case.body if isinstance(case.body, dict | list) else ""
    pick = zlib.crc32(f"{raw}{body!r}".encode())
    if pick % 4 == 0:
        return
    if "/ideas/{id}/" in case.path:
        params["id"] = board["ideas"][pick % 2]
    elif "/comments/{id}/" in case.path:
        params["id"] = board["comments"][pick % 2]
    elif "/merges/{id}/" in case.path:
        params["id"] = board["merge"]
    elif "/stuffing-cases/{id}/" in case.path:
        params["id"] = board["case"]
    elif "{slug}" in case.path:
        params["slug"] = board["session"]
    elif "{username}" in case.path:
        params["username"] = "other"
    if isinstance(case.body, dict):
        if "into" in case.body:
            case.body["into"] = board["ideas"][(pick + 1) % 2]
        for field in ("ideas", "comments"):
            if isinstance(case.body.get(field), list) and case.body[field]:
                case.body[field] = board[field][: len(case.body[field])]


def call_as(case, board, token: str | None):
    """Send the case, aimed at the board, with the board's token of that name (None: as a
    visitor), and answer the response. call_and_validate raises a FailureGroup when any check
    fails (see test_the_checks_catch_a_server_error)."""
    aim(case, board)
    headers = {"Authorization": f"Token {board[token]}"} if token else None
    return case.call_and_validate(headers=headers, checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_visitor_gets_no_server_error_and_answers_match_the_schema(case, board):
    assert call_as(case, board, None).status_code < 500


@schema.parametrize()
@FUZZ
def test_member_gets_no_server_error_and_answers_match_the_schema(case, board):
    assert call_as(case, board, "token").status_code < 500


@pm_schema.parametrize()
@FUZZ
def test_pm_gets_no_server_error_and_answers_match_the_schema(case, board):
    assert call_as(case, board, "pm_token").status_code < 500


@moderator_schema.parametrize()
@FUZZ
def test_moderator_gets_no_server_error_and_answers_match_the_schema(case, board):
    assert call_as(case, board, "moderator_token").status_code < 500


def _labels(selected) -> set[str]:
    return {result.ok().label for result in selected.get_all_operations()}


def test_the_role_fuzzing_selects_the_operations_gated_to_each_role():
    assert _labels(moderator_schema) == {
        label for label in _labels(schema) if label.split()[1].startswith("/api/moderation/")
    }
    assert _labels(pm_schema) >= {
        "POST /api/ideas/{id}/status/",
        "POST /api/ideas/{id}/merge/",
        "POST /api/merges/{id}/undo/",
        "GET /api/snapshots/latest/",
        "GET /api/ideas/export/",
        "POST /api/sessions/",
        "PATCH /api/sessions/{slug}/",
        "POST /api/ideas/{id}/recorded-votes/",
        "GET /api/merges/suggestions/",
        "GET /api/pm/overview/",
    }
    assert not _labels(pm_schema) & {"GET /api/sessions/", "GET /api/sessions/{slug}/"}


def test_the_checks_catch_a_server_error(board):
    """The fuzz tests fail through call_and_validate: prove it fails on a broken view."""
    case = schema["/api/tags/"]["GET"].Case()
    assert case.call_and_validate(checks=CHECKS).status_code == 200
    broken = mock.patch("web.ideas.api.TagListApi.get", side_effect=RuntimeError("boom"))
    with broken, pytest.raises(FailureGroup, match="Server error"):
        case.call_and_validate(checks=CHECKS)


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


DEEP_BODIES = {
    "5,000 deep": _nested(5000),
    "past the limit": '{"title": ' + _nested(MAX_DEPTH) + "}",
    "unclosed": "{" * 100_000,
}


def _token_for(operation, pm_operations: set[str], board) -> str:
    if operation.path.startswith("/api/moderation/"):
        return board["moderator_token"]
    if operation.label in pm_operations:
        return board["pm_token"]
    return board["token"]


def _path(operation, board) -> str:
    values = {"id": board["ideas"][0], "slug": board["session"], "username": "other"}
    if "/comments/{id}/" in operation.path:
        values["id"] = board["comments"][0]
    elif "/merges/{id}/" in operation.path:
        values["id"] = board["merge"]
    elif "/stuffing-cases/{id}/" in operation.path:
        values["id"] = board["case"]
    return re.sub(r"{(\w+)}", lambda name: str(values[name.group(1)]), operation.path)


def test_deeply_nested_json_is_a_400_on_every_operation_with_a_body(board):
    """As a role the operation admits, at a row that exists: so the body is read."""
    operations = [result.ok() for result in schema.get_all_operations()]
    with_json = [
        op for op in operations if any(body.media_type == "application/json" for body in op.body)
    ]
    assert len(with_json) > 15
    pm_operations = _labels(pm_schema)
    client = Client()
    parse_errors = 0
    for operation in with_json:
        headers = {"Authorization": f"Token {_token_for(operation, pm_operations, board)}"}
        for label, body in DEEP_BODIES.items():
            response = client.generic(
                operation.method.upper(),
                _path(operation, board),
                body,
                content_type="application/json",
                headers=headers,
            )
            assert response.status_code < 500, (operation.label, label)
            if response.status_code == 400:
                assert response.json()["code"] == "parse_error", (operation.label, label)
                parse_errors += 1
    # Nearly every operation reads its body (a few answer 404 or 403 before it).
    assert parse_errors >= 3 * (len(with_json) - 5)
