import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from storms.models import StormSession
from storms.services import storm_create, storm_submission_check, storm_update
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_slugs_come_from_the_title_and_stay_unique(make_session):
    first = make_session("Linux laptops")
    second = make_session("Linux laptops!")
    third = make_session("Linux Laptops")
    assert [first.slug, second.slug, third.slug] == [
        "linux-laptops",
        "linux-laptops-2",
        "linux-laptops-3",
    ]


def test_a_session_titled_new_does_not_take_the_new_session_page(make_session):
    assert make_session("New").slug == "new-2"


def test_an_end_before_the_start_is_refused_and_nothing_is_saved(pat):
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        storm_create(
            actor=pat,
            title="Backwards",
            description="",
            starts_at=now,
            ends_at=now - dt.timedelta(hours=1),
        )
    assert "ends_at" in error.value.message_dict
    assert not StormSession.objects.exists()


def test_the_description_is_rendered_as_safe_markdown(make_session):
    session = make_session(description="**Bold** <script>alert(1)</script>")
    assert "<strong>Bold</strong>" in session.description_html
    assert "<script>" not in session.description_html


def test_a_session_that_has_started_is_opened_at_once(make_session):
    running, later = make_session(starts=-1, ends=2), make_session(starts=1, ends=2)
    assert running.opened_at is not None and running.closed_at is None
    assert later.opened_at is None


def test_moving_the_end_into_the_future_reopens_a_closed_session(make_session, pat):
    session = make_session(starts=-5, ends=-1)
    assert session.closed_at is not None
    session = storm_update(
        session=session,
        actor=pat,
        title="Extended",
        description="",
        starts_at=session.starts_at,
        ends_at=timezone.now() + dt.timedelta(days=2),
    )
    session.refresh_from_db()
    assert session.closed_at is None and session.title == "Extended"
    assert session.slug == "notebooks-for-students"  # links to it keep working


def test_an_edit_with_the_end_before_the_start_changes_nothing(active_session, pat):
    with pytest.raises(ValidationError):
        storm_update(
            session=active_session,
            actor=pat,
            title="Changed",
            description="",
            starts_at=active_session.ends_at,
            ends_at=active_session.starts_at,
        )
    active_session.refresh_from_db()
    assert active_session.title == "Notebooks for students"


def test_submission_check_refuses_closed_and_future_sessions(make_session, category):
    for session in (make_session(starts=-5, ends=-1), make_session(starts=1, ends=3)):
        with pytest.raises(ValidationError) as error:
            storm_submission_check(session=session, category=category)
        assert "This Storm Session is closed." in error.value.message_dict["session"][0]


def test_submission_check_holds_ideas_to_the_sessions_categories(make_session, category):
    desktops = CategoryFactory(name="Desktops", slug="desktops")
    session = make_session(categories=[desktops])
    storm_submission_check(session=session, category=desktops)
    with pytest.raises(ValidationError) as error:
        storm_submission_check(session=session, category=category)
    assert error.value.message_dict["category"] == [
        "This Storm Session takes ideas in Desktops only."
    ]
