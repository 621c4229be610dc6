import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import User
from comments.models import Comment
from notifications.models import Follow, Notification
from notifications.services import follow_set
from tests.conftest import PASSWORD
from tests.factories import IdeaFactory, NotificationFactory
from votes.models import Vote

pytestmark = pytest.mark.django_db

SETTINGS = {"email": "alice@example.org", "auto_follow": "", "email_frequency": "daily"}


def test_settings_page_shows_the_labelled_fields(alice_client):
    html = alice_client.get(reverse("account-settings")).content.decode()
    for label in (
        ">Email<",
        ">Follow the ideas I vote on or comment on<",
        "<legend>Email me about ideas I follow</legend>",
        ">Each event<",
        ">A daily digest<",
        ">Never<",
        "Save settings",
    ):
        assert label in html


def test_saving_settings_stores_them_and_says_so(
    alice_client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("account-settings"), SETTINGS, follow=True)
    assert response.redirect_chain == [(reverse("account-settings"), 302)]
    html = response.content.decode()
    assert "Your settings are saved." in html
    assert "your address changes when you open it" in html
    alice.refresh_from_db()
    # The verified address stays until the new one is confirmed.
    assert (alice.email, alice.auto_follow, alice.email_frequency) == (
        "alice@example.com",
        False,
        "daily",
    )
    assert [m.to for m in mailoutbox] == [["alice@example.org"]]


def test_bad_settings_show_errors_at_the_fields_and_keep_the_input(alice_client, alice, bob):
    response = alice_client.post(
        reverse("account-settings"),
        {"email": "not an address", "auto_follow": "on", "email_frequency": "hourly"},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"email", "email_frequency"}
    html = response.content.decode()
    assert 'value="not an address"' in html
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_another_members_email_is_not_refused_and_not_told(
    alice_client, alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("account-settings"), {**SETTINGS, "email": "BOB@example.com"}, follow=True
        )
    html = response.content.decode()
    assert "already" not in html and "your address changes when you open it" in html
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    # Bob's mailbox hears that someone tried; no link that would move the address.
    [note] = mailoutbox
    assert note.to == ["BOB@example.com"] and "already belongs to one" in note.body


def test_keeping_my_own_email_is_fine(alice_client, alice):
    data = {**SETTINGS, "email": "Alice@Example.com"}
    assert alice_client.post(reverse("account-settings"), data).status_code == 302


def test_turning_email_back_on_does_not_send_the_backlog(alice_client, alice, mailoutbox):
    from notifications.emails import emails_send_each

    User.objects.filter(pk=alice.pk).update(email_frequency="never")
    NotificationFactory.create_batch(3, recipient=alice)
    alice_client.post(reverse("account-settings"), {**SETTINGS, "email_frequency": "each"})
    assert emails_send_each() == 0
    NotificationFactory(recipient=alice)
    assert emails_send_each() == 1


def test_settings_need_a_login(client):
    response = client.get(reverse("account-settings"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_settings_refuse_other_methods(alice_client):
    assert alice_client.put(reverse("account-settings")).status_code == 405


def test_password_change_keeps_me_logged_in(alice_client, alice):
    response = alice_client.post(
        reverse("account-password"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase-7",
            "new_password2": "another-long-passphrase-7",
        },
    )
    assert response.status_code == 302 and response.url == reverse("account-settings")
    alice.refresh_from_db()
    assert alice.check_password("another-long-passphrase-7")
    assert alice_client.get(reverse("account-settings")).status_code == 200


def test_password_change_with_a_wrong_old_password_is_refused(alice_client, alice):
    response = alice_client.post(
        reverse("account-password"),
        {"old_password": "nope", "new_password1": "x-long-pass-99", "new_password2": "y"},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"old_password", "new_password2"}
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_password_page_has_labels_and_refuses_other_methods(alice_client):
    html = alice_client.get(reverse("account-password")).content.decode()
    assert "Old password" in html and "Change password" in html
    assert alice_client.delete(reverse("account-password")).status_code == 405


def test_password_page_needs_a_login(client):
    response = client.get(reverse("account-password"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_deleting_my_account_anonymises_it_and_keeps_my_contributions(alice_client, alice, bob):
    idea = IdeaFactory(author=alice, title="Keep me")
    Comment.objects.create(idea=idea, author=alice, body="Mine", created_at=timezone.now())
    Vote.objects.create(
        voter=alice, idea=IdeaFactory(author=bob), value=1, created_at=timezone.now()
    )
    follow_set(user=alice, idea=idea, following=True)
    NotificationFactory(recipient=alice)
    Token.objects.create(user=alice)
    response = alice_client.post(reverse("account-delete"), {"password": PASSWORD}, follow=True)
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "Your account is deleted." in response.content.decode()
    assert "_auth_user_id" not in alice_client.session
    gone = User.objects.get(pk=alice.pk)
    assert gone.username == f"deleted-{alice.pk}"
    assert (gone.email, gone.first_name, gone.last_name, gone.is_active) == ("", "", "", False)
    assert gone.deleted_at is not None and not gone.has_usable_password()
    assert idea.__class__.objects.get(pk=idea.pk).author_id == alice.pk
    assert Comment.objects.filter(author=gone).count() == 1
    assert Vote.objects.filter(voter=gone).count() == 1
    assert not Follow.objects.filter(user=gone).exists()
    assert not Notification.objects.filter(recipient=gone).exists()
    assert not Token.objects.filter(user=gone).exists()
    page = alice_client.get(reverse("profile", args=["bob"]))
    assert page.status_code == 200
    html = alice_client.get(idea.get_absolute_url()).content.decode()
    assert "deleted user" in html and f"deleted-{alice.pk}" not in html


def test_deleting_needs_the_right_password(alice_client, alice):
    response = alice_client.post(reverse("account-delete"), {"password": "wrong"})
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    alice.refresh_from_db()
    assert alice.deleted_at is None and alice.is_active


def test_delete_page_asks_for_the_password(alice_client):
    html = alice_client.get(reverse("account-delete")).content.decode()
    assert ">Password<" in html and "Delete my account" in html


def test_deleting_needs_a_login(client, alice):
    response = client.post(reverse("account-delete"), {"password": PASSWORD})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    alice.refresh_from_db()
    assert alice.deleted_at is None


def test_deleting_refuses_other_methods(alice_client):
    assert alice_client.put(reverse("account-delete")).status_code == 405
