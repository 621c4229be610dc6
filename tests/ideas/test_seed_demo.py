from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.models import User
from ideas import demo_data
from ideas.models import Category, Idea
from votes.models import Vote

pytestmark = pytest.mark.django_db

SMALL = {"users": 30, "ideas": 60, "votes": 500}


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def snapshot() -> tuple[list, list]:
    """The board as seed-independent facts: ideas in creation order, and who voted how."""
    ideas = list(
        Idea.objects.order_by("id").values_list(
            "title", "author__username", "category__slug", "status", "promotes", "demotes"
        )
    )
    position = {pk: n for n, pk in enumerate(Idea.objects.order_by("id").values_list("id"))}
    votes = sorted(
        (username, position[(idea_id,)], value)
        for username, idea_id, value in Vote.objects.values_list(
            "voter__username", "idea_id", "value"
        )
    )
    return ideas, votes


def clear_board() -> None:
    Vote.objects.all().delete()
    Idea.objects.all().delete()
    User.objects.all().delete()


def test_default_run_loads_categories_and_the_demo_cast():
    output = seed()

    assert set(Category.objects.values_list("slug", flat=True)) == {
        "desktops",
        "notebooks",
        "software",
        "servers-and-storage",
        "support",
        "accessories",
    }
    assert not Category.objects.filter(description="").exists()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["alice", "bob", "pat", "mo", "admin"])
    }
    assert set(users) == {"alice", "bob", "pat", "mo", "admin"}
    assert users["pat"].is_product_manager and not users["pat"].is_moderator
    assert users["mo"].is_moderator and not users["mo"].is_product_manager
    assert not users["alice"].groups.exists() and not users["alice"].is_staff
    assert users["admin"].is_superuser and users["admin"].is_staff
    customer = User.objects.exclude(username__in=users).first()
    for user in [*users.values(), customer]:
        assert user.check_password(demo_data.DEMO_PASSWORD)
    assert "ideastorm-demo" in output
    assert "alice" in output and "pat (product manager)" in output


def test_default_run_loads_every_hand_written_idea_with_consistent_counters():
    seed()

    assert Idea.objects.count() == len(demo_data.IDEAS)
    assert set(Idea.objects.values_list("title", flat=True)) == {
        spec["title"] for spec in demo_data.IDEAS
    }
    assert Vote.objects.count() == 1500
    assert not Idea.objects.filter(description_html="").exists()
    assert not Idea.objects.exclude(score=F("promotes") - F("demotes")).exists()
    counted = Idea.objects.annotate(
        up=Count("votes", filter=Q(votes__value=1)),
        down=Count("votes", filter=Q(votes__value=-1)),
    )
    for idea in counted:
        assert (idea.promotes, idea.demotes) == (idea.up, idea.down), idea.title


def test_votes_fall_between_their_idea_and_now_mostly_promotes():
    seed()

    assert not Vote.objects.filter(created_at__lte=F("idea__created_at")).exists()
    assert not Vote.objects.filter(created_at__gt=timezone.now()).exists()
    assert not Vote.objects.filter(created_at__lt=F("voter__date_joined")).exists()
    demotes = Vote.objects.filter(value=-1).count()
    assert 0.05 < demotes / Vote.objects.count() < 0.3
    recent = timezone.now() - timedelta(days=3)
    assert Vote.objects.filter(created_at__gte=recent).exists()
    # A few favourites, a long tail.
    scores = sorted(Idea.objects.values_list("promotes", flat=True), reverse=True)
    assert scores[0] > 4 * scores[-1]


def test_second_run_leaves_the_loaded_board_alone():
    seed(**SMALL)
    before = snapshot()

    output = seed()

    assert "already loaded" in output
    assert snapshot() == before


def test_same_seed_gives_the_same_board():
    seed(seed=7, **SMALL)
    first = snapshot()
    clear_board()

    seed(seed=7, **SMALL)

    assert snapshot() == first


def test_another_seed_gives_another_board():
    seed(seed=7, **SMALL)
    first = snapshot()
    clear_board()

    seed(seed=8, **SMALL)

    assert snapshot() != first


def test_custom_sizes_give_exactly_that_many_ideas_and_votes():
    seed(**SMALL)

    assert User.objects.count() >= SMALL["users"]
    assert Idea.objects.count() == SMALL["ideas"]
    assert Vote.objects.count() == SMALL["votes"]
    generated = Idea.objects.exclude(title__in=[spec["title"] for spec in demo_data.IDEAS])
    assert generated.count() == SMALL["ideas"] - len(demo_data.IDEAS)
    assert not generated.filter(description_html="").exists()
    assert not Idea.objects.exclude(score=F("promotes") - F("demotes")).exists()


def test_fewer_ideas_take_the_first_hand_written_ones():
    seed(users=10, ideas=5, votes=20)

    titles = list(Idea.objects.order_by("id").values_list("title", flat=True))
    assert titles == [spec["title"] for spec in demo_data.IDEAS[:5]]


def test_more_votes_than_voters_can_cast_is_refused():
    with pytest.raises(CommandError, match="don't fit"):
        seed(users=10, ideas=2, votes=100)

    assert not Idea.objects.exists()
