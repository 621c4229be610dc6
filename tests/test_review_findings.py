"""Regressions for the outside security review (issue 14): each test names its finding and
failed before its fix. The walk over every route that takes an idea or comment id (finding 1)
is tests/test_visibility_walk.py."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import BannedEmail, User
from actions.accounts import account_delete
from actions.comments import comment_post, comment_revise
from actions.ideas import idea_revise, idea_submit
from comments.models import Comment
from ideas.models import Idea
from moderation.bans import ban_create, ban_lift
from moderation.holds import hold_reason
from moderation.models import SpamRule
from tests.conftest import PASSWORD
from tests.factories import CommentFactory, IdeaFactory, UserFactory
from votes.models import Vote

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


# Finding 4: the spam rules apply to every write of user text, and every link form counts.


@pytest.mark.parametrize(
    "text",
    [
        "[cheap](//evil.example/)",
        "[cheap][1]\n\n[1]: //evil.example/deal",
        "<https://evil.example/deal>",
        r"[cheap](\/\/evil.example)",
    ],
)
def test_a_blocked_domain_is_caught_in_every_link_form(alice, text):
    SpamRule.objects.create(kind=SpamRule.Kind.DOMAIN, value="evil.example")
    assert hold_reason(author=alice, text=text) == "Link to a blocked domain: evil.example."


def test_protocol_relative_links_count_towards_the_limit(alice):
    text = " ".join(f"[{n}](//site{n}.example/)" for n in range(4))
    assert hold_reason(author=alice, text=text) == "More than 3 links (4)."


def test_editing_an_idea_to_add_a_blocked_word_holds_it(alice, category):
    SpamRule.objects.create(kind=SpamRule.Kind.WORD, value="casino")
    idea = idea_submit(
        author=alice, title="Longer battery", description="Please.", category=category
    )
    assert idea.held_at is None
    idea_revise(
        idea=idea, user=alice, title="Longer battery", description="Win at the casino",
        category=category,
    )  # fmt: skip
    idea.refresh_from_db()
    assert idea.held_at is not None
    assert not Idea.objects.visible().filter(pk=idea.pk).exists()


def test_editing_a_comment_to_add_links_holds_it(alice, bob, category):
    idea = IdeaFactory(category=category)
    comment = comment_post(author=alice, idea=idea, body="Agreed.")
    links = " ".join(f"https://site{n}.example/" for n in range(5))
    comment_revise(comment=comment, user=alice, body=f"Agreed. {links}")
    comment.refresh_from_db()
    assert comment.held_at is not None
    assert not Comment.objects.viewable_by(bob).filter(pk=comment.pk).exists()


def test_editing_through_the_page_and_the_api_applies_the_rules(alice, category):
    SpamRule.objects.create(kind=SpamRule.Kind.WORD, value="casino")
    idea = idea_submit(author=alice, title="A title", description="Text", category=category)
    response = api(alice).patch(
        f"/api/ideas/{idea.pk}/", {"description": "casino night"}, format="json"
    )
    assert response.status_code == 200
    idea.refresh_from_db()
    assert idea.held_at is not None
    comment = comment_post(author=alice, idea=IdeaFactory(category=category), body="Fine.")
    client = api(alice)
    client.force_login(alice)
    client.post(f"/comments/{comment.pk}/edit/", {"body": "casino tonight"}, format="multipart")
    comment.refresh_from_db()
    assert comment.held_at is not None


# Finding 5: only admins ban staff.


@pytest.mark.parametrize("target", ["pat", "other_moderator"])
def test_a_moderator_cannot_ban_staff(mo, pat, target):
    other = UserFactory(username="mo2")
    other.groups.add(*mo.groups.all())
    victim = pat if target == "pat" else other
    with pytest.raises(Exception, match="Only an admin"):
        ban_create(moderator=mo, user=victim, reason="Rogue", days=3)
    victim.refresh_from_db()
    assert not victim.is_banned


def test_an_admin_bans_and_lifts_a_moderator(mo):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    ban_create(moderator=admin, user=mo, reason="Abuse", days=3)
    mo.refresh_from_db()
    assert mo.is_banned
    ban_lift(moderator=admin, user=mo)
    mo.refresh_from_db()
    assert not mo.is_banned


def test_the_ban_routes_refuse_a_moderator_banning_a_product_manager(client, mo, pat):
    client.force_login(mo)
    response = client.post(
        reverse("moderation-ban", args=[pat.username]), {"reason": "x", "days": "3"}
    )
    assert response.status_code == 403
    response = api(mo).post(
        f"/api/moderation/users/{pat.username}/ban/", {"reason": "x", "days": 3}, format="json"
    )
    assert response.status_code == 403
    pat.refresh_from_db()
    assert not pat.is_banned
    assert "Ban user" not in client.get(f"/users/{pat.username}/").content.decode()


# Finding 8: deleting a banned account doesn't free its email for a new one.


def test_a_banned_member_cannot_come_back_by_deleting_the_account(client, mo):
    cheater = UserFactory(username="cheater", email="Cheater@Example.com")
    ban_create(moderator=mo, user=cheater, reason="Spam", days=30)
    cheater.refresh_from_db()
    account_delete(user=cheater)
    response = client.post(
        reverse("signup"),
        {
            "username": "fresh",
            "email": "cheater@example.com",
            "password1": "a-long-new-password",
            "password2": "a-long-new-password",
        },
    )
    assert response.status_code == 400
    assert "sign up again yet" in response.content.decode()
    assert not User.objects.filter(username="fresh").exists()


def test_the_email_signs_up_again_once_the_ban_is_over(client, mo):
    cheater = UserFactory(username="cheater", email="cheater@example.com")
    ban_create(moderator=mo, user=cheater, reason="Spam", days=1)
    cheater.refresh_from_db()
    account_delete(user=cheater)
    BannedEmail.objects.update(banned_until=timezone.now() - dt.timedelta(seconds=1))
    response = client.post(
        reverse("signup"),
        {
            "username": "fresh",
            "email": "cheater@example.com",
            "password1": "a-long-new-password",
            "password2": "a-long-new-password",
        },
    )
    assert response.status_code == 302
    assert BannedEmail.objects.get().email_hash != "cheater@example.com"


# Finding 7 (the part that needs no email verification): failed sign-ups count too.


def test_failed_sign_ups_count_towards_the_sign_up_limit(client, settings):
    settings.IDEAS_RATE_LIMITS = True
    settings.IDEAS_RATE_LIMIT_RATES = {**settings.IDEAS_RATE_LIMIT_RATES, "signup-ip": (2, 3600)}
    UserFactory(username="taken", email="taken@example.com")
    bad = {"username": "taken", "email": "x@example.com", "password1": "p", "password2": "q"}
    assert client.post(reverse("signup"), bad).status_code == 400
    assert client.post(reverse("signup"), bad).status_code == 400
    assert client.post(reverse("signup"), bad).status_code == 429


# Finding 10: smaller leaks.


def test_tags_used_only_on_unseen_ideas_are_not_listed(category, pat, client):
    now = timezone.now()
    IdeaFactory(category=category, held_at=now).tags.create(name="Secretheld", slug="secretheld")
    IdeaFactory(category=category, hidden_at=now).tags.create(name="Secrethid", slug="secrethid")
    IdeaFactory(category=category, withdrawn_at=now).tags.create(name="Secretwd", slug="secretwd")
    IdeaFactory(category=category).tags.create(name="Public", slug="public")
    names = [tag["name"] for tag in api().get("/api/tags/").json()["results"]]
    assert names == ["Public"]
    client.force_login(pat)
    page = client.get(reverse("pm-dashboard")).content.decode()
    assert "Public" in page
    assert "Secret" not in page


@pytest.mark.parametrize("state", ["held_at", "withdrawn_at", "hidden_at"])
def test_withdrawing_a_vote_on_an_unseen_idea_is_a_404_like_an_unknown_id(alice, category, state):
    idea = IdeaFactory(category=category)
    Vote.objects.create(voter=alice, idea=idea, value=1, created_at=timezone.now())
    Idea.objects.filter(pk=idea.pk).update(**{state: timezone.now()})
    response = api(alice).delete(f"/api/ideas/{idea.pk}/vote/")
    assert response.status_code == 404
    assert "score" not in response.json()
    assert api(alice).delete("/api/ideas/999999/vote/").status_code == 404


@pytest.mark.parametrize("state", ["held_at", "withdrawn_at"])
def test_the_merge_page_refuses_an_unseen_idea(client, pat, category, state):
    duplicate = IdeaFactory(category=category, title="A held duplicate")
    Idea.objects.filter(pk=duplicate.pk).update(**{state: timezone.now()})
    kept = IdeaFactory(category=category)
    client.force_login(pat)
    response = client.post(reverse("idea-merge", args=[duplicate.pk]), {"into": kept.pk})
    assert response.status_code in (400, 404)
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None


def test_a_member_logs_in_with_the_cast_password(alice, client):
    """The cast's password still works after the changes (a sanity check for this file)."""
    assert client.login(username=alice.username, password=PASSWORD)


def test_a_comment_on_a_hidden_idea_is_not_reachable_for_a_reply(alice, bob, category):
    hidden = IdeaFactory(category=category, hidden_at=timezone.now())
    comment = CommentFactory(idea=hidden, author=alice)
    assert not Comment.objects.reachable_by(bob).filter(pk=comment.pk).exists()
    assert not Comment.objects.reachable_by(alice).filter(pk=comment.pk).exists()
