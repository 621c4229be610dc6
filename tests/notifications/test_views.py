import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from notifications.models import Notification
from tests.factories import IdeaFactory, NotificationFactory

pytestmark = pytest.mark.django_db


def test_bell_names_the_unread_count_and_shows_a_badge(alice_client, alice):
    NotificationFactory.create_batch(3, recipient=alice)
    NotificationFactory(recipient=alice, read_at=timezone.now())
    html = alice_client.get(reverse("idea-list")).content.decode()
    assert 'aria-label="Notifications, 3 unread"' in html
    assert 'class="bell-count" aria-hidden="true">3<' in html
    assert f'href="{reverse("account-settings")}"' in html
    assert f'href="{reverse("profile", args=["alice"])}"' in html


def test_bell_has_no_badge_when_everything_is_read(alice_client):
    html = alice_client.get(reverse("idea-list")).content.decode()
    assert 'aria-label="Notifications"' in html
    assert "bell-count" not in html


def test_visitors_get_no_bell(client):
    assert "bell" not in client.get(reverse("idea-list")).content.decode()


def test_notifications_page_lists_mine_newest_first_with_unread_marked(alice_client, alice, bob):
    now = timezone.now()
    old = NotificationFactory(
        recipient=alice, message="Old news", created_at=now - dt.timedelta(days=2), read_at=now
    )
    new = NotificationFactory(recipient=alice, message="Fresh news", created_at=now, actor=bob)
    NotificationFactory(recipient=bob, message="Not for alice")
    response = alice_client.get(reverse("notifications"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Fresh news") < html.index("Old news")
    assert "Not for alice" not in html
    assert html.count("notification-unread") == 1
    assert "Unread: </span>Fresh news" in html
    assert reverse("notification-open", args=[new.pk]) in html
    assert reverse("notification-open", args=[old.pk]) in html
    assert "Mark all as read" in html


def test_notifications_page_paginates_by_20(alice_client, alice):
    NotificationFactory.create_batch(21, recipient=alice)
    first = alice_client.get(reverse("notifications"))
    assert len(first.context["page"].items) == 20 and first.context["page"].has_next
    second = alice_client.get(reverse("notifications") + "?page=2")
    assert len(second.context["page"].items) == 1


def test_notifications_page_has_an_empty_state(alice_client):
    html = alice_client.get(reverse("notifications")).content.decode()
    assert "No notifications yet" in html
    assert "Mark all as read" not in html


def test_notifications_page_query_count_does_not_grow(
    alice_client, alice, bob, django_assert_max_num_queries
):
    NotificationFactory.create_batch(20, recipient=alice, actor=bob)
    with django_assert_max_num_queries(5):
        alice_client.get(reverse("notifications"))


def test_notifications_page_needs_a_login(client):
    response = client.get(reverse("notifications"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_notifications_page_refuses_post(alice_client):
    assert alice_client.post(reverse("notifications")).status_code == 405


def test_opening_a_notification_marks_it_read_and_goes_to_the_idea(alice_client, alice):
    notification = NotificationFactory(recipient=alice)
    response = alice_client.get(reverse("notification-open", args=[notification.pk]))
    assert response.status_code == 302
    assert response.url == notification.idea.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_a_comment_notification_goes_to_the_comment(alice_client, alice, bob):
    idea = IdeaFactory()
    comment = Comment.objects.create(idea=idea, author=bob, body="Yes", created_at=timezone.now())
    notification = NotificationFactory(recipient=alice, idea=idea, kind="comment", comment=comment)
    response = alice_client.post(reverse("notification-open", args=[notification.pk]))
    assert response.url == f"{idea.get_absolute_url()}#comment-{comment.pk}"


def test_opening_another_members_notification_is_a_404(alice_client, bob):
    notification = NotificationFactory(recipient=bob)
    assert alice_client.get(reverse("notification-open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_opening_needs_a_login(client, alice):
    notification = NotificationFactory(recipient=alice)
    response = client.get(reverse("notification-open", args=[notification.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_opening_refuses_other_methods(alice_client, alice):
    notification = NotificationFactory(recipient=alice)
    assert (
        alice_client.delete(reverse("notification-open", args=[notification.pk])).status_code == 405
    )


def test_mark_all_as_read_marks_only_mine(alice_client, alice, bob):
    NotificationFactory.create_batch(2, recipient=alice)
    theirs = NotificationFactory(recipient=bob)
    response = alice_client.post(reverse("notifications-read"))
    assert response.status_code == 302 and response.url == reverse("notifications")
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    html = alice_client.get(reverse("idea-list")).content.decode()
    assert 'aria-label="Notifications"' in html


def test_mark_all_as_read_by_get_is_refused(alice_client):
    assert alice_client.get(reverse("notifications-read")).status_code == 405


def test_mark_all_as_read_needs_a_login(client, alice):
    NotificationFactory(recipient=alice)
    response = client.post(reverse("notifications-read"))
    assert response.status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
