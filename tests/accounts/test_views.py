import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_role_groups_exist_from_the_data_migration():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Product managers", "Moderators"}


def test_signup_creates_the_member_and_logs_them_in(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "carol",
            "email": "carol@example.com",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert response.url == "/"
    assert User.objects.get(username="carol").email == "carol@example.com"
    assert client.get(reverse("home")).context["user"].username == "carol"


def test_signup_returns_to_a_safe_next_and_ignores_an_offsite_one(client):
    data = {
        "username": "dan",
        "email": "dan@example.com",
        "password1": "a-long-passphrase-42",
        "password2": "a-long-passphrase-42",
    }
    response = client.post(reverse("signup") + "?next=/ideas/", data)
    assert response.url == "/ideas/"
    client.logout()
    data.update(username="erin", email="erin@example.com")
    response = client.post(reverse("signup") + "?next=https://evil.test/", data)
    assert response.url == "/"


def test_signup_form_shows_labels_from_the_contract(client):
    html = client.get(reverse("signup")).content.decode()
    for label in ("Username", "Email", "Password", "Password (again)", "Sign up"):
        assert f">{label}<" in html


def test_signup_with_bad_input_shows_messages_at_the_fields_and_saves_nothing(client, alice):
    response = client.post(
        reverse("signup"),
        {"username": "alice", "email": "not-an-email", "password1": "x", "password2": "y"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"username", "email", "password2"}
    assert User.objects.count() == 1


def test_login_and_logout(client, alice):
    response = client.post(
        reverse("login"), {"username": "alice", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_with_a_wrong_password_says_so(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_logout_by_get_is_refused(alice_client):
    assert alice_client.get(reverse("logout")).status_code == 405


def test_grant_role_puts_a_user_in_the_group_and_revoke_takes_them_out(alice):
    call_command("grant_role", "alice", "pm")
    assert User.objects.get(pk=alice.pk).is_product_manager
    call_command("grant_role", "alice", "moderator")
    call_command("grant_role", "alice", "pm", "--revoke")
    alice = User.objects.get(pk=alice.pk)
    assert not alice.is_product_manager
    assert alice.is_moderator


def test_grant_role_for_an_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("grant_role", "ghost", "pm")
