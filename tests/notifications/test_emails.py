import pytest

from accounts.models import User
from actions.ideas import idea_status_set
from ideastorm.celery import app as celery_app
from notifications import emails, tasks
from notifications.models import Notification
from notifications.services import follow_set
from tests.factories import IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_tasks():
    # The after-commit enqueue then runs the task here, on the test database.
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def quiet_author() -> User:
    return UserFactory(username="author", email_frequency="never")


@pytest.fixture
def idea(pat):
    return IdeaFactory(title="Offline mode", author=quiet_author())


def member(username: str, frequency: str, idea) -> User:
    user = UserFactory(username=username, email_frequency=frequency)
    follow_set(user=user, idea=idea, following=True)
    return user


def test_an_each_follower_gets_one_email_even_if_the_job_runs_twice(
    idea, pat, mailoutbox, django_capture_on_commit_callbacks, eager_tasks
):
    member("erin", "each", idea)
    with django_capture_on_commit_callbacks(execute=True):
        idea_status_set(idea=idea, actor=pat, status="planned")
    assert [m.to for m in mailoutbox] == [["erin@example.com"]]
    assert mailoutbox[0].subject == "[IdeaStorm] “Offline mode” is now Planned."
    assert idea.get_absolute_url() in mailoutbox[0].body
    assert tasks.email_notifications() == 0
    assert tasks.email_notifications() == 0
    assert len(mailoutbox) == 1
    assert Notification.objects.get(recipient__username="erin").emailed_at is not None


def test_a_digest_follower_gets_one_email_with_both_items_when_the_digest_runs(
    idea, pat, mailoutbox
):
    member("dora", "daily", idea)
    idea_status_set(idea=idea, actor=pat, status="planned")
    idea_status_set(idea=idea, actor=pat, status="in-progress", response="Started this week.")
    assert emails.emails_send_each() == 0
    assert mailoutbox == []
    assert tasks.email_digests() == 1
    assert len(mailoutbox) == 1
    digest = mailoutbox[0]
    assert digest.to == ["dora@example.com"]
    assert digest.subject == "[IdeaStorm] 2 updates on ideas you follow"
    assert "is now Planned." in digest.body
    assert "is now In progress, with an official response." in digest.body
    assert emails.emails_send_digests() == 0
    assert len(mailoutbox) == 1


def test_a_never_follower_gets_no_email_but_sees_the_notification(idea, pat, mailoutbox):
    nell = member("nell", "never", idea)
    idea_status_set(idea=idea, actor=pat, status="planned")
    assert emails.emails_send_each() == 0
    assert emails.emails_send_digests() == 0
    assert mailoutbox == []
    assert nell.notifications.count() == 1


def test_the_actor_and_unfollowers_get_nothing(idea, pat, mailoutbox):
    follow_set(user=pat, idea=idea, following=True)
    author = idea.author
    follow_set(user=author, idea=idea, following=False)
    idea_status_set(idea=idea, actor=pat, status="planned")
    assert not Notification.objects.filter(recipient__in=[pat, author]).exists()
    assert emails.emails_send_each() == 0


def test_deleted_and_emailless_members_are_not_emailed(idea, pat, mailoutbox):
    gone = member("gone", "each", idea)
    blank = member("blank", "each", idea)
    User.objects.filter(pk=blank.pk).update(email="")
    idea_status_set(idea=idea, actor=pat, status="planned")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    assert emails.emails_send_each() == 0
    assert mailoutbox == []


def test_a_failed_send_is_tried_again_on_the_next_run(idea, pat, mailoutbox, monkeypatch):
    member("erin", "each", idea)
    idea_status_set(idea=idea, actor=pat, status="planned")

    def smtp_down(**kwargs):
        raise ConnectionRefusedError("SMTP is down")

    monkeypatch.setattr(emails, "mail_send", smtp_down)
    with pytest.raises(ConnectionRefusedError):
        emails.emails_send_each()
    assert Notification.objects.get(recipient__username="erin").emailed_at is None
    monkeypatch.undo()
    assert emails.emails_send_each() == 1
    assert len(mailoutbox) == 1


def test_a_line_break_in_a_title_does_not_break_the_subject(pat, mailoutbox):
    idea = IdeaFactory(title="Two\nlines", author=quiet_author())
    member("erin", "each", idea)
    idea_status_set(idea=idea, actor=pat, status="planned")
    assert emails.emails_send_each() == 1
    assert mailoutbox[0].subject == "[IdeaStorm] “Two lines” is now Planned."


def test_the_broker_being_down_does_not_fail_the_status_change(
    idea, pat, django_capture_on_commit_callbacks, monkeypatch
):
    member("erin", "each", idea)

    def broker_down(*args, **kwargs):
        raise OSError("broker unreachable")

    monkeypatch.setattr(tasks.email_notifications, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        idea_status_set(idea=idea, actor=pat, status="planned")
    assert Notification.objects.filter(recipient__username="erin", emailed_at__isnull=True).exists()


def test_a_claim_left_by_a_worker_that_died_is_sent_once_it_runs_out(idea, pat, mailoutbox):
    """Claimed, then the worker was killed before sending: a current claim is left alone; once
    it has run out the next run sends the email, with the Message-ID it would have had."""
    import datetime as dt

    from django.utils import timezone

    member("erin", "each", idea)
    idea_status_set(idea=idea, actor=pat, status="planned")
    erins = Notification.objects.filter(recipient__username="erin")
    claimed = emails._claim(erins)
    assert len(claimed) == 1  # ...and here the worker dies
    assert emails.emails_send_each() == 0
    assert mailoutbox == []

    erins.update(email_claimed_until=timezone.now() - dt.timedelta(seconds=1))
    assert emails.emails_send_each() == 1
    assert len(mailoutbox) == 1
    expected = emails._message_key("notification", claimed)
    assert mailoutbox[0].extra_headers["Message-ID"] == f"<ideastorm.{expected}@127.0.0.1>"
    notification = erins.get()
    assert notification.emailed_at is not None and notification.email_claimed_until is None


def test_a_resent_email_keeps_its_message_id_and_another_gets_its_own(idea, pat, mailoutbox):
    member("erin", "each", idea)
    member("finn", "each", idea)
    idea_status_set(idea=idea, actor=pat, status="planned")
    assert emails.emails_send_each() == 2
    Notification.objects.update(emailed_at=None)  # as if neither mark was written
    assert emails.emails_send_each() == 2
    ids = [message.extra_headers["Message-ID"] for message in mailoutbox]
    assert ids[0] != ids[1] and sorted(ids[:2]) == sorted(ids[2:])


def test_emails_go_out_in_batches_until_none_is_left(idea, pat, mailoutbox, monkeypatch):
    monkeypatch.setattr(emails, "BATCH", 2)
    for name in ("erin", "finn", "gail", "hugo", "ivy"):
        member(name, "each", idea)
    idea_status_set(idea=idea, actor=pat, status="planned")
    assert emails.emails_send_each() == 5
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        f"{n}@example.com" for n in ("erin", "finn", "gail", "hugo", "ivy")
    )
