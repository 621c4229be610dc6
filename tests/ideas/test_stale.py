"""The stale-ideas job: new ideas with no votes and no comments for IDEAS_STALE_AFTER_DAYS are
archived, their authors told, and a product manager can reopen them."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse

from actions.ideas import idea_status_set, ideas_archive_stale
from actions.tasks import ARCHIVE_STALE_JOB, archive_stale_ideas
from core.models import JobRun
from ideas.models import Idea, Status, StatusChange
from ideastorm.celery import BEAT_SCHEDULE
from notifications.models import Notification
from tests.factories import CommentFactory, IdeaFactory, UserFactory
from votes.services import vote_cast, vote_withdraw

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 9, 1, 12, 0, tzinfo=dt.UTC)
DAYS = 183
CUTOFF = NOW - dt.timedelta(days=DAYS)
RESPONSE = "Archived after 6 months without votes or comments. A product manager can reopen it."


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now


@pytest.fixture
def clock(settings):
    settings.IDEAS_STALE_AFTER_DAYS = DAYS
    clock = Clock(NOW)
    with mock.patch("django.utils.timezone.now", lambda: clock.now):
        yield clock


def idea_at(created_at, **kwargs):
    return IdeaFactory(created_at=created_at, **kwargs)


def at(moment, fn, **kwargs):
    with mock.patch("django.utils.timezone.now", lambda: moment):
        return fn(**kwargs)


def status_of(idea) -> str:
    return Idea.objects.values_list("status", flat=True).get(pk=idea.pk)


def test_an_untouched_new_idea_is_archived_with_the_reason(clock, alice):
    idea = idea_at(CUTOFF - dt.timedelta(seconds=1), author=alice)
    assert ideas_archive_stale()["archived"] == 1
    assert status_of(idea) == Status.ARCHIVED
    change = StatusChange.objects.get(idea=idea)
    assert (change.actor, change.old_status, change.new_status) == (None, "new", "archived")
    assert change.response == RESPONSE and change.created_at == NOW
    # The idea's official response is the product team's alone: the job leaves it.
    assert Idea.objects.get(pk=idea.pk).responded_at is None


def test_the_author_is_told(clock, alice, bob):
    idea = idea_at(CUTOFF - dt.timedelta(days=1), author=alice)
    vote_at = CUTOFF - dt.timedelta(hours=1)
    at(vote_at, vote_cast, voter=bob, idea=idea, value=1)
    ideas_archive_stale()
    note = Notification.objects.get()
    assert (note.recipient, note.idea_id, note.kind) == (alice, idea.pk, "status")
    assert "archived after 6 months" in note.message
    assert not Notification.objects.filter(recipient=bob).exists()


def test_an_idea_of_a_deleted_or_missing_author_is_archived_without_a_notification(clock):
    gone = UserFactory(deleted_at=NOW)
    first = idea_at(CUTOFF - dt.timedelta(days=1), author=gone)
    second = idea_at(CUTOFF - dt.timedelta(days=1), author=None)
    assert ideas_archive_stale()["archived"] == 2
    assert {status_of(first), status_of(second)} == {Status.ARCHIVED}
    assert not Notification.objects.exists()


def test_an_idea_younger_than_the_limit_stays(clock):
    exactly = idea_at(CUTOFF)
    younger = idea_at(CUTOFF + dt.timedelta(seconds=1))
    assert ideas_archive_stale()["archived"] == 0
    assert status_of(exactly) == status_of(younger) == Status.NEW


def test_a_vote_within_the_limit_keeps_an_old_idea(clock, bob):
    idea = idea_at(CUTOFF - dt.timedelta(days=300))
    at(CUTOFF + dt.timedelta(minutes=1), vote_cast, voter=bob, idea=idea, value=-1)
    assert ideas_archive_stale()["archived"] == 0
    assert status_of(idea) == Status.NEW


def test_a_vote_older_than_the_limit_does_not(clock, bob):
    idea = idea_at(CUTOFF - dt.timedelta(days=300))
    at(CUTOFF - dt.timedelta(minutes=1), vote_cast, voter=bob, idea=idea, value=1)
    assert ideas_archive_stale()["archived"] == 1


def test_a_vote_withdrawn_within_the_limit_counts_as_activity(clock, bob):
    idea = idea_at(CUTOFF - dt.timedelta(days=300))
    at(CUTOFF - dt.timedelta(days=10), vote_cast, voter=bob, idea=idea, value=1)
    at(CUTOFF + dt.timedelta(days=10), vote_withdraw, voter=bob, idea=idea)
    assert ideas_archive_stale()["archived"] == 0


def test_a_comment_within_the_limit_keeps_an_old_idea(clock, bob):
    idea = idea_at(CUTOFF - dt.timedelta(days=300))
    CommentFactory(idea=idea, author=bob, created_at=CUTOFF + dt.timedelta(days=1))
    old = idea_at(CUTOFF - dt.timedelta(days=300))
    CommentFactory(idea=old, author=bob, created_at=CUTOFF - dt.timedelta(days=1))
    assert ideas_archive_stale()["archived"] == 1
    assert status_of(idea) == Status.NEW and status_of(old) == Status.ARCHIVED


def test_a_hidden_spam_comment_does_not_keep_an_idea(clock, bob):
    idea = idea_at(CUTOFF - dt.timedelta(days=300))
    CommentFactory(idea=idea, author=bob, created_at=NOW, hidden_at=NOW)
    assert ideas_archive_stale()["archived"] == 1


@pytest.mark.parametrize(
    "status",
    [
        Status.UNDER_REVIEW,
        Status.PLANNED,
        Status.IN_PROGRESS,
        Status.IMPLEMENTED,
        Status.DECLINED,
        Status.ARCHIVED,
    ],
)
def test_only_new_ideas_are_archived(clock, status):
    idea = idea_at(CUTOFF - dt.timedelta(days=300), status=status)
    assert ideas_archive_stale()["archived"] == 0
    assert status_of(idea) == status
    assert not StatusChange.objects.exists()


def test_withdrawn_hidden_and_held_ideas_are_left_alone(clock):
    old = CUTOFF - dt.timedelta(days=300)
    for field in ("withdrawn_at", "hidden_at", "held_at"):
        idea_at(old, **{field: old})
    assert ideas_archive_stale()["archived"] == 0


def test_running_it_again_archives_nothing_twice(clock, alice):
    ideas = [idea_at(CUTOFF - dt.timedelta(days=n + 1), author=alice) for n in range(3)]
    assert ideas_archive_stale()["archived"] == 3
    clock.now = NOW + dt.timedelta(days=1)
    assert ideas_archive_stale()["archived"] == 0
    assert StatusChange.objects.count() == 3
    assert Notification.objects.count() == 3
    assert {status_of(i) for i in ideas} == {Status.ARCHIVED}


def test_batches_stop_at_the_limit_per_run_and_the_rest_wait(clock):
    for n in range(7):
        idea_at(CUTOFF - dt.timedelta(days=n + 1))
    first = ideas_archive_stale(batch_size=2, max_batches=2)
    assert (first["archived"], first["batches"], first["more"]) == (4, 2, True)
    second = ideas_archive_stale(batch_size=2, max_batches=2)
    assert (second["archived"], second["more"]) == (3, False)
    assert Idea.objects.filter(status=Status.NEW).count() == 0


def test_the_limit_comes_from_the_setting(clock, settings):
    settings.IDEAS_STALE_AFTER_DAYS = 30
    idea_at(NOW - dt.timedelta(days=31))
    ideas_archive_stale()
    assert StatusChange.objects.get().response.startswith("Archived after 1 month ")


def test_the_task_runs_under_the_job_lock_and_records_its_run(clock):
    idea_at(CUTOFF - dt.timedelta(days=1))
    detail = archive_stale_ideas()
    assert detail["archived"] == 1
    run = JobRun.objects.get(name=ARCHIVE_STALE_JOB)
    assert run.ok and run.detail["archived"] == 1


def test_the_job_is_scheduled_daily(settings):
    entry = BEAT_SCHEDULE["archive-stale-ideas"]
    assert entry["task"] == "actions.tasks.archive_stale_ideas"
    assert entry["schedule"].hour == {4} and entry["schedule"].minute == {23}


# ---- reopening --------------------------------------------------------------------------


def test_a_pm_reopens_an_archived_idea_and_it_is_open_again(clock, client, pat, alice, settings):
    # The visitors' page cache is bumped after commit, which a test transaction never does.
    settings.IDEAS_PAGE_CACHE = False
    idea = idea_at(CUTOFF - dt.timedelta(days=1), author=alice, title="Backlit keyboards")
    ideas_archive_stale()
    assert not Idea.objects.open().filter(pk=idea.pk).exists()
    listed = client.get(reverse("idea-list"), {"status": "new"}).context["ideas"]
    assert idea not in list(listed)
    client.force_login(pat)
    response = client.post(reverse("idea-status", args=[idea.pk]), {"status": "new"})
    assert response.status_code == 302
    assert status_of(idea) == Status.NEW
    assert Idea.objects.open().filter(pk=idea.pk).exists()
    client.logout()
    listed = client.get(reverse("idea-list"), {"status": "new"}).context["ideas"]
    assert idea in list(listed)
    reopened = StatusChange.objects.filter(idea=idea).last()
    assert (reopened.old_status, reopened.new_status, reopened.actor) == ("archived", "new", pat)


def test_a_reopened_idea_stays_open_for_another_six_months(clock, pat):
    idea = idea_at(CUTOFF - dt.timedelta(days=1))
    ideas_archive_stale()
    idea_status_set(idea=idea, actor=pat, status=Status.NEW)
    clock.now = NOW + dt.timedelta(days=DAYS - 1)
    assert ideas_archive_stale()["archived"] == 0
    clock.now = NOW + dt.timedelta(days=DAYS + 1)
    assert ideas_archive_stale()["archived"] == 1
    assert status_of(idea) == Status.ARCHIVED
