import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ideas.models import Status
from storms.models import StormSession
from tests.factories import CategoryFactory, IdeaFactory, UserFactory
from votes.models import TopRequestEntry, TopRequestSnapshot
from votes.services import vote_cast
from votes.snapshots import top_requests_snapshot

URL = "/pm/"


def idea_with_score(score: int, **kwargs):
    return IdeaFactory(score=score, promotes=max(score, 0), demotes=max(-score, 0), **kwargs)


def set_score(idea, score: int) -> None:
    idea.score, idea.promotes, idea.demotes = score, max(score, 0), max(-score, 0)
    idea.save(update_fields=["score", "promotes", "demotes"])


def rows(html: str) -> list[str]:
    """The table's body rows, as text with the tags removed and the spaces squeezed."""
    body = html.split('class="pm-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in body.split("</tr>")
        if "<td" in row
    ]


@pytest.fixture
def two_snapshots(db, category):
    """Three ideas ranked a, b, c an hour ago; now b has overtaken a, and d is new."""
    a = idea_with_score(30, category=category, title="Ubuntu preinstalled")
    b = idea_with_score(20, category=category, title="No trialware")
    c = idea_with_score(10, category=category, title="Backlit keyboards")
    now = timezone.now()
    top_requests_snapshot(now=now - dt.timedelta(hours=1))
    set_score(b, 40)
    d = idea_with_score(35, category=category, title="Name the Wi-Fi chipset")
    top_requests_snapshot(now=now)
    return {"a": a, "b": b, "c": c, "d": d}


def test_dashboard_shows_rank_score_and_movement(pat_client, two_snapshots):
    response = pat_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert rows(html) == [
        "1 ▲ 1 up 1 place No trialware New Notebooks 40 0 0 0 0 0",
        "2 New entry Name the Wi-Fi chipset New Notebooks 35 0 0 0 0 0",
        "3 ▼ 2 down 2 places Ubuntu preinstalled New Notebooks 30 0 0 0 0 0",
        "4 ▼ 1 down 1 place Backlit keyboards New Notebooks 10 0 0 0 0 0",
    ]
    assert "Top requests overall" in html
    # The arrows are decoration: screen readers get the words.
    assert '<span aria-hidden="true">▲ 1</span>' in html


def test_unchanged_rank_reads_no_change(pat_client, category):
    idea_with_score(5, category=category)
    now = timezone.now()
    top_requests_snapshot(now=now - dt.timedelta(hours=1))
    top_requests_snapshot(now=now)
    assert "1 \u2013 no change" in rows(pat_client.get(URL).content.decode())[0]


def test_category_filter_shows_that_categorys_own_list(pat_client, two_snapshots, category):
    other = CategoryFactory(name="Servers and storage", slug="servers")
    idea_with_score(100, category=other, title="Quieter fans")
    top_requests_snapshot()
    overall = rows(pat_client.get(URL).content.decode())
    assert overall[0].startswith("1 New entry Quieter fans")
    servers = pat_client.get(URL, {"category": "servers"}).content.decode()
    assert rows(servers) == ["1 New entry Quieter fans New Servers and storage 100 0 0 0 0 0"]
    assert "Top requests in Servers and storage" in servers
    notebooks = rows(pat_client.get(URL, {"category": "notebooks"}).content.decode())
    assert [r.split()[0] for r in notebooks] == ["1", "2", "3", "4"]
    assert "Quieter fans" not in " ".join(notebooks)


def test_filters_by_status_tag_dates_and_session(pat_client, two_snapshots, pat):
    from ideas.models import Tag

    ideas = two_snapshots
    ideas["a"].status = Status.PLANNED
    ideas["a"].save(update_fields=["status"])
    battery = Tag.objects.create(name="battery", slug="battery")
    ideas["c"].tags.add(battery)
    ideas["d"].created_at = timezone.now() - dt.timedelta(days=40)
    ideas["d"].save(update_fields=["created_at"])
    now = timezone.now()
    session = StormSession.objects.create(
        title="Linux week",
        slug="linux-week",
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=6),
        created_at=now,
    )
    ideas["b"].session = session
    ideas["b"].save(update_fields=["session"])

    def titles(**query):
        response = pat_client.get(URL, query)
        assert response.status_code == 200, response.content
        return rows(response.content.decode())

    assert [r.split()[0] for r in titles(status="planned")] == ["3"]
    assert "Backlit keyboards" in titles(tag="battery")[0] and len(titles(tag="battery")) == 1
    old = (now - dt.timedelta(days=30)).date().isoformat()
    assert len(titles(created_to=old)) == 1 and "Wi-Fi" in titles(created_to=old)[0]
    assert len(titles(created_from=old)) == 3
    assert (
        len(titles(session="linux-week")) == 1 and "No trialware" in titles(session="linux-week")[0]
    )


def test_hidden_ideas_leave_the_table(pat_client, two_snapshots):
    two_snapshots["b"].hidden_at = timezone.now()
    two_snapshots["b"].save(update_fields=["hidden_at"])
    assert "No trialware" not in pat_client.get(URL).content.decode()


def test_bad_filters_are_a_400_with_the_reasons(pat_client, two_snapshots):
    response = pat_client.get(
        URL, {"category": "nope", "created_from": "2026-02-01", "created_to": "2026-01-01"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Fix these filters:" in html
    assert "Select a valid choice" in html
    assert "The end date comes before the start date." in html
    assert 'class="pm-table"' not in html


def test_htmx_gets_the_table_alone(pat_client, two_snapshots):
    response = pat_client.get(URL, {"status": "new"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="pm-table"')
    assert "<h1>" not in html and "The board at a glance" not in html
    assert "HX-Request" in response["Vary"]
    assert "/pm/export.csv?status=new" in html


def test_without_a_snapshot_it_says_so(pat_client, category):
    IdeaFactory(category=category)
    response = pat_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "No snapshot of the top product requests yet" in html
    assert 'class="pm-table"' not in html
    assert "The board at a glance" in html


def test_promotes_by_segment(pat_client, category, segment_voters):
    idea = IdeaFactory(category=category, title="Standard power cables")
    for voters in segment_voters.values():
        for voter in voters:
            vote_cast(voter=voter, idea=idea, value=1)
    vote_cast(voter=UserFactory(segment="enterprise"), idea=idea, value=-1)
    top_requests_snapshot()
    # Score 4 (5 promotes, 1 demote): promotes 5 = 2 consumers, 1 small business,
    # 1 enterprise, 1 unknown; the enterprise demote is not a promote.
    assert rows(pat_client.get(URL).content.decode()) == [
        "1 New entry Standard power cables New Notebooks 4 5 2 1 1 1"
    ]


def test_quarantined_votes_are_not_counted_by_segment(pat_client, category, segment_voters):
    from moderation.models import StuffingCase
    from votes.models import Vote

    idea = IdeaFactory(category=category)
    for voter in segment_voters["consumer"]:
        vote_cast(voter=voter, idea=idea, value=1)
    case = StuffingCase.objects.create(
        rule=StuffingCase.Rule.BURST,
        network="203.0.113.0/24",
        idea=idea,
        evidence={},
        fingerprint="pm-test",
        detected_at=timezone.now(),
    )
    Vote.objects.filter(voter=segment_voters["consumer"][0]).update(quarantine=case)
    top_requests_snapshot()
    assert rows(pat_client.get(URL).content.decode())[0].endswith(" 1 1 0 0 0")


def make_board(n: int, category) -> None:
    voters = [UserFactory(segment=s) for s in ("consumer", "enterprise", "")]
    for i in range(n):
        idea = idea_with_score(0, category=category, title=f"Idea {i}")
        for voter in voters:
            vote_cast(voter=voter, idea=idea, value=1)
    top_requests_snapshot(now=timezone.now() - dt.timedelta(hours=1))
    top_requests_snapshot()


@pytest.mark.parametrize("query", [{}, {"category": "notebooks", "status": "new"}])
def test_query_count_does_not_grow_with_the_ideas(pat_client, category, query):
    from django.core.cache import cache

    from pm.selectors import OVERVIEW_KEY

    make_board(2, category)
    with CaptureQueriesContext(connection) as few:
        assert pat_client.get(URL, query).status_code == 200
    make_board(12, category)
    cache.delete(OVERVIEW_KEY)
    with CaptureQueriesContext(connection) as many:
        response = pat_client.get(URL, query)
    assert len(rows(response.content.decode())) == 14
    assert len(many) == len(few)
    # The board-wide figures and charts come from the cache for a few minutes after.
    with CaptureQueriesContext(connection) as cached:
        pat_client.get(URL, query)
    assert len(cached) < len(many)


def test_query_count_is_pinned(pat_client, pat, category, django_assert_max_num_queries):
    from actions.ideas import idea_status_set

    make_board(5, category)
    idea_status_set(
        idea=IdeaFactory(category=category), actor=pat, status="planned", response="Yes"
    )
    # Session, user, snapshot, entries, segments, votes per day, ideas per status, figures, the
    # median (two), status history (two), the bell, and the filters' three choice lists.
    with django_assert_max_num_queries(16):
        pat_client.get(URL)
    with django_assert_max_num_queries(6):
        pat_client.get(URL, headers={"HX-Request": "true"})


def test_entries_can_be_written_directly(pat_client, category):
    idea = IdeaFactory(category=category, title="Magsafe connectors")
    snapshot = TopRequestSnapshot.objects.create(
        period=timezone.now().replace(minute=0, second=0, microsecond=0),
        taken_at=timezone.now(),
    )
    TopRequestEntry.objects.create(
        snapshot=snapshot, idea=idea, rank=2, score=7, promotes=7, demotes=0, previous_rank=9
    )
    assert rows(pat_client.get(URL).content.decode()) == [
        "2 ▲ 7 up 7 places Magsafe connectors New Notebooks 7 0 0 0 0 0"
    ]


def test_charts_have_text_alternatives(pat_client, category, alice):
    idea = IdeaFactory(category=category)
    vote_cast(voter=alice, idea=idea, value=1)
    html = pat_client.get(URL).content.decode()
    assert html.count('role="img"') == 2
    assert "<caption>Votes per day, last 30 days</caption>" in html
    assert "<caption>Ideas per status at the end of each week</caption>" in html
    assert " style=" not in html


def test_the_table_is_paginated_and_keeps_the_filters(pat_client, category):
    for i in range(25):
        idea_with_score(100 - i, category=category, title=f"Request {i:02}")
    top_requests_snapshot()
    html = pat_client.get(URL, {"category": "notebooks"}).content.decode()
    assert len(rows(html)) == 20 and "1\u201320 of 25" in html
    assert 'href="?category=notebooks&amp;page=2"' in html
    assert "/pm/export.csv?category=notebooks" in html
    second = rows(pat_client.get(URL, {"category": "notebooks", "page": 2}).content.decode())
    assert [r.split()[0] for r in second] == ["21", "22", "23", "24", "25"]


def test_figures_and_charts_come_before_the_table(pat_client, two_snapshots):
    html = pat_client.get(URL).content.decode()
    assert html.index("The board at a glance") < html.index('id="votes-chart-heading"')
    assert html.index('id="status-chart-heading"') < html.index('class="pm-table"')
    # The charts' SVGs hold no text (it would shrink with them on a phone): labels are HTML.
    assert "<text" not in html and 'class="pm-plot-x"' in html
