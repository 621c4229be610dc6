"""A 403 page: the site's page with the reason, or for htmx the reason alone at the top of
#main (as a 429 is shown), never a whole page swapped into the control that was pressed. The
API keeps answering in JSON. Bans have their own tests in tests/moderation/test_bans.py."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import EDIT_WINDOW_MINUTES
from tests.factories import CommentFactory, IdeaFactory, UserFactory
from votes.models import Vote

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
HISTORY_RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
EXPIRED = "Your session has expired or the form is out of date. Reload the page and try again."


def assert_security_headers(response) -> None:
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def assert_shown_at_the_top(response, *texts: str) -> None:
    """The 403 htmx swaps in: a role="alert" message for the top of #main, nothing more."""
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#page-alert" and response["HX-Reswap"] == "innerHTML"
    html = response.content.decode()
    assert html.lstrip().startswith("<p ") and 'role="alert"' in html, html
    for text in texts:
        assert text in html
    assert "<html" not in html and "<main" not in html
    assert "<script" not in html and "<style" not in html and " style=" not in html
    assert_security_headers(response)


def assert_whole_page(response, *texts: str) -> None:
    assert response.status_code == 403
    assert "HX-Retarget" not in response
    html = response.content.decode()
    assert "<html" in html and 'id="main"' in html and 'role="alert"' in html
    for text in texts:
        assert text in html
    assert_security_headers(response)


@pytest.fixture
def pm_filter():
    return reverse("pm-dashboard") + "?sort=top"


# Django's 403 handler: a PermissionDenied from any page


def test_htmx_refusal_shows_the_reason_at_the_top_and_the_api_stays_json(alice_client):
    assert_shown_at_the_top(
        alice_client.get(reverse("pm-dashboard"), headers=HTMX),
        "Only product managers can see this page.",
    )
    assert_shown_at_the_top(
        alice_client.post(reverse("moderation-bulk"), {"action": "hide"}, headers=HTMX),
        "Only moderators can see this page.",
    )
    response = alice_client.post(
        "/api/moderation/bulk/", {"action": "hide"}, content_type="application/json", headers=HTMX
    )
    assert response.status_code == 403 and "HX-Retarget" not in response
    assert response.json() == {
        "detail": "Only moderators can do this.",
        "code": "permission_denied",
    }


def test_htmx_delete_of_someone_elses_comment_shows_the_reason_at_the_top(client, alice, bob):
    comment = CommentFactory(author=alice)
    client.force_login(bob)
    response = client.post(reverse("comment-delete", args=[comment.pk]), headers=HTMX)
    assert_shown_at_the_top(response, "Only the author can delete a comment.")
    comment.refresh_from_db()
    assert comment.deleted_at is None


def test_htmx_edit_after_the_window_shows_the_reason_at_the_top_not_in_the_comment(
    alice_client, alice
):
    posted = timezone.now() - dt.timedelta(minutes=EDIT_WINDOW_MINUTES + 1)
    url = reverse("comment-edit", args=[CommentFactory(author=alice, created_at=posted).pk])
    assert_shown_at_the_top(alice_client.get(url, headers=HTMX), "can no longer be edited")
    assert_whole_page(alice_client.get(url), "can no longer be edited", "Edit your comment")


def test_without_htmx_a_refusal_is_the_sites_page_with_the_reason(alice_client, pm_filter):
    response = alice_client.get(pm_filter)
    assert_whole_page(response, "Only product managers can see this page.", "Not allowed")


def test_a_history_restore_gets_the_whole_page(alice_client, pm_filter):
    response = alice_client.get(pm_filter, headers=HISTORY_RESTORE)
    assert_whole_page(response, "Only product managers can see this page.")


def test_a_refusal_without_a_reason_says_so_plainly(client):
    # The admin refuses a staff member without permissions with a bare PermissionDenied.
    client.force_login(UserFactory(username="staffer", is_staff=True))
    response = client.get("/admin/moderation/spamrule/add/")
    assert_whole_page(response, "You don't have permission to do that.")
    response = client.get("/admin/moderation/spamrule/add/", headers=HTMX)
    assert_shown_at_the_top(response, "You don't have permission to do that.")


# CSRF failures: a form from an expired session or an old page


@pytest.fixture
def csrf_client(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    return client


def test_htmx_post_without_a_valid_token_says_reload_at_the_top(csrf_client):
    idea = IdeaFactory()
    response = csrf_client.post(reverse("idea-vote", args=[idea.pk]), {"value": "1"}, headers=HTMX)
    assert_shown_at_the_top(response, EXPIRED)
    # Django's reason (which token, which header) is for the log, not the page.
    assert "CSRF" not in response.content.decode() and "token" not in response.content.decode()
    assert not Vote.objects.exists()
    # The API checks the token itself (DRF) and answers in its own shape, htmx or not.
    response = csrf_client.put(
        f"/api/ideas/{idea.pk}/vote/", {"value": 1}, content_type="application/json", headers=HTMX
    )
    assert response.status_code == 403 and "HX-Retarget" not in response
    assert response.json()["code"] == "permission_denied"
    assert response.json()["detail"].startswith("CSRF Failed")
    assert not Vote.objects.exists()


def test_a_form_post_without_a_valid_token_gets_the_page_saying_reload(csrf_client):
    idea = IdeaFactory()
    response = csrf_client.post(reverse("idea-vote", args=[idea.pk]), {"value": "1"})
    assert_whole_page(response, EXPIRED)
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_a_moderator_on_a_mistyped_admin_address_gets_the_404_page(client, settings):
    """The admin's catch-all route has no name: the header's moderation link must cope."""
    from django.contrib.auth.models import Group

    from accounts.models import MODERATORS

    settings.DEBUG = False
    moderator = UserFactory(is_staff=True)
    Group.objects.get_or_create(name=MODERATORS)[0].user_set.add(moderator)
    client.force_login(moderator)
    client.raise_request_exception = False
    response = client.get("/admin/ideas/no-such-page/")
    assert response.status_code == 404
