"""The open/close job: on time, idempotent, and never the gate for submissions."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from actions.ideas import idea_submit
from core.models import JobRun
from ideastorm.celery import BEAT_SCHEDULE
from storms import tasks
from storms.models import StormSession
from storms.services import storm_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(clock, pat):
    """Starts in an hour, runs for a day."""
    return storm_create(
        actor=pat,
        title="Servers and storage",
        description="",
        starts_at=clock.now + dt.timedelta(hours=1),
        ends_at=clock.now + dt.timedelta(hours=25),
    )


def flags(session: StormSession):
    session.refresh_from_db()
    return session.opened_at, session.closed_at


def test_the_job_opens_and_closes_sessions_on_time(clock, scheduled):
    assert tasks.sessions_open_close()["opened"] == 0
    assert flags(scheduled) == (None, None)
    clock.advance(hours=1)
    opened_at = clock.now
    result = tasks.sessions_open_close()
    assert (result["opened"], result["closed"]) == (1, 0)
    assert flags(scheduled) == (opened_at, None)
    clock.advance(hours=23, minutes=59)
    assert tasks.sessions_open_close()["closed"] == 0
    clock.advance(minutes=1)
    result = tasks.sessions_open_close()
    assert (result["opened"], result["closed"]) == (0, 1)
    assert flags(scheduled) == (opened_at, clock.now)
    assert JobRun.objects.get(name=tasks.OPEN_CLOSE_JOB).ok


def test_running_the_job_twice_changes_nothing_the_second_time(clock, scheduled):
    clock.advance(days=2)
    first = tasks.sessions_open_close()
    before = flags(scheduled)
    clock.advance(minutes=1)
    second = tasks.sessions_open_close()
    assert (first["opened"], first["closed"]) == (1, 1)
    assert (second["opened"], second["closed"]) == (0, 0)
    assert flags(scheduled) == before


def test_a_late_job_never_lets_an_idea_into_a_closed_session(clock, scheduled, alice, category):
    clock.advance(hours=2)
    tasks.sessions_open_close()
    clock.advance(days=2)  # past the end, and the job has not run since
    assert flags(scheduled)[1] is None
    with pytest.raises(ValidationError):
        idea_submit(
            author=alice, title="Late", description="Too late", category=category, session=scheduled
        )


def test_the_job_bumps_the_board_version_only_when_something_changed(
    clock, scheduled, settings, django_capture_on_commit_callbacks
):
    settings.IDEAS_PAGE_CACHE = True
    with django_capture_on_commit_callbacks() as callbacks:
        tasks.sessions_open_close()
    assert callbacks == []
    clock.advance(hours=1)
    with django_capture_on_commit_callbacks() as callbacks:
        tasks.sessions_open_close()
    assert len(callbacks) == 1


def test_the_job_is_on_the_beat_schedule(settings):
    entries = [e["task"] for e in BEAT_SCHEDULE.values()]
    assert "storms.tasks.sessions_open_close" in entries
