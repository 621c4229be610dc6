"""Customer segments: set by admins, read per idea by product managers, ignored by the public
ranking."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from ideas.models import Idea
from moderation.models import StuffingCase
from tests.factories import IdeaFactory, UserFactory
from votes.models import Vote
from votes.rebuild import rankings_rebuild
from votes.selectors import segment_demand, votes_by_segment
from votes.services import vote_cast

pytestmark = pytest.mark.django_db

SEGMENTS = [s.value for s in User.Segment]


def test_votes_by_segment_counts_promotes_and_demotes_in_one_query(
    category, django_assert_num_queries
):
    first, second, quiet = IdeaFactory.create_batch(3, category=category)
    consumer = UserFactory(segment=User.Segment.CONSUMER)
    other_consumer = UserFactory(segment=User.Segment.CONSUMER)
    enterprise = UserFactory(segment=User.Segment.ENTERPRISE)
    nobody = UserFactory()
    vote_cast(voter=consumer, idea=first, value=1)
    vote_cast(voter=other_consumer, idea=first, value=-1)
    vote_cast(voter=enterprise, idea=first, value=1)
    vote_cast(voter=nobody, idea=first, value=1)
    vote_cast(voter=enterprise, idea=second, value=-1)
    with django_assert_num_queries(1):
        result = votes_by_segment([first.pk, second.pk, quiet.pk])
    assert result == {
        first.pk: {
            "consumer": {"promotes": 1, "demotes": 1},
            "enterprise": {"promotes": 1, "demotes": 0},
            "": {"promotes": 1, "demotes": 0},
        },
        second.pk: {"enterprise": {"promotes": 0, "demotes": 1}},
        quiet.pk: {},
    }


def test_votes_by_segment_leaves_out_quarantined_votes(category):
    idea = IdeaFactory(category=category)
    member = UserFactory(segment=User.Segment.SMALL_BUSINESS)
    vote_cast(voter=member, idea=idea, value=1)
    case = StuffingCase.objects.create(
        rule=StuffingCase.Rule.BURST,
        network="203.0.113.0/24",
        idea=idea,
        evidence={},
        fingerprint="segments",
        detected_at=timezone.now(),
    )
    Vote.objects.update(quarantine=case)
    assert votes_by_segment([idea.pk]) == {idea.pk: {}}


def test_votes_by_segment_of_nothing_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert votes_by_segment([]) == {}


def test_segment_demand_lists_segments_in_order_unsegmented_last(category):
    idea = IdeaFactory(category=category)
    vote_cast(voter=UserFactory(), idea=idea, value=1)
    vote_cast(voter=UserFactory(segment=User.Segment.ENTERPRISE), idea=idea, value=1)
    vote_cast(voter=UserFactory(segment=User.Segment.CONSUMER), idea=idea, value=-1)
    rows = segment_demand(idea.pk)
    assert [(r.label, r.promotes, r.demotes) for r in rows] == [
        ("Consumer", 0, 1),
        ("Enterprise", 1, 0),
        ("No segment", 1, 0),
    ]


def _board(segment_of) -> list[tuple]:
    """The same votes at the same moments, cast by voters whose segments segment_of picks;
    returns each idea's (title, score, popular_key, wilson) and the Popular and Top orders."""
    category_ideas = [IdeaFactory(title=f"Idea {n}") for n in range(4)]
    plan = [(0, 1), (0, 1), (1, 1), (1, -1), (2, 1), (2, 1), (2, 1), (3, -1)]
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for n, (index, value) in enumerate(plan):
        voter = UserFactory(segment=segment_of(n))
        with mock.patch("django.utils.timezone.now", lambda n=n: start + dt.timedelta(hours=n)):
            vote_cast(voter=voter, idea=category_ideas[index], value=value)
    ideas = Idea.objects.filter(pk__in=[i.pk for i in category_ideas])
    figures = sorted(ideas.values_list("title", "score", "popular_key", "wilson"))
    popular = list(ideas.ranked("popular").values_list("title", flat=True))
    top = list(ideas.ranked("top").values_list("title", flat=True))
    return [figures, popular, top]


@pytest.mark.parametrize("segments", [["enterprise"] * 8, SEGMENTS * 3])
def test_segments_never_change_the_public_ranking(segments):
    unsegmented = _board(lambda n: "")
    Idea.objects.all().delete()
    Vote.objects.all().delete()
    segmented = _board(lambda n: segments[n])
    assert segmented == unsegmented
    # A full rebuild from the votes table keeps the order: segments are not in it either.
    rankings_rebuild()
    assert list(Idea.objects.ranked("popular").values_list("title", flat=True)) == segmented[1]
    assert list(Idea.objects.ranked("top").values_list("title", flat=True)) == segmented[2]


def test_changing_a_voters_segment_leaves_the_scores_alone(category):
    idea = IdeaFactory(category=category)
    voter = UserFactory(segment=User.Segment.CONSUMER)
    vote_cast(voter=voter, idea=idea, value=1)
    before = Idea.objects.values_list("score", "popular_key", "wilson").get(pk=idea.pk)
    User.objects.filter(pk=voter.pk).update(segment=User.Segment.ENTERPRISE)
    after = Idea.objects.values_list("score", "popular_key", "wilson").get(pk=idea.pk)
    assert before == after


# ---- the idea page ----------------------------------------------------------------------


def test_pms_see_demand_by_segment_on_the_idea_page(client, pat, category):
    idea = IdeaFactory(category=category)
    vote_cast(voter=UserFactory(segment=User.Segment.SMALL_BUSINESS), idea=idea, value=1)
    client.force_login(pat)
    html = client.get(idea.get_absolute_url()).content.decode()
    assert "Demand by segment" in html
    assert "Small business: 1 promote · 0 demotes" in html


def test_members_and_visitors_see_no_segments(client, alice, category):
    idea = IdeaFactory(category=category)
    vote_cast(voter=UserFactory(segment=User.Segment.ENTERPRISE), idea=idea, value=1)
    assert "Demand by segment" not in client.get(idea.get_absolute_url()).content.decode()
    client.force_login(alice)
    assert "Demand by segment" not in client.get(idea.get_absolute_url()).content.decode()


# ---- the admin --------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    return client


def test_an_admin_sets_a_members_segment(admin_client, alice):
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "segment" in form.fields
    data = {
        key: value
        for key, value in form.initial.items()
        if key in form.fields and value is not None and key not in ("groups", "user_permissions")
    }
    data.update(
        {
            "segment": "enterprise",
            "date_joined_0": alice.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": alice.date_joined.strftime("%H:%M:%S"),
            "email_frequency": alice.email_frequency,
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("password", None)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    alice.refresh_from_db()
    assert alice.segment == "enterprise"


def test_the_admin_filters_members_by_segment(admin_client, alice, bob):
    User.objects.filter(pk=alice.pk).update(segment=User.Segment.CONSUMER)
    page = admin_client.get(reverse("admin:accounts_user_changelist"), {"segment": "consumer"})
    assert page.status_code == 200
    assert list(page.context["cl"].queryset) == [User.objects.get(pk=alice.pk)]
