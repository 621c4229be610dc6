"""The moderators' actions on content: hide, restore (which also approves a held post),
dismiss flags, and the same in bulk. Each is audited with the state before and after."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from actions.moderation import content_hide, content_restore, flags_dismiss, moderation_bulk
from comments.models import Comment
from core.models import AuditEntry
from ideas.models import Idea
from moderation.models import Flag
from tests.factories import IdeaFactory, UserFactory
from tests.moderation.conftest import make_comment

pytestmark = pytest.mark.django_db


def flag(target, *, by, reason: str = "spam", note: str = "") -> Flag:
    kind = "idea" if isinstance(target, Idea) else "comment"
    return Flag.objects.create(
        flagger=by, reason=reason, note=note, created_at=timezone.now(), **{kind: target}
    )


def fresh(target):
    return type(target).objects.get(pk=target.pk)


def test_hiding_an_idea_takes_it_off_the_board_resolves_its_flags_and_is_audited(
    mo, alice, bobs_idea
):
    flag(bobs_idea, by=alice)
    content_hide(moderator=mo, target=bobs_idea, reason="Advert")
    assert fresh(bobs_idea).hidden_at is not None
    assert not Idea.objects.visible().filter(pk=bobs_idea.pk).exists()
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_type, entry.target_id, entry.reason) == (
        mo,
        "idea.hidden",
        "idea",
        bobs_idea.pk,
        "Advert",
    )
    assert entry.before == {"hidden_at": None, "held_at": None, "open_flags": 1}
    assert entry.after["hidden_at"] is not None and entry.after["open_flags"] == 0


def test_hiding_an_idea_invalidates_the_cached_lists(mo, bobs_idea):
    with mock.patch("actions.moderation.board_changed") as changed:
        content_hide(moderator=mo, target=bobs_idea, reason="Advert")
    changed.assert_called_once_with()


def test_hiding_a_comment_leaves_the_board_cache_alone(mo, bobs_comment):
    with mock.patch("actions.moderation.board_changed") as changed:
        content_hide(moderator=mo, target=bobs_comment, reason="Rude")
    changed.assert_not_called()
    assert fresh(bobs_comment).hidden_at is not None
    assert AuditEntry.objects.get().action == "comment.hidden"


def test_hiding_without_a_reason_takes_the_flags_reasons(mo, alice, bob, bobs_idea):
    flag(bobs_idea, by=alice, reason="spam")
    flag(bobs_idea, by=UserFactory(), reason="abusive")
    content_hide(moderator=mo, target=bobs_idea, reason="  ")
    assert AuditEntry.objects.get().reason == "Flagged: Abusive, Spam"


def test_hiding_without_a_reason_or_a_flag_is_refused(mo, bobs_idea):
    with pytest.raises(ValidationError, match="Say why you are hiding it"):
        content_hide(moderator=mo, target=bobs_idea, reason="")
    assert fresh(bobs_idea).hidden_at is None
    assert not AuditEntry.objects.exists()


def test_hiding_what_is_hidden_is_refused(mo, bobs_idea):
    content_hide(moderator=mo, target=bobs_idea, reason="Advert")
    with pytest.raises(ValidationError, match="already hidden"):
        content_hide(moderator=mo, target=bobs_idea, reason="Again")
    assert AuditEntry.objects.count() == 1


@pytest.mark.parametrize("who", ["alice", "pat"])
def test_only_moderators_act(request, who, bobs_idea, bobs_comment):
    user = request.getfixturevalue(who)
    flag(bobs_idea, by=UserFactory())
    for action in (content_hide, content_restore, flags_dismiss):
        for target in (bobs_idea, bobs_comment):
            with pytest.raises(PermissionDenied):
                action(moderator=user, target=target, reason="x")
    assert fresh(bobs_idea).hidden_at is None
    assert not AuditEntry.objects.exists()


def test_a_superuser_is_a_moderator(bobs_idea):
    root = UserFactory(username="root", is_superuser=True)
    content_hide(moderator=root, target=bobs_idea, reason="Advert")
    assert fresh(bobs_idea).hidden_at is not None


def test_restoring_shows_it_again_and_resolves_its_flags(mo, alice, bobs_idea):
    content_hide(moderator=mo, target=bobs_idea, reason="Advert")
    flag_after = flag(bobs_idea, by=alice)  # flags can arrive while it is hidden
    with mock.patch("actions.moderation.board_changed") as changed:
        content_restore(moderator=mo, target=bobs_idea, reason="Not an advert after all")
    changed.assert_called_once_with()
    assert Idea.objects.visible().filter(pk=bobs_idea.pk).exists()
    flag_after.refresh_from_db()
    assert flag_after.resolved_at is not None
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "idea.restored" and entry.reason == "Not an advert after all"
    assert entry.before["hidden_at"] is not None and entry.before["open_flags"] == 1
    assert entry.after == {"hidden_at": None, "held_at": None, "open_flags": 0}


def test_restoring_a_held_post_approves_it(mo, bob, bobs_idea):
    comment = make_comment(idea=bobs_idea, author=bob, held_at=timezone.now())
    Idea.objects.filter(pk=bobs_idea.pk).update(held_at=timezone.now())
    content_restore(moderator=mo, target=fresh(bobs_idea))
    content_restore(moderator=mo, target=comment)
    assert fresh(bobs_idea).held_at is None and fresh(comment).held_at is None
    assert Idea.objects.visible().filter(pk=bobs_idea.pk).exists()
    assert [e.action for e in AuditEntry.objects.order_by("id")] == [
        "idea.restored",
        "comment.restored",
    ]


def test_restoring_a_hidden_held_post_clears_both(mo, bobs_comment):
    Comment.objects.filter(pk=bobs_comment.pk).update(held_at=timezone.now())
    content_hide(moderator=mo, target=fresh(bobs_comment), reason="Spam")
    content_restore(moderator=mo, target=fresh(bobs_comment))
    comment = fresh(bobs_comment)
    assert comment.hidden_at is None and comment.held_at is None


def test_restoring_what_is_visible_is_refused(mo, bobs_idea, bobs_comment):
    with pytest.raises(ValidationError, match="neither hidden nor waiting for review"):
        content_restore(moderator=mo, target=bobs_idea)
    with pytest.raises(ValidationError, match="comment is neither hidden"):
        content_restore(moderator=mo, target=bobs_comment)
    assert not AuditEntry.objects.exists()


def test_dismissing_flags_resolves_them_and_leaves_the_content(mo, alice, bobs_comment):
    flag(bobs_comment, by=alice, reason="abusive")
    flags_dismiss(moderator=mo, target=bobs_comment, reason="Robust, not abusive")
    assert fresh(bobs_comment).hidden_at is None
    assert Flag.objects.get().resolved_at is not None
    entry = AuditEntry.objects.get()
    assert entry.action == "comment.flags_dismissed"
    assert (entry.before["open_flags"], entry.after["open_flags"]) == (1, 0)


def test_dismissing_with_no_open_flag_is_refused(mo, alice, bobs_idea):
    with pytest.raises(ValidationError, match="no open flags"):
        flags_dismiss(moderator=mo, target=bobs_idea)
    flag(bobs_idea, by=alice)
    flags_dismiss(moderator=mo, target=bobs_idea)
    with pytest.raises(ValidationError, match="no open flags"):
        flags_dismiss(moderator=mo, target=bobs_idea)


def test_a_reason_too_long_is_refused(mo, bobs_idea):
    with pytest.raises(ValidationError, match="500 characters"):
        content_hide(moderator=mo, target=bobs_idea, reason="x" * 501)


def test_bulk_applies_to_each_and_reports_the_skipped(mo, alice, bob, bobs_idea, bobs_comment):
    other = IdeaFactory(author=bob, title="Another advert")
    content_hide(moderator=mo, target=other, reason="Advert")
    result = moderation_bulk(
        moderator=mo, action="hide", targets=[bobs_idea, bobs_comment, fresh(other)], reason="Ads"
    )
    assert result.done == [bobs_idea, bobs_comment]
    assert [(t, why) for t, why in result.skipped] == [(other, "This idea is already hidden.")]
    assert fresh(bobs_idea).hidden_at and fresh(bobs_comment).hidden_at
    assert AuditEntry.objects.filter(reason="Ads").count() == 2


def test_bulk_dismiss_skips_the_unflagged(mo, alice, bobs_idea, bobs_comment):
    flag(bobs_comment, by=alice)
    result = moderation_bulk(moderator=mo, action="dismiss", targets=[bobs_idea, bobs_comment])
    assert result.done == [bobs_comment]
    assert result.skipped == [(bobs_idea, "This idea has no open flags.")]


def test_bulk_refuses_an_unknown_action_and_a_member(mo, alice, bobs_idea):
    with pytest.raises(ValidationError):
        moderation_bulk(moderator=mo, action="delete", targets=[bobs_idea])
    with pytest.raises(PermissionDenied):
        moderation_bulk(moderator=alice, action="hide", targets=[bobs_idea], reason="x")
    assert fresh(bobs_idea).hidden_at is None


def test_bulk_is_one_transaction(mo, bob, bobs_idea):
    second = IdeaFactory(author=bob)
    with (
        mock.patch("actions.moderation.audit_record", side_effect=[None, RuntimeError("down")]),
        pytest.raises(RuntimeError),
    ):
        moderation_bulk(moderator=mo, action="hide", targets=[bobs_idea, second], reason="Ads")
    assert fresh(bobs_idea).hidden_at is None and fresh(second).hidden_at is None
