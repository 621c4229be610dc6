import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actions.comments import comment_post
from actions.ideas import idea_submit
from core.models import AuditEntry
from core.roles import PERMANENT, ban_message, ban_until_text
from moderation.bans import ban_create, ban_lift
from moderation.models import Ban, Flag
from moderation.services import flag_create
from notifications.models import Follow
from notifications.services import follow_set
from tests.factories import NotificationFactory, UserFactory
from tests.test_forbidden import HTMX, assert_shown_at_the_top, assert_whole_page
from votes.models import Vote

pytestmark = pytest.mark.django_db

REASON = "Posting adverts"


@pytest.fixture
def banned_alice(mo, alice):
    ban_create(moderator=mo, user=alice, reason=REASON, days=7)
    alice.refresh_from_db()
    return alice


@pytest.fixture
def banned_client(client, banned_alice):
    client.force_login(banned_alice)
    return client


@pytest.fixture
def banned_token_api(banned_alice):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=banned_alice).key}")
    return api


def refusal_messages(error: ValidationError) -> list[str]:
    return error.messages


# The service


def test_ban_for_days_sets_the_user_row_keeps_a_ban_and_audits(mo, alice):
    before = timezone.now()
    ban = ban_create(moderator=mo, user=alice, reason=f"  {REASON} ", days=3)
    alice.refresh_from_db()
    assert alice.is_banned and alice.ban_reason == REASON
    assert before + dt.timedelta(days=3) <= alice.banned_until <= timezone.now() + dt.timedelta(3)
    assert (ban.user, ban.moderator, ban.reason, ban.until) == (
        alice,
        mo,
        REASON,
        alice.banned_until,
    )
    entry = AuditEntry.objects.get(action="user.banned")
    assert (entry.actor, entry.target_type, entry.target_id) == (mo, "user", alice.pk)
    assert entry.before == {"banned_until": None, "ban_reason": ""}
    assert entry.after["ban_reason"] == REASON and entry.after["banned_until"]


def test_ban_until_lifted_uses_the_far_future_sentinel(mo, alice):
    ban = ban_create(moderator=mo, user=alice, reason=REASON, days=None)
    alice.refresh_from_db()
    assert ban.until is None and alice.banned_until == PERMANENT and alice.is_banned


@pytest.mark.parametrize(
    "reason, days, message",
    [
        ("", 3, "Say why the member is banned."),
        ("   ", None, "Say why the member is banned."),
        (REASON, 0, "A ban lasts a whole number of days from 1, or until lifted."),
        (REASON, -2, "A ban lasts a whole number of days from 1, or until lifted."),
    ],
)
def test_ban_needs_a_reason_and_positive_days(mo, alice, reason, days, message):
    with pytest.raises(ValidationError) as refusal:
        ban_create(moderator=mo, user=alice, reason=reason, days=days)
    assert refusal_messages(refusal.value) == [message]
    assert not Ban.objects.exists() and not AuditEntry.objects.exists()


def test_moderator_cannot_ban_themselves(mo):
    with pytest.raises(ValidationError) as refusal:
        ban_create(moderator=mo, user=mo, reason=REASON, days=1)
    assert refusal_messages(refusal.value) == ["You can't ban yourself."]


def test_superuser_cannot_be_banned(mo):
    root = UserFactory(username="root", is_superuser=True)
    with pytest.raises(ValidationError) as refusal:
        ban_create(moderator=mo, user=root, reason=REASON, days=1)
    assert refusal_messages(refusal.value) == ["A superuser can't be banned."]


def test_banning_someone_banned_says_until_when(mo, banned_alice):
    with pytest.raises(ValidationError) as refusal:
        ban_create(moderator=mo, user=banned_alice, reason="again", days=1)
    until = banned_alice.banned_until.strftime("%d %B %Y").lstrip("0")
    [message] = refusal_messages(refusal.value)
    assert message.startswith("alice is already banned until ") and until in message


def test_only_moderators_ban(alice, bob):
    with pytest.raises(PermissionDenied):
        ban_create(moderator=alice, user=bob, reason=REASON, days=1)


def test_an_expired_ban_allows_a_new_one(mo, alice):
    ban_create(moderator=mo, user=alice, reason=REASON, days=1)
    type(alice).objects.filter(pk=alice.pk).update(
        banned_until=timezone.now() - dt.timedelta(minutes=1)
    )
    alice.refresh_from_db()
    assert not alice.is_banned
    ban_create(moderator=mo, user=alice, reason="Again", days=2)
    assert Ban.objects.filter(user=alice).count() == 2


def test_lift_clears_the_row_closes_the_ban_and_audits(mo, banned_alice):
    ban_lift(moderator=mo, user=banned_alice, reason="Apologised")
    banned_alice.refresh_from_db()
    assert not banned_alice.is_banned
    assert (banned_alice.banned_until, banned_alice.ban_reason) == (None, "")
    ban = Ban.objects.get()
    assert ban.lifted_by == mo and ban.lifted_at is not None
    entry = AuditEntry.objects.get(action="user.unbanned")
    assert entry.reason == "Apologised" and entry.after == {"banned_until": None, "ban_reason": ""}


def test_lifting_when_not_banned_is_refused(mo, alice):
    with pytest.raises(ValidationError) as refusal:
        ban_lift(moderator=mo, user=alice)
    assert refusal_messages(refusal.value) == ["alice is not banned."]


def test_services_refuse_a_banned_actor_with_the_reason(banned_alice, bobs_idea, bobs_comment):
    writes = [
        lambda: idea_submit(
            author=banned_alice, title="t", description="d", category=bobs_idea.category
        ),
        lambda: comment_post(author=banned_alice, idea=bobs_idea, body="Hi"),
        lambda: flag_create(flagger=banned_alice, target=bobs_comment, reason="spam"),
        lambda: follow_set(user=banned_alice, idea=bobs_idea, following=True),
    ]
    for write in writes:
        with pytest.raises(PermissionDenied, match=f"You are banned until .*: {REASON}"):
            write()


# The web: refused with 403 and the reason


def assert_banned_page(response) -> None:
    assert response.status_code == 403
    html = response.content.decode()
    assert "You are banned until" in html and REASON in html


def test_banned_member_cannot_post_an_idea(banned_client, category):
    response = banned_client.post(
        reverse("idea-new"), {"title": "T", "description": "D", "category": "notebooks"}
    )
    assert_banned_page(response)


def test_a_banned_member_is_told_before_writing_an_idea_not_after(banned_client, category):
    response = banned_client.get(reverse("idea-new"))
    assert_banned_page(response)
    assert 'name="title"' not in response.content.decode()


def banned_writes(idea) -> list[tuple[str, dict]]:
    return [
        (reverse("idea-vote", args=[idea.pk]), {"value": "1"}),
        (reverse("comment-create", args=[idea.pk]), {"body": "Hello"}),
        (reverse("idea-flag", args=[idea.pk]), {"reason": "spam"}),
        (reverse("idea-follow", args=[idea.pk]), {"following": "1"}),
    ]


def test_banned_member_cannot_vote_comment_flag_or_follow(banned_client, bobs_idea):
    for url, data in banned_writes(bobs_idea):
        assert_banned_page(banned_client.post(url, data))
    assert not Vote.objects.exists() and not Flag.objects.exists()
    assert not Follow.objects.exists() and not bobs_idea.comments.exists()


def test_htmx_write_by_a_banned_member_shows_the_reason_at_the_top_of_the_page(
    banned_client, banned_alice, bobs_idea
):
    for url, data in banned_writes(bobs_idea):
        response = banned_client.post(url, data, headers=HTMX)
        until = ban_until_text(banned_alice.banned_until)
        assert_shown_at_the_top(response, f"You are banned until {until}: {REASON}")
        assert_whole_page(banned_client.post(url, data), f"You are banned until {until}: {REASON}")
    assert not Vote.objects.exists() and not Flag.objects.exists()
    assert not Follow.objects.exists() and not bobs_idea.comments.exists()
    # The API answers the same refusal in JSON, whoever sends it.
    response = banned_client.put(
        f"/api/ideas/{bobs_idea.pk}/vote/",
        {"value": 1},
        content_type="application/json",
        headers=HTMX,
    )
    assert response.status_code == 403 and "HX-Retarget" not in response
    assert response.json() == {"detail": ban_message(banned_alice), "code": "permission_denied"}


def test_banned_member_reads_pages_and_sees_the_banner(banned_client, bobs_idea):
    for url in [reverse("home"), reverse("idea-list"), bobs_idea.get_absolute_url()]:
        response = banned_client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="message message-error ban-banner"' in html
        assert "You are banned until" in html and REASON in html


def test_banner_shows_a_ban_until_lifted(client, mo, alice):
    ban_create(moderator=mo, user=alice, reason=REASON, days=None)
    client.force_login(alice)
    html = client.get(reverse("home")).content.decode()
    assert "You are banned until a moderator lifts the ban" in html


def test_no_banner_for_others(alice_client):
    assert "ban-banner" not in alice_client.get(reverse("home")).content.decode()


def test_banned_member_can_log_out_mark_read_and_change_settings(banned_client, banned_alice):
    NotificationFactory(recipient=banned_alice)
    response = banned_client.post(reverse("notifications-read"))
    assert response.status_code in (200, 302)
    assert not banned_alice.notifications.filter(read_at__isnull=True).exists()
    response = banned_client.post(reverse("account-settings"), {"email_frequency": "never"})
    assert response.status_code != 403
    response = banned_client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in banned_client.session


def test_lifting_restores_posting(banned_client, banned_alice, mo, bobs_idea):
    ban_lift(moderator=mo, user=banned_alice)
    response = banned_client.post(reverse("idea-vote", args=[bobs_idea.pk]), {"value": "1"})
    assert response.status_code == 302 and Vote.objects.get().voter == banned_alice
    assert "ban-banner" not in banned_client.get(reverse("home")).content.decode()


# The API: session and token


def test_api_refuses_a_banned_session_with_json(banned_client, bobs_idea):
    response = banned_client.put(
        f"/api/ideas/{bobs_idea.pk}/vote/", {"value": 1}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["detail"].startswith("You are banned until")
    assert response.json()["detail"].endswith(f": {REASON}")


def test_api_refuses_every_write_with_a_token(banned_token_api, bobs_idea, bobs_comment, category):
    writes = [
        ("put", f"/api/ideas/{bobs_idea.pk}/vote/", {"value": 1}),
        ("delete", f"/api/ideas/{bobs_idea.pk}/vote/", None),
        ("post", "/api/ideas/", {"title": "T", "description": "D", "category": "notebooks"}),
        ("post", f"/api/ideas/{bobs_idea.pk}/comments/", {"body": "Hi"}),
        ("post", f"/api/ideas/{bobs_idea.pk}/flags/", {"reason": "spam"}),
        ("post", f"/api/comments/{bobs_comment.pk}/flags/", {"reason": "spam"}),
    ]
    for method, url, data in writes:
        response = getattr(banned_token_api, method)(url, data, format="json")
        assert response.status_code == 403, url
        assert response.json()["detail"].startswith("You are banned until"), url
        assert REASON in response.json()["detail"]
    assert not Vote.objects.exists() and not Flag.objects.exists()


def test_api_reads_stay_open_to_a_banned_member(banned_token_api, bobs_idea):
    assert banned_token_api.get("/api/ideas/").status_code == 200
    assert banned_token_api.get(f"/api/ideas/{bobs_idea.pk}/").status_code == 200
    assert banned_token_api.get(f"/api/ideas/{bobs_idea.pk}/comments/").status_code == 200


def test_banned_member_can_still_get_a_token(banned_alice):
    response = APIClient().post(
        "/api/auth/token/", {"username": "alice", "password": "correct-horse-battery"}
    )
    assert response.status_code == 200 and response.json()["token"]
