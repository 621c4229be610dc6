"""Fuzz every API operation from the app's own OpenAPI schema (schemathesis): as a visitor
and as a member, no input may give a 500, and every answer must match the schema."""

import datetime as dt
import zlib
from unittest import mock

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ideastorm.wsgi import application
from storms.services import storm_create
from tests.factories import CategoryFactory, CommentFactory, IdeaFactory, UserFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

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
    """A small board: ideas by the member and by another, a comment, a category, a session."""
    settings.IDEAS_RATE_LIMITS = False
    member = UserFactory(username="fuzzer")
    other = UserFactory(username="other")
    category = CategoryFactory(slug="notebooks")
    theirs = IdeaFactory(author=other, category=category)
    mine = IdeaFactory(author=member, category=category)
    comment = CommentFactory(idea=theirs, author=other)
    now = timezone.now()
    pm = UserFactory(username="pm")
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
        "ideas": [theirs.pk, mine.pk],
        "comment": comment.pk,
        "session": session.slug,
    }


def aim(case, board) -> None:
    """Point most generated ids at rows that exist, so the happy paths run too (a random id
    is nearly always a 404)."""
    params = case.path_parameters or {}
    raw = str(params.get("id", params.get("slug", params.get("username", ""))))
    pick = zlib.crc32(raw.encode())
    if pick % 4 == 0:
        return
    if "/ideas/{id}/" in case.path:
        params["id"] = board["ideas"][pick % 2]
    elif "/comments/{id}/" in case.path:
        params["id"] = board["comment"]
    elif "{slug}" in case.path:
        params["slug"] = board["session"]
    elif "{username}" in case.path:
        params["username"] = "other"


@schema.parametrize()
@FUZZ
def test_visitor_gets_no_server_error_and_answers_match_the_schema(case, board):
    aim(case, board)
    # call_and_validate raises a FailureGroup when any check fails (see the test below).
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code < 500


@schema.parametrize()
@FUZZ
def test_member_gets_no_server_error_and_answers_match_the_schema(case, board):
    aim(case, board)
    response = case.call_and_validate(
        headers={"Authorization": f"Token {board['token']}"}, checks=CHECKS
    )
    assert response.status_code < 500


def test_the_checks_catch_a_server_error(board):
    """The fuzz tests fail through call_and_validate: prove it fails on a broken view."""
    case = schema["/api/tags/"]["GET"].Case()
    assert case.call_and_validate(checks=CHECKS).status_code == 200
    broken = mock.patch("ideas.api.TagListApi.get", side_effect=RuntimeError("boom"))
    with broken, pytest.raises(FailureGroup, match="Server error"):
        case.call_and_validate(checks=CHECKS)
