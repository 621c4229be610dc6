import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from actions.comments import comment_post
from comments.models import BODY_MAX_LENGTH, EDIT_WINDOW_MINUTES, Comment
from comments.selectors import comment_thread
from comments.services import comment_delete, comment_edit
from notifications.models import Notification
from tests.factories import CommentFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


class Clock:
    """Stands in for django.utils.timezone.now so tests can move time."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock():
    clock = Clock(START)
    with mock.patch("django.utils.timezone.now", lambda: clock.now):
        yield clock


def test_a_comment_renders_its_markdown_safely(alice):
    comment = comment_post(
        author=alice, idea=IdeaFactory(), body="  **Yes** <script>alert(1)</script>  "
    )
    comment.refresh_from_db()
    assert comment.body == "**Yes** <script>alert(1)</script>"
    assert "<strong>Yes</strong>" in comment.body_html
    assert "<script>" not in comment.body_html
    assert comment.parent is None and comment.author == alice


def test_a_reply_to_a_reply_joins_the_top_level_comment(alice, bob):
    idea = IdeaFactory()
    top = comment_post(author=alice, idea=idea, body="Top")
    reply = comment_post(author=bob, idea=idea, body="Reply", parent=top)
    deeper = comment_post(author=alice, idea=idea, body="Reply to reply", parent=reply)
    assert reply.parent_id == top.pk
    assert deeper.parent_id == top.pk


def test_a_reply_must_be_on_the_same_idea(alice):
    other = CommentFactory()
    with pytest.raises(ValidationError) as error:
        comment_post(author=alice, idea=IdeaFactory(), body="Hi", parent=other)
    assert "parent" in error.value.message_dict


def test_a_deleted_comment_takes_no_replies(alice):
    top = CommentFactory(deleted_at=START)
    with pytest.raises(ValidationError):
        comment_post(author=alice, idea=top.idea, body="Hi", parent=top)


@pytest.mark.parametrize("body", ["", "   \n ", "x" * (BODY_MAX_LENGTH + 1)])
def test_an_empty_or_too_long_body_is_refused(alice, body):
    with pytest.raises(ValidationError) as error:
        comment_post(author=alice, idea=IdeaFactory(), body=body)
    assert "body" in error.value.message_dict
    assert not Comment.objects.exists()


def test_a_body_of_exactly_the_limit_is_accepted(alice):
    comment_post(author=alice, idea=IdeaFactory(), body="x" * BODY_MAX_LENGTH)
    assert Comment.objects.count() == 1


def test_a_withdrawn_idea_takes_no_comments(alice):
    idea = IdeaFactory(withdrawn_at=START)
    with pytest.raises(PermissionDenied):
        comment_post(author=alice, idea=idea, body="Hello?")
    assert not Comment.objects.exists()


def test_the_author_may_edit_within_the_window(clock, alice):
    comment = comment_post(author=alice, idea=IdeaFactory(), body="Frist")
    clock.advance(minutes=EDIT_WINDOW_MINUTES - 1)
    comment_edit(comment=comment, user=alice, body="First, *really*")
    comment.refresh_from_db()
    assert comment.body == "First, *really*"
    assert "<em>really</em>" in comment.body_html
    assert comment.edited_at == clock.now


def test_editing_after_the_window_is_refused_with_the_reason(clock, alice):
    comment = comment_post(author=alice, idea=IdeaFactory(), body="Frist")
    clock.advance(minutes=EDIT_WINDOW_MINUTES, seconds=1)
    with pytest.raises(PermissionDenied, match=f"{EDIT_WINDOW_MINUTES} minutes"):
        comment_edit(comment=comment, user=alice, body="First")
    comment.refresh_from_db()
    assert comment.body == "Frist" and comment.edited_at is None


def test_an_edit_to_an_empty_body_is_refused(alice):
    comment = comment_post(author=alice, idea=IdeaFactory(), body="Keep me")
    with pytest.raises(ValidationError):
        comment_edit(comment=comment, user=alice, body="  ")
    comment.refresh_from_db()
    assert comment.body == "Keep me"


def test_another_member_may_not_edit_or_delete(alice, bob):
    comment = comment_post(author=alice, idea=IdeaFactory(), body="Mine")
    with pytest.raises(PermissionDenied):
        comment_edit(comment=comment, user=bob, body="Yours now")
    with pytest.raises(PermissionDenied):
        comment_delete(comment=comment, user=bob)
    comment.refresh_from_db()
    assert comment.body == "Mine" and comment.deleted_at is None


def test_a_deleted_comment_cannot_be_edited(alice):
    comment = comment_post(author=alice, idea=IdeaFactory(), body="Mine")
    comment_delete(comment=comment, user=alice)
    with pytest.raises(PermissionDenied):
        comment_edit(comment=comment, user=alice, body="Back again")


def test_delete_is_soft_and_replies_stay(clock, alice, bob):
    idea = IdeaFactory()
    top = comment_post(author=alice, idea=idea, body="Top")
    reply = comment_post(author=bob, idea=idea, body="Reply", parent=top)
    comment_delete(comment=top, user=alice)
    top.refresh_from_db()
    assert top.deleted_at == clock.now
    [entry] = comment_thread(idea=idea)
    assert entry.comment == top and entry.replies == [reply]


def test_deleting_twice_keeps_the_first_time(clock, alice):
    comment = comment_post(author=alice, idea=IdeaFactory(), body="Oops")
    comment_delete(comment=comment, user=alice)
    clock.advance(minutes=5)
    comment_delete(comment=comment, user=alice)
    comment.refresh_from_db()
    assert comment.deleted_at == START


def test_followers_are_notified_of_a_new_comment_but_not_the_commenter(alice, bob):
    idea = IdeaFactory(author=bob)
    comment = comment_post(author=alice, idea=idea, body="Great idea")
    [note] = Notification.objects.all()
    assert note.recipient == bob
    assert note.kind == Notification.Kind.COMMENT
    assert note.comment == comment and note.actor == alice
    assert note.message == f"alice commented on “{idea.title}”."


def test_commenting_makes_the_commenter_a_follower(alice, bob):
    idea = IdeaFactory()
    comment_post(author=alice, idea=idea, body="First")
    comment_post(author=bob, idea=idea, body="Second")
    assert Notification.objects.filter(recipient=alice, kind="comment").count() == 1


def test_the_thread_groups_replies_under_their_comment_oldest_first(clock):
    idea = IdeaFactory()
    first = CommentFactory(idea=idea, created_at=clock.now)
    second = CommentFactory(idea=idea, created_at=clock.now + dt.timedelta(minutes=1))
    late_reply = CommentFactory(
        idea=idea, parent=first, created_at=clock.now + dt.timedelta(minutes=3)
    )
    early_reply = CommentFactory(
        idea=idea, parent=first, created_at=clock.now + dt.timedelta(minutes=2)
    )
    CommentFactory()  # another idea's
    thread = comment_thread(idea=idea)
    assert [e.comment for e in thread] == [first, second]
    assert thread[0].replies == [early_reply, late_reply]
    assert thread[1].replies == []


def test_the_thread_is_one_query(django_assert_num_queries):
    idea = IdeaFactory()
    for top in CommentFactory.create_batch(3, idea=idea):
        CommentFactory.create_batch(2, idea=idea, parent=top, author=UserFactory())
    with django_assert_num_queries(1):
        thread = comment_thread(idea=idea)
        names = [r.author.username for e in thread for r in (e.comment, *e.replies)]
    assert len(names) == 9
