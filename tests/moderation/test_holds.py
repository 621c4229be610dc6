import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from actions.comments import comment_post
from actions.ideas import idea_submit
from comments.models import Comment
from core.models import AuditEntry
from ideas.models import Idea
from moderation.holds import NEW_ACCOUNT, hold_reason
from moderation.models import SpamRule
from moderation.services import flag_create
from notifications.models import Follow, Notification
from tests.factories import CommentFactory, IdeaFactory, UserFactory
from tests.moderation.conftest import make_comment

pytestmark = pytest.mark.django_db

WAITING = "Waiting for review: a moderator will look at it soon."


@pytest.fixture
def hold_new(settings):
    settings.IDEAS_HOLD_NEW_ACCOUNTS = True


def submit(author, category, description="Please build it.", title="An idea") -> Idea:
    return idea_submit(author=author, title=title, description=description, category=category)


# hold_reason


def test_new_accounts_are_not_held_with_the_setting_off(alice):
    assert hold_reason(author=alice, text="Hello") is None


def test_new_accounts_are_held_with_the_setting_on(hold_new, alice):
    assert hold_reason(author=alice, text="Hello") == NEW_ACCOUNT


def test_an_account_with_a_shown_post_is_not_new(hold_new, alice, bob):
    CommentFactory(author=alice)
    IdeaFactory(author=bob, held_at="2025-01-01T00:00Z")
    assert hold_reason(author=alice, text="Hello") is None
    assert hold_reason(author=bob, text="Hello") == NEW_ACCOUNT


def test_a_hidden_post_does_not_make_an_account_established(hold_new, alice):
    IdeaFactory(author=alice, hidden_at="2025-01-01T00:00Z")
    assert hold_reason(author=alice, text="Hello") == NEW_ACCOUNT


def test_staff_are_never_held(hold_new, pat, mo):
    root = UserFactory(username="root", is_superuser=True)
    for user in (pat, mo, root):
        assert hold_reason(author=user, text="Hello") is None


def test_more_than_three_links_are_held_whatever_the_setting(alice):
    three = " ".join(f"https://example.com/{n}" for n in range(3))
    assert hold_reason(author=alice, text=three) is None
    four = f"{three} [more](http://example.org/x)"
    assert hold_reason(author=alice, text=four) == "More than 3 links (4)."


def test_blocked_words_match_whole_words_in_any_case(alice):
    SpamRule.objects.create(kind="word", value="casino")
    assert hold_reason(author=alice, text="Best CASINO bonus") == "Blocked word: casino."
    assert hold_reason(author=alice, text="casino!") == "Blocked word: casino."
    assert hold_reason(author=alice, text="Occasional casinos nearby") is None


def test_blocked_domains_match_the_domain_and_its_subdomains(alice):
    SpamRule.objects.create(kind="domain", value="Spam.test")
    reason = "Link to a blocked domain: spam.test."
    assert hold_reason(author=alice, text="See https://spam.test/x") == reason
    assert hold_reason(author=alice, text="[a](http://www.SPAM.test)") == reason
    assert hold_reason(author=alice, text="https://notspam.test and spam.test") is None
    assert hold_reason(author=alice, text="https://spam.test.example.com/") is None


def test_spam_rules_hold_staff_too(mo):
    SpamRule.objects.create(kind="word", value="casino")
    assert hold_reason(author=mo, text="casino") == "Blocked word: casino."


# The services


def test_idea_is_shown_at_once_with_the_setting_off(alice, category):
    idea = submit(alice, category)
    assert idea.held_at is None and Idea.objects.visible().filter(pk=idea.pk).exists()
    assert not AuditEntry.objects.exists()


def test_new_accounts_first_idea_is_held_and_audited(hold_new, alice, category):
    idea = submit(alice, category)
    assert idea.held_at is not None
    assert not Idea.objects.visible().filter(pk=idea.pk).exists()
    entry = AuditEntry.objects.get(action="idea.held")
    assert (entry.actor, entry.target_id, entry.reason) == (None, idea.pk, NEW_ACCOUNT)


def test_once_a_post_is_approved_the_member_is_no_longer_held(hold_new, alice, category):
    first = submit(alice, category)
    Idea.objects.filter(pk=first.pk).update(held_at=None)  # what a moderator's restore does
    assert submit(alice, category, title="Second").held_at is None


def test_spam_idea_is_held_with_the_setting_off(alice, category):
    SpamRule.objects.create(kind="word", value="casino")
    idea = submit(alice, category, title="Casino night")
    assert idea.held_at is not None
    assert AuditEntry.objects.get(action="idea.held").reason == "Blocked word: casino."


def test_held_comment_is_audited_and_followers_are_not_notified(alice, bob, bobs_idea):
    Follow.objects.create(user=bob, idea=bobs_idea, following=True)
    SpamRule.objects.create(kind="domain", value="spam.test")
    comment = comment_post(author=alice, idea=bobs_idea, body="Go to https://spam.test")
    assert comment.held_at is not None
    assert AuditEntry.objects.get(action="comment.held").target_id == comment.pk
    assert not Notification.objects.exists()
    comment_post(author=alice, idea=bobs_idea, body="A fine comment")
    assert Notification.objects.get().recipient == bob


def test_new_accounts_comment_is_held(hold_new, alice, bobs_idea):
    assert comment_post(author=alice, idea=bobs_idea, body="Hi").held_at is not None


# Who sees what


@pytest.fixture
def held_idea(alice, category):
    SpamRule.objects.create(kind="word", value="casino")
    return submit(alice, category, title="Casino ideas")


def test_author_sees_their_held_idea_waiting_for_review(alice_client, held_idea):
    response = alice_client.get(held_idea.get_absolute_url())
    assert response.status_code == 200 and WAITING in response.content.decode()


def test_others_get_404_for_a_held_idea_and_do_not_find_it(client, bob, held_idea):
    assert client.get(held_idea.get_absolute_url()).status_code == 404
    client.force_login(bob)
    assert client.get(held_idea.get_absolute_url()).status_code == 404
    assert held_idea.title not in client.get(reverse("idea-list")).content.decode()
    assert client.get(f"/api/ideas/{held_idea.pk}/").status_code == 404


def test_moderators_see_held_and_hidden_ideas(client, mo, held_idea, bob):
    hidden = IdeaFactory(author=bob, hidden_at="2025-01-01T00:00Z")
    client.force_login(mo)
    response = client.get(held_idea.get_absolute_url())
    assert response.status_code == 200 and "Held for review" in response.content.decode()
    response = client.get(hidden.get_absolute_url())
    assert response.status_code == 200 and "Hidden: only moderators" in response.content.decode()


def test_author_does_not_see_their_hidden_idea(alice_client, alice):
    hidden = IdeaFactory(author=alice, hidden_at="2025-01-01T00:00Z")
    assert alice_client.get(hidden.get_absolute_url()).status_code == 404


def test_held_idea_submitted_on_the_page_says_it_waits(hold_new, alice_client, category):
    response = alice_client.post(
        reverse("idea-new"),
        {
            "title": "Standard cables",
            "description": "One plug for every notebook.",
            "category": "notebooks",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Thanks! Waiting for review" in response.content.decode()


@pytest.fixture
def comments(alice, bob, bobs_idea):
    """On bob's idea: a shown comment by bob, a held one by alice, a hidden one by bob."""
    return {
        "shown": make_comment(idea=bobs_idea, author=bob, body="Shown to all"),
        "held": make_comment(
            idea=bobs_idea, author=alice, body="Held for now", held_at="2025-01-01T00:00Z"
        ),
        "hidden": make_comment(
            idea=bobs_idea, author=bob, body="Hidden away", hidden_at="2025-01-01T00:00Z"
        ),
    }


def page_of(client, idea) -> str:
    return client.get(idea.get_absolute_url()).content.decode()


def test_thread_hides_held_and_hidden_comments_from_others(client, bob, bobs_idea, comments):
    for viewer in (None, bob):
        if viewer:
            client.force_login(viewer)
        html = page_of(client, bobs_idea)
        assert "Shown to all" in html
        assert "Held for now" not in html and "Hidden away" not in html
        assert "Comments (1)" in html


def test_author_sees_their_held_comment_waiting(alice_client, bobs_idea, comments):
    html = page_of(alice_client, bobs_idea)
    assert "Held for now" in html and WAITING in html and "Hidden away" not in html


def test_moderators_see_held_and_hidden_comments(client, mo, bobs_idea, comments):
    client.force_login(mo)
    html = page_of(client, bobs_idea)
    assert all(text in html for text in ("Shown to all", "Held for now", "Hidden away"))


def test_comments_api_lists_only_what_the_viewer_may_see(alice, bobs_idea, comments):
    url = f"/api/ideas/{bobs_idea.pk}/comments/"
    bodies = [c["body"] for c in APIClient().get(url).json()["results"]]
    assert bodies == ["Shown to all"]
    api = APIClient()
    api.force_authenticate(alice)
    assert [c["body"] for c in api.get(url).json()["results"]] == ["Shown to all", "Held for now"]


def test_profile_recent_comments_skip_held_and_hidden(client, alice, bob, comments):
    html = client.get(reverse("profile", args=["alice"])).content.decode()
    assert "Held for now" not in html
    html = client.get(reverse("profile", args=["bob"])).content.decode()
    assert "Shown to all" in html and "Hidden away" not in html


# Flags threshold


def test_enough_unresolved_flags_hide_an_idea(settings, bobs_idea):
    settings.IDEAS_FLAGS_TO_HIDE = 3
    flaggers = [UserFactory() for _ in range(3)]
    for flagger in flaggers[:2]:
        flag_create(flagger=flagger, target=bobs_idea, reason="spam")
    bobs_idea.refresh_from_db()
    assert bobs_idea.hidden_at is None
    flag_create(flagger=flaggers[2], target=bobs_idea, reason="spam")
    bobs_idea.refresh_from_db()
    assert bobs_idea.hidden_at is not None
    entry = AuditEntry.objects.get(action="idea.auto_hidden")
    assert (entry.actor, entry.target_id) == (None, bobs_idea.pk)
    flag_create(flagger=UserFactory(), target=bobs_idea, reason="spam")
    assert AuditEntry.objects.filter(action="idea.auto_hidden").count() == 1


def test_resolved_flags_do_not_count(settings, bobs_comment):
    settings.IDEAS_FLAGS_TO_HIDE = 2
    first = flag_create(flagger=UserFactory(), target=bobs_comment, reason="spam")
    type(first).objects.filter(pk=first.pk).update(resolved_at="2025-01-01T00:00Z")
    flag_create(flagger=UserFactory(), target=bobs_comment, reason="spam")
    assert Comment.objects.get(pk=bobs_comment.pk).hidden_at is None
    flag_create(flagger=UserFactory(), target=bobs_comment, reason="abusive")
    assert Comment.objects.get(pk=bobs_comment.pk).hidden_at is not None
    assert AuditEntry.objects.get(action="comment.auto_hidden").target_id == bobs_comment.pk
