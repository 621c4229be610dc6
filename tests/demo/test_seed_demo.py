from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.models import User
from comments.models import Comment
from core.markdown import render_markdown
from demo import content as demo_data
from ideas.models import Category, Idea, StatusChange, Tag
from votes.models import Vote

pytestmark = pytest.mark.django_db

SMALL = {"users": 30, "ideas": 60, "votes": 500}
HAND_WRITTEN = {spec["title"]: spec for spec in demo_data.IDEAS}
LINUX = "Pre-install Linux (Ubuntu, Fedora or openSUSE) as a factory option"


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def snapshot() -> tuple[list, ...]:
    """The board as facts that don't depend on when it was seeded: ideas in creation order,
    who voted how, tags, status histories and who said what in the discussions."""
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
    tags = sorted(
        (position[(idea_id,)], slug)
        for idea_id, slug in Idea.tags.through.objects.values_list("idea_id", "tag__slug")
    )
    history = sorted(
        (position[(idea_id,)], old, new, response)
        for idea_id, old, new, response in StatusChange.objects.values_list(
            "idea_id", "old_status", "new_status", "response"
        )
    )
    comments = sorted(
        (position[(idea_id,)], username, body, parent or "")
        for idea_id, username, body, parent in Comment.objects.values_list(
            "idea_id", "author__username", "body", "parent__body"
        )
    )
    return ideas, votes, tags, history, comments


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
    assert all(before)

    output = seed()

    assert "already loaded" in output
    assert snapshot() == before
    assert Tag.objects.count() == len({t for spec in demo_data.IDEAS for t in spec["tags"]})


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


def test_hand_written_ideas_past_new_have_a_history_ending_at_their_status():
    seed(**SMALL)
    now = timezone.now()

    for idea in Idea.objects.filter(title__in=HAND_WRITTEN).select_related("responded_by"):
        spec = HAND_WRITTEN[idea.title]
        changes = list(idea.status_changes.select_related("actor"))
        if spec["status"] == "new":
            assert not changes and not idea.response and idea.responded_at is None
            continue
        assert changes, idea.title
        assert changes[0].old_status == "new"
        assert [c.old_status for c in changes[1:]] == [c.new_status for c in changes[:-1]]
        assert changes[-1].new_status == idea.status == spec["status"]
        assert {c.actor.username for c in changes} == {"pat"}
        assert all(idea.created_at < c.created_at < now for c in changes)
        assert all(c.response_html == render_markdown(c.response) for c in changes if c.response)
        # As idea_status_set leaves it: the idea shows the last response given.
        assert changes[-1].response == idea.response == spec.get("response", "")
        if idea.response:
            assert idea.response_html == render_markdown(idea.response)
            assert idea.responded_at == changes[-1].created_at
            assert idea.responded_by.username == "pat"


def test_declined_hand_written_ideas_all_say_why():
    seed(**SMALL)

    declined = Idea.objects.filter(title__in=HAND_WRITTEN, status="declined")
    assert declined.exists()
    assert not declined.filter(response="").exists()
    assert not declined.exclude(status_changes__new_status="declined").exists()


def test_popular_ideas_have_discussions_with_one_level_of_replies():
    seed(**SMALL)
    comments = Comment.objects.select_related("idea", "parent", "author")

    discussed = Idea.objects.filter(comments__isnull=False).distinct()
    assert discussed.count() >= 10
    assert set(discussed.values_list("title", flat=True)) <= set(HAND_WRITTEN)
    replies = [c for c in comments if c.parent_id]
    assert replies
    for reply in replies:
        assert reply.parent.parent_id is None
        assert reply.parent.idea_id == reply.idea_id
        assert reply.parent.created_at < reply.created_at
        assert reply.author_id != reply.parent.author_id
    now = timezone.now()
    for comment in comments:
        assert comment.idea.created_at < comment.created_at < now
        assert comment.author.date_joined < comment.created_at
        assert comment.body_html == render_markdown(comment.body)
        assert comment.edited_at is None and comment.deleted_at is None
    assert any("<li>" in c.body_html for c in comments)


def test_each_hand_written_idea_has_its_tags_and_generated_ones_none():
    seed(**SMALL)

    for idea in Idea.objects.prefetch_related("tags"):
        slugs = {tag.slug for tag in idea.tags.all()}
        if idea.title in HAND_WRITTEN:
            assert 1 <= len(slugs) <= 3, idea.title
            assert slugs == {t.replace(" ", "-") for t in HAND_WRITTEN[idea.title]["tags"]}
        else:
            assert not slugs, idea.title


def test_without_customers_the_cast_carries_the_discussions():
    seed(users=5, ideas=10, votes=10)

    assert Comment.objects.exists()
    assert not Comment.objects.filter(author=None).exists()


def test_seeded_idea_page_shows_the_response_and_the_discussion(client):
    seed(**SMALL)
    idea = Idea.objects.get(title=LINUX)
    reply = Comment.objects.filter(idea=idea, parent__isnull=False).first()

    response = client.get(idea.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert idea.response_html in html
    assert reply.body_html in html and reply.parent.body_html in html


def test_the_demo_board_has_a_storm_session_running_with_its_ideas(db):
    from django.core.management import call_command
    from django.utils import timezone

    from storms.models import StormSession

    call_command("seed_demo", users=30, ideas=60, votes=300, verbosity=0)
    session = StormSession.objects.get(slug="the-buying-experience")
    assert session.starts_at < timezone.now() < session.ends_at
    assert session.ideas.count() == 2
    assert StormSession.objects.active(timezone.now()).count() == 1


def test_demo_customers_have_segments_and_staff_none(db):
    from django.core.management import call_command

    from accounts.models import User

    call_command("seed_demo", users=60, ideas=20, votes=100, verbosity=0)
    segments = set(
        User.objects.exclude(username__in=["pat", "mo", "admin"]).values_list("segment", flat=True)
    )
    assert segments == {"consumer", "small-business", "enterprise"}
    assert set(
        User.objects.filter(username__in=["pat", "mo", "admin"]).values_list("segment", flat=True)
    ) == {""}
