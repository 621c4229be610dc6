import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from moderation.models import Flag

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def idea_flag_url(idea) -> str:
    return reverse("idea-flag", args=[idea.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_plain_post_flags_and_redirects_back_with_thanks(alice_client, alice, bobs_idea):
    response = alice_client.post(idea_flag_url(bobs_idea), {"reason": "spam", "note": "Ads"})
    assert response.status_code == 302 and response.url == bobs_idea.get_absolute_url()
    assert messages_of(response) == ["Thanks, a moderator will look at it."]
    flag = Flag.objects.get()
    assert (flag.flagger, flag.idea, flag.reason, flag.note) == (alice, bobs_idea, "spam", "Ads")


def test_plain_post_goes_back_to_next_but_never_offsite(alice_client, bobs_idea, bobs_comment):
    url = reverse("comment-flag", args=[bobs_comment.pk])
    response = alice_client.post(url, {"reason": "spam", "next": "/ideas/?sort=new"})
    assert response.url == "/ideas/?sort=new"
    response = alice_client.post(
        idea_flag_url(bobs_idea), {"reason": "spam", "next": "https://evil.test/"}
    )
    assert response.url == bobs_idea.get_absolute_url()


def test_flagging_a_comment_redirects_to_its_idea(alice_client, bobs_idea, bobs_comment):
    response = alice_client.post(
        reverse("comment-flag", args=[bobs_comment.pk]), {"reason": "abusive"}
    )
    assert response.url == bobs_idea.get_absolute_url()
    assert Flag.objects.get().comment == bobs_comment


def test_htmx_post_swaps_the_form_for_the_confirmation(alice_client, bobs_idea):
    response = alice_client.post(idea_flag_url(bobs_idea), {"reason": "duplicate"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="flag-idea-{bobs_idea.pk}"' in html and "You flagged this" in html
    assert "<form" not in html
    # Announced through the page's status region, outside the swapped element.
    assert 'id="vote-status"' in html and 'hx-swap-oob="true"' in html
    assert "Thanks, a moderator will look at it." in html
    assert not messages_of(response)
    assert Flag.objects.get().reason == "duplicate"


def test_htmx_comment_flag_answers_with_the_comment_control(alice_client, bobs_comment):
    url = reverse("comment-flag", args=[bobs_comment.pk])
    html = alice_client.post(url, {"reason": "spam"}, headers=HTMX).content.decode()
    assert f'id="flag-comment-{bobs_comment.pk}"' in html and "You flagged this" in html


def test_visitor_is_sent_to_log_in_and_back(client, bobs_idea):
    response = client.post(idea_flag_url(bobs_idea), {"reason": "spam"})
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={bobs_idea.get_absolute_url()}"
    assert not Flag.objects.exists()


def test_visitor_htmx_flag_gets_an_hx_redirect_to_log_in(client, bobs_idea):
    response = client.post(idea_flag_url(bobs_idea), {"reason": "spam"}, headers=HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/accounts/login/?next={bobs_idea.get_absolute_url()}"


def test_flag_by_get_is_refused(alice_client, bobs_idea, bobs_comment):
    assert alice_client.get(idea_flag_url(bobs_idea)).status_code == 405
    assert alice_client.get(reverse("comment-flag", args=[bobs_comment.pk])).status_code == 405


def test_flagging_a_missing_target_is_404(alice_client):
    assert alice_client.post("/ideas/999999/flag/", {"reason": "spam"}).status_code == 404
    assert alice_client.post("/comments/999999/flag/", {"reason": "spam"}).status_code == 404


@pytest.mark.parametrize("reason", ["", "boring", "SPAM"])
def test_htmx_bad_reason_is_400_with_the_form_and_its_error(alice_client, bobs_idea, reason):
    response = alice_client.post(idea_flag_url(bobs_idea), {"reason": reason}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 400 and "<html" not in html
    assert "Choose a reason." in html and 'role="alert"' in html
    assert f'<form class="flag-form" id="flag-idea-{bobs_idea.pk}"' in html
    assert not Flag.objects.exists()


def test_plain_post_error_is_400_with_the_form_to_fix_it(alice_client, bobs_idea):
    response = alice_client.post(idea_flag_url(bobs_idea), {"reason": "other", "note": " "})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Say what is wrong when the reason is Other." in html
    assert '<option value="other" selected>' in html and ">Flag</button>" in html
    assert not Flag.objects.exists()


def test_flagging_twice_is_400_with_the_reason(alice_client, bobs_idea):
    alice_client.post(idea_flag_url(bobs_idea), {"reason": "spam"})
    response = alice_client.post(idea_flag_url(bobs_idea), {"reason": "spam"}, headers=HTMX)
    assert response.status_code == 400
    assert "You have already flagged this." in response.content.decode()
    assert Flag.objects.count() == 1


def test_the_author_cannot_flag_their_own_idea(client, bob, bobs_idea):
    client.force_login(bob)
    response = client.post(idea_flag_url(bobs_idea), {"reason": "spam"}, headers=HTMX)
    assert response.status_code == 400
    assert "You can&#x27;t flag your own idea." in response.content.decode()


def test_a_deleted_comment_cannot_be_flagged(alice_client, bobs_comment):
    bobs_comment.deleted_at = timezone.now()
    bobs_comment.save(update_fields=["deleted_at"])
    url = reverse("comment-flag", args=[bobs_comment.pk])
    response = alice_client.post(url, {"reason": "spam"}, headers=HTMX)
    # A deleted comment is gone for everyone but its author, on this route as on every other
    # (comments.models.CommentQuerySet.reachable_by).
    assert response.status_code == 404
    assert not bobs_comment.flags.exists()
