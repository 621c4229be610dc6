"""What a visitor pressed before logging in is done when they log in or sign up (issue 15, "The
action survives the login"): core.pending keeps it in the session, web.pending acts on it."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from core import pending
from ideas.models import Idea
from moderation.bans import ban_create
from notifications.models import Follow
from tests.conftest import PASSWORD
from tests.factories import IdeaFactory
from votes.models import Vote

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
LOGIN = reverse("login")


@pytest.fixture
def idea(bob):
    return IdeaFactory(author=bob, title="Dark mode")


def vote(client, idea, value: str = "1", **kwargs):
    data = {"value": value, "next": idea.get_absolute_url()}
    return client.post(reverse("idea-vote", args=[idea.pk]), data, **kwargs)


def log_in(client, username: str, next_url: str):
    data = {"username": username, "password": PASSWORD, "next": next_url}
    return client.post(LOGIN, data, follow=True)


def shown(response) -> list[str]:
    """The messages the page showed (base.html renders each in a <p class="message ...">)."""
    found = re.findall(r'<p class="message message-\w+">([^<]*)</p>', response.content.decode())
    return [html.unescape(message) for message in found]


def pressed(html: str, idea, button: str) -> str:
    tag = re.search(rf'<button[^>]*id="vote-{idea.pk}-{button}"[^>]*>', html, re.S).group()
    return re.search(r'aria-pressed="(\w+)"', tag).group(1)


def score(idea) -> int:
    return Idea.objects.get(pk=idea.pk).score


# Voting


@pytest.mark.parametrize(("value", "button"), [("1", "promote"), ("-1", "demote")])
def test_visitor_votes_then_logs_in_and_lands_on_the_idea_with_the_vote_in(
    client, alice, idea, value, button
):
    response = vote(client, idea, value)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={idea.get_absolute_url()}"
    assert not Vote.objects.exists()

    page = log_in(client, "alice", idea.get_absolute_url())

    assert page.redirect_chain[-1][0] == idea.get_absolute_url()
    assert Vote.objects.get().voter == alice
    assert score(idea) == int(value)
    assert pressed(page.content.decode(), idea, button) == "true"
    assert shown(page) == ["Your vote is in."]


def test_visitor_votes_then_signs_up_and_is_welcomed_with_the_vote_in(client, idea):
    vote(client, idea)
    data = {
        "username": "newcomer",
        "email": "newcomer@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "next": idea.get_absolute_url(),
    }
    page = client.post(reverse("signup"), data, follow=True)

    assert page.redirect_chain[-1][0] == idea.get_absolute_url()
    assert Vote.objects.get().voter.username == "newcomer"
    assert score(idea) == 1
    assert pressed(page.content.decode(), idea, "promote") == "true"
    messages = shown(page)
    assert "Your vote is in." in messages
    assert any(message.startswith("Welcome") and "newcomer" in message for message in messages)


def test_every_kind_of_log_in_acts_on_it(client, alice, idea):
    # Email sign-in links and single sign-on end in django.contrib.auth.login too.
    vote(client, idea)
    client.force_login(alice)
    assert score(idea) == 1


def test_visitor_htmx_vote_is_remembered_before_the_hx_redirect(client, alice, idea):
    response = vote(client, idea, headers=HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{LOGIN}?next={idea.get_absolute_url()}"
    page = log_in(client, "alice", idea.get_absolute_url())
    assert score(idea) == 1
    assert shown(page) == ["Your vote is in."]


def test_double_click_before_logging_in_counts_one_vote(client, alice, idea):
    vote(client, idea)
    vote(client, idea)
    log_in(client, "alice", idea.get_absolute_url())
    assert Vote.objects.count() == 1
    assert score(idea) == 1


def test_the_last_button_pressed_wins(client, alice, idea):
    vote(client, idea, "1")
    vote(client, idea, "-1")
    log_in(client, "alice", idea.get_absolute_url())
    assert Vote.objects.get().value == -1


def test_a_withdrawal_or_a_bad_value_is_not_remembered(client, idea):
    vote(client, idea, "0")
    vote(client, idea, "2")
    assert pending.ACTION_KEY not in client.session


def test_an_intent_older_than_ten_minutes_is_dropped(client, alice, idea):
    vote(client, idea)
    session = client.session
    old = timezone.now() - pending.MAX_AGE - dt.timedelta(seconds=1)
    session[pending.ACTION_KEY]["at"] = old.isoformat()
    session.save()

    page = log_in(client, "alice", idea.get_absolute_url())

    assert not Vote.objects.exists()
    assert shown(page) == []
    assert pressed(page.content.decode(), idea, "promote") == "false"


def test_an_intent_survives_one_log_in_only(client, alice, idea):
    vote(client, idea)
    log_in(client, "alice", idea.get_absolute_url())
    assert pending.ACTION_KEY not in client.session
    vote(client, idea, "0")  # alice withdraws it
    client.force_login(alice)  # a second log-in in the same session
    assert not Vote.objects.exists()


def test_a_wrong_password_keeps_it_for_the_next_try(client, alice, idea):
    vote(client, idea)
    client.post(LOGIN, {"username": "alice", "password": "wrong", "next": "/"})
    assert not Vote.objects.exists()
    log_in(client, "alice", idea.get_absolute_url())
    assert score(idea) == 1


def test_idea_hidden_meanwhile_gets_a_message_and_no_vote(client, alice, idea):
    vote(client, idea)
    Idea.objects.filter(pk=idea.pk).update(hidden_at=timezone.now())

    page = log_in(client, "alice", idea.get_absolute_url())

    assert page.redirect_chain[0][1] == 302  # logged in all the same
    assert page.status_code == 404  # the idea is gone for alice; the page says why
    assert not Vote.objects.exists()
    assert shown(page) == ["That idea no longer takes votes."]


def test_a_banned_member_is_told_why_and_nothing_is_done(client, mo, alice, idea):
    ban_create(moderator=mo, user=alice, reason="Posting adverts", days=7)
    vote(client, idea)
    page = log_in(client, "alice", idea.get_absolute_url())
    assert not Vote.objects.exists()
    [message] = shown(page)
    assert message.startswith("You are banned until") and "Posting adverts" in message


def test_over_the_vote_limit_the_vote_waits_and_the_limit_is_said(client, alice, idea, settings):
    settings.IDEAS_RATE_LIMITS = True
    settings.IDEAS_RATE_LIMIT_RATES = {**settings.IDEAS_RATE_LIMIT_RATES, "vote": (0, 60)}
    vote(client, idea)
    page = log_in(client, "alice", idea.get_absolute_url())
    assert not Vote.objects.exists()
    assert shown(page)[0].startswith("You're voting faster than we allow")


# Following


def test_visitor_follows_then_logs_in_and_follows(client, alice, idea):
    response = client.post(reverse("idea-follow", args=[idea.pk]), {"following": "1"})
    assert response.url == f"{LOGIN}?next={idea.get_absolute_url()}"

    page = log_in(client, "alice", idea.get_absolute_url())

    assert Follow.objects.get(user=alice, idea=idea).following
    html = page.content.decode()
    assert re.search(
        r'aria-pressed="true"[^>]*>\s*<span aria-hidden="true">✓ </span>Unfollow', html
    )
    assert shown(page) == ["You follow this idea."]


def test_the_idea_page_offers_a_visitor_follow_and_vote_forms_that_post(client, idea):
    html = client.get(idea.get_absolute_url()).content.decode()
    assert f'action="{reverse("idea-follow", args=[idea.pk])}"' in html
    assert f'action="{reverse("idea-vote", args=[idea.pk])}"' in html
    assert html.count('name="csrfmiddlewaretoken"') >= 3  # vote, follow, comment


# Commenting


def test_visitor_comment_comes_back_as_a_draft_not_posted(client, alice, idea):
    body = "Please add it\nto the <b>mobile</b> app too"
    response = client.post(reverse("comment-create", args=[idea.pk]), {"body": body})
    assert response.url == f"{LOGIN}?next={idea.get_absolute_url()}%23comments"

    page = log_in(client, "alice", f"{idea.get_absolute_url()}#comments")

    assert not Comment.objects.exists()
    html = page.content.decode()
    textarea = re.search(r'<textarea id="comment-body"[^>]*>\n(.*?)</textarea>', html, re.S)
    assert textarea.group(1) == "Please add it\nto the &lt;b&gt;mobile&lt;/b&gt; app too"
    assert "autofocus" in re.search(r'<textarea id="comment-body"[^>]*>', html).group()
    assert shown(page) == ["Your comment is ready: press Post comment."]
    # Shown once: the next visit has an empty box.
    again = client.get(idea.get_absolute_url()).content.decode()
    assert re.search(r'<textarea id="comment-body"[^>]*>\n</textarea>', again)


def test_a_draft_shows_only_on_its_own_idea(client, alice, idea):
    other = IdeaFactory()
    client.post(reverse("comment-create", args=[idea.pk]), {"body": "For Dark mode"})
    log_in(client, "alice", "/")
    assert "For Dark mode" not in client.get(other.get_absolute_url()).content.decode()
    assert "For Dark mode" in client.get(idea.get_absolute_url()).content.decode()


def test_visitor_comment_with_a_control_character_is_refused_and_kept_in_the_form(client, idea):
    response = client.post(reverse("comment-create", args=[idea.pk]), {"body": "Bell\x07"})
    assert response.status_code == 400
    assert "Remove the control character at position 5." in response.content.decode()
    assert pending.ACTION_KEY not in client.session


def test_a_stored_draft_is_cut_to_the_comment_limit(rf):
    request = rf.post("/")
    request.session = {}
    assert pending.remember_comment(request, idea_id=1, body="x" * 6000)
    assert len(request.session[pending.ACTION_KEY]["body"]) == pending.MAX_BODY
    assert not pending.remember_comment(request, idea_id=1, body="nul\x00")
