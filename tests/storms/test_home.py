import datetime as dt

import pytest
from django.urls import reverse

from storms import tasks
from storms.models import StormSession
from storms.services import storm_create
from tests.factories import IdeaFactory
from votes.services import vote_cast

pytestmark = pytest.mark.django_db


def test_the_home_page_lists_active_sessions(client, make_session):
    running = make_session("Notebooks for students", starts=-1, ends=3)
    make_session("Coming soon", starts=2, ends=5)
    make_session("Long gone", starts=-10, ends=-3)
    html = client.get(reverse("home")).content.decode()
    assert "Storm Sessions running now" in html
    assert running.get_absolute_url() in html and "Notebooks for students" in html
    assert "ends in 2\xa0days" in html
    assert "Coming soon" not in html and "Long gone" not in html


def test_the_home_page_announces_a_session_once_the_job_opens_it(
    client, make_session, clock, django_capture_on_commit_callbacks
):
    session = make_session(starts=1, ends=3)
    assert "Storm Sessions running now" not in client.get(reverse("home")).content.decode()
    clock.advance(days=1)
    with django_capture_on_commit_callbacks(execute=True):  # the board version bump
        tasks.sessions_open_close()
    html = client.get(reverse("home")).content.decode()
    assert session.title in html


def test_without_sessions_the_home_page_has_no_banner(client):
    assert "Storm Sessions running now" not in client.get(reverse("home")).content.decode()


def test_the_home_page_query_count_stays_constant(
    client, alice, make_session, settings, django_assert_max_num_queries
):
    # What a render costs: no page served from the cache (web/skeleton.py).
    settings.IDEAS_PAGE_CACHE = False
    for _ in range(12):
        vote_cast(voter=alice, idea=IdeaFactory(), value=1)
    client.force_login(alice)
    with django_assert_max_num_queries(50) as without:
        client.get(reverse("home"))
    for n in range(3):
        make_session(f"Session {n}", starts=-1, ends=3 + n)
    assert StormSession.objects.count() == 3
    with django_assert_max_num_queries(len(without.captured_queries) + 1):
        response = client.get(reverse("home"))
    assert len(response.context["storm_sessions"]) == 3


def test_visitors_see_a_session_opening_at_once_on_the_cached_home_page(
    client, settings, clock, pat, django_capture_on_commit_callbacks
):
    settings.IDEAS_PAGE_CACHE = True
    session = storm_create(
        actor=pat,
        title="Accessories we miss",
        description="",
        starts_at=clock.now + dt.timedelta(minutes=1),
        ends_at=clock.now + dt.timedelta(days=1),
    )
    assert session.title not in client.get(reverse("home")).content.decode()
    clock.advance(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sessions_open_close()
    assert session.title in client.get(reverse("home")).content.decode()
