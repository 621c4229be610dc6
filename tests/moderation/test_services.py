import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from moderation import services
from moderation.models import Flag
from moderation.services import flag_create
from tests.factories import IdeaFactory
from tests.moderation.conftest import make_comment

pytestmark = pytest.mark.django_db


def refusal(**kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        flag_create(**kwargs)
    return caught.value


def test_member_flags_an_idea(alice, bobs_idea):
    flag = flag_create(flagger=alice, target=bobs_idea, reason="spam", note="  ads  ")
    flag.refresh_from_db()
    assert (flag.flagger, flag.idea, flag.comment, flag.reason, flag.note) == (
        alice, bobs_idea, None, "spam", "ads"
    )  # fmt: skip
    assert flag.created_at is not None and flag.resolved_at is None


def test_member_flags_a_comment(alice, bobs_comment):
    flag = flag_create(flagger=alice, target=bobs_comment, reason="abusive")
    assert (flag.idea, flag.comment, flag.note) == (None, bobs_comment, "")


@pytest.mark.parametrize("kind", ["idea", "comment"])
def test_flagging_twice_is_refused(alice, bobs_idea, bobs_comment, kind):
    target = bobs_idea if kind == "idea" else bobs_comment
    flag_create(flagger=alice, target=target, reason="spam")
    error = refusal(flagger=alice, target=target, reason="abusive")
    assert error.messages == ["You have already flagged this."]
    assert Flag.objects.get().reason == "spam"


def test_a_member_may_flag_an_idea_and_its_comment_and_others_may_flag_too(
    alice, pat, bobs_idea, bobs_comment
):
    flag_create(flagger=alice, target=bobs_idea, reason="spam")
    flag_create(flagger=alice, target=bobs_comment, reason="spam")
    flag_create(flagger=pat, target=bobs_idea, reason="duplicate")
    assert Flag.objects.count() == 3


@pytest.mark.parametrize("kind", ["idea", "comment"])
def test_flagging_your_own_content_is_refused(bob, bobs_idea, bobs_comment, kind):
    target = bobs_idea if kind == "idea" else bobs_comment
    error = refusal(flagger=bob, target=target, reason="spam")
    assert error.messages == [f"You can't flag your own {kind}."]
    assert not Flag.objects.exists()


def test_a_withdrawn_idea_cannot_be_flagged(alice, bobs_idea):
    bobs_idea.withdrawn_at = timezone.now()
    bobs_idea.save(update_fields=["withdrawn_at"])
    assert refusal(flagger=alice, target=bobs_idea, reason="spam").messages == [
        "This idea was withdrawn."
    ]


def test_a_comment_on_a_withdrawn_idea_cannot_be_flagged(alice, bobs_idea, bobs_comment):
    bobs_idea.withdrawn_at = timezone.now()
    bobs_idea.save(update_fields=["withdrawn_at"])
    bobs_comment.refresh_from_db()
    assert refusal(flagger=alice, target=bobs_comment, reason="spam").messages == [
        "This idea was withdrawn."
    ]


def test_a_deleted_comment_cannot_be_flagged(alice, bob):
    comment = make_comment(idea=IdeaFactory(), author=bob, deleted_at=timezone.now())
    assert refusal(flagger=alice, target=comment, reason="spam").messages == [
        "This comment was deleted."
    ]


@pytest.mark.parametrize("note", ["", "   "])
def test_other_needs_a_note(alice, bobs_idea, note):
    error = refusal(flagger=alice, target=bobs_idea, reason="other", note=note)
    assert list(error.message_dict) == ["note"]
    assert not Flag.objects.exists()


def test_other_with_a_note_is_accepted(alice, bobs_idea):
    flag = flag_create(flagger=alice, target=bobs_idea, reason="other", note="Copied from X")
    assert (flag.reason, flag.note) == ("other", "Copied from X")


def test_an_unknown_reason_is_refused(alice, bobs_idea):
    error = refusal(flagger=alice, target=bobs_idea, reason="boring")
    assert list(error.message_dict) == ["reason"]


def test_a_note_over_500_characters_is_refused(alice, bobs_idea):
    error = refusal(flagger=alice, target=bobs_idea, reason="spam", note="x" * 501)
    assert list(error.message_dict) == ["note"]


def test_a_flag_lost_in_a_race_gets_the_same_message(alice, bobs_idea, monkeypatch):
    flag_create(flagger=alice, target=bobs_idea, reason="spam")
    # As if the other request inserted between this one's check and its insert.
    real_exists, calls = services.has_flagged, []

    def stale_first_check(**kwargs) -> bool:
        calls.append(kwargs)
        return len(calls) > 1 and real_exists(**kwargs)

    monkeypatch.setattr(services, "has_flagged", stale_first_check)
    error = refusal(flagger=alice, target=bobs_idea, reason="abusive")
    assert error.messages == ["You have already flagged this."]
    assert len(calls) == 2 and Flag.objects.count() == 1


def test_the_database_refuses_a_flag_on_two_targets_or_none(alice, bobs_idea, bobs_comment):
    now = timezone.now()
    with pytest.raises(IntegrityError):
        Flag.objects.create(
            flagger=alice, idea=bobs_idea, comment=bobs_comment, reason="spam", created_at=now
        )


def test_the_database_refuses_a_flag_on_nothing(alice):
    with pytest.raises(IntegrityError):
        Flag.objects.create(flagger=alice, reason="spam", created_at=timezone.now())


def test_content_with_no_author_left_can_be_flagged(alice):
    idea = IdeaFactory(author=None)
    assert flag_create(flagger=alice, target=idea, reason="spam").idea == idea
