import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from storms.models import StormSession
from storms.services import storm_create
from tests.clock import Clock

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    clock = Clock(START)
    with mock.patch("django.utils.timezone.now", lambda: clock.now):
        yield clock


@pytest.fixture
def make_session(pat):
    """A session relative to now: make_session(starts=-1, ends=3) ran from a day ago and ends
    in 3 days."""

    def make(title="Notebooks for students", *, starts=-1, ends=3, categories=(), **kwargs):
        now = timezone.now()
        return storm_create(
            actor=pat,
            title=title,
            description=kwargs.get("description", "Tell us what **students** need."),
            starts_at=now + dt.timedelta(days=starts),
            ends_at=now + dt.timedelta(days=ends),
            categories=categories,
        )

    return make


@pytest.fixture
def active_session(make_session) -> StormSession:
    return make_session()


@pytest.fixture
def pat_client(client, pat):
    client.force_login(pat)
    return client
