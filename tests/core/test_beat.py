"""Two Celery beats on one schedule (core.beat): one leads, a period's job is sent once, and
the standby takes over from a dead leader without losing or doubling a run. The beats are
real LeaderSchedulers publishing to a real Redis queue of the test's own, ticked by the test."""

import datetime as dt
import json
import time
import uuid

import pytest
import redis
from celery import Celery
from django.conf import settings

from core.beat import LEASE, TASK_ID_PREFIX, LeaderScheduler, dispatch_finished, period_of
from core.models import Lease, PeriodicDispatch

pytestmark = [
    pytest.mark.services,
    pytest.mark.usefixtures("postgres"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def queue(redis_url):
    name = f"test-beat-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    yield name, client
    client.delete(name)


@pytest.fixture
def beat(tmp_path, settings):
    """Makes beats whose schedule is one job every `every` seconds, sent to `queue_name`;
    closed at the end (a clean stop, as `celery beat` does on SIGTERM)."""
    made = []

    def make(queue_name: str, lease_seconds: float, *, every: float = 1.0) -> LeaderScheduler:
        app = Celery("beat-test", set_as_current=False)
        app.conf.update(
            broker_url=settings.CELERY_BROKER_URL,
            broker_transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            timezone="UTC",
            beat_schedule={
                "tally": {
                    "task": "tests.tally",
                    "schedule": every,
                    "options": {"queue": queue_name},
                }
            },
        )
        settings.BEAT_LEASE_SECONDS = lease_seconds
        name = uuid.uuid4().hex[:6]
        made.append(LeaderScheduler(app, schedule_filename=str(tmp_path / f"schedule-{name}")))
        return made[-1]

    yield make
    for scheduler in made:
        scheduler.close()


def run(beats, seconds: float) -> None:
    """Tick every beat for `seconds`, as their loops would, each at its own pace."""
    due = [0.0] * len(beats)
    deadline = time.monotonic() + seconds
    while (now := time.monotonic()) < deadline:
        for index, scheduler in enumerate(beats):
            if now >= due[index]:
                due[index] = now + min(scheduler.tick(), 0.05)
        time.sleep(0.01)


def sent(client, queue_name: str) -> list[str]:
    """The task ids of the messages on the queue."""
    return [json.loads(raw)["headers"]["id"] for raw in client.lrange(queue_name, 0, -1)]


def test_period_of_an_interval_is_its_slot_and_of_a_crontab_its_scheduled_minute():
    from celery.beat import ScheduleEntry
    from celery.schedules import crontab, schedule

    app = Celery("period-test", set_as_current=False)
    now = dt.datetime(2026, 12, 6, 7, 2, 47, 500000, tzinfo=dt.UTC)
    every_10s = ScheduleEntry("a", "t", schedule=schedule(dt.timedelta(seconds=10)), app=app)
    assert period_of(every_10s, now) == now.replace(second=40, microsecond=0)
    # Due now: the current minute (the last run was at the previous one).
    last = now.replace(minute=0, second=0, microsecond=200000)
    every_5min = ScheduleEntry("b", "t", schedule=crontab(minute="*/5"), last_run_at=last, app=app)
    due = now.replace(minute=5, second=0, microsecond=300000)
    assert period_of(every_5min, due) == due.replace(microsecond=0)
    # Caught up late (a beat back with yesterday's schedule file): the minute it was due.
    daily = ScheduleEntry(
        "c",
        "t",
        schedule=crontab(minute=0, hour=7, app=app),
        last_run_at=now - dt.timedelta(days=1, minutes=2),
        app=app,
    )
    assert period_of(daily, now) == now.replace(minute=0, second=0, microsecond=0)


def test_two_beats_send_each_period_once_and_only_the_leader_sends(beat, queue):
    name, client = queue
    first, second = beat(name, 3), beat(name, 3)
    run([first, second], 4.5)

    rows = list(PeriodicDispatch.objects.order_by("period"))
    assert len(rows) >= 4
    assert {row.beat for row in rows} == {first.holder}
    periods = [row.period for row in rows]
    assert len(set(periods)) == len(periods)
    assert sorted(sent(client, name)) == sorted(row.task_id for row in rows)
    assert all(task_id.startswith(TASK_ID_PREFIX) for task_id in sent(client, name))


def test_the_standby_takes_over_from_a_dead_leader_without_a_gap_or_a_double(beat, queue):
    name, client = queue
    leader, standby = beat(name, 1.5), beat(name, 1.5)
    run([leader, standby], 2.2)
    assert Lease.objects.get(name=LEASE).holder == leader.holder
    # The leader dies (no release, no more renewals): the standby waits out its lease.
    run([standby], 4.5)

    rows = list(PeriodicDispatch.objects.order_by("period"))
    senders = [row.beat for row in rows]
    assert senders[0] == leader.holder and senders[-1] == standby.holder
    seconds = [int(row.period.timestamp()) for row in rows]
    assert seconds == list(range(seconds[0], seconds[0] + len(seconds)))  # no gap, no double
    assert sorted(sent(client, name)) == sorted(row.task_id for row in rows)
    assert Lease.objects.get(name=LEASE).holder == standby.holder


def test_two_beats_that_both_believe_they_lead_still_send_a_period_once(beat, queue):
    """A leader paused past its lease wakes up sending: the dispatch record refuses it."""
    name, client = queue
    first, second = beat(name, 3), beat(name, 3)
    for scheduler in (first, second):
        scheduler.leading = lambda: True
    run([first, second], 3.2)

    rows = list(PeriodicDispatch.objects.all())
    assert len(rows) >= 3
    assert len({row.period for row in rows}) == len(rows)
    assert len(sent(client, name)) == len(rows)


def test_a_leader_that_stops_cleanly_hands_over_at_once(beat, queue):
    name, _ = queue
    leader, standby = beat(name, 30), beat(name, 30)
    run([leader, standby], 0.5)
    leader.close()
    run([standby], 1.2)
    assert Lease.objects.get(name=LEASE).holder == standby.holder


def test_the_worker_counts_a_dispatched_run_and_a_skipped_one():
    row = PeriodicDispatch.objects.create(
        name="tally",
        period=dt.datetime(2026, 12, 6, tzinfo=dt.UTC),
        beat="b",
        task_id=f"{TASK_ID_PREFIX}1",
        sent_at=dt.datetime(2026, 12, 6, tzinfo=dt.UTC),
    )

    class Task:
        class request:
            id = row.task_id

    dispatch_finished(sender=Task, result={"repaired": 0})
    dispatch_finished(sender=Task, result=None)
    row.refresh_from_db()
    assert (row.completions, row.skipped) == (1, 1) and row.finished_at is not None
