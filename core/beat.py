"""Celery beat for more than one scheduler: any number of `celery beat` processes may run, and
each period's run of a job is sent once.

Two guards, each enough on its own for a different failure:
- Leadership: the beats share a lease (core.leases, "beat"), renewed every few seconds; only
  its holder sends. When the leader stops renewing it (killed, cut off), another takes over
  once the lease runs out (IDEASTORM_BEAT_LEASE_SECONDS).
- Once per period: before sending, the sender records the run (PeriodicDispatch), whose unique
  (entry, period) refuses a second one. Two beats that both think they lead (a paused
  leader waking up after its lease ran out) still send a period's job once.

A standby beat ticks through the same schedule without sending, and remembers the runs it let
pass for a while ("owed"): when it takes over, it sends those no one recorded, so a run due in
the gap between the leader's death and the end of its lease is late, not lost.

Why not celery-redbeat: its lock and schedule live in Redis, so a Redis outage or flush loses
both, it does not work with a RabbitMQ broker without a Redis beside it, and its lock alone does
not stop a paused leader from sending once more after its lock expired. The lease and the
dispatch record are in PostgreSQL, which every node needs anyway and whose constraints decide.

Every job is idempotent besides (core.jobs: a lease per job, and each is safe to run twice).
The worker counts each dispatched message's outcome (`dispatch_finished`), which `make
cluster-test` reads to check every job ran once per period.
"""

import datetime as dt
import logging
import math
import time
import uuid
from contextlib import suppress

from celery import signals
from celery.beat import PersistentScheduler
from celery.schedules import crontab, schedule
from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from core.leases import holder_id, lease_acquire, lease_release
from core.models import PeriodicDispatch

logger = logging.getLogger(__name__)

LEASE = "beat"
# Task ids of the messages a beat sends start with this; the worker counts only those.
TASK_ID_PREFIX = "beat-"
# Dispatch records are kept this long (for the operators, and the cluster test's checks).
KEEP_DISPATCHES = dt.timedelta(days=7)
STANDBY_POLL = 1.0  # seconds between a standby's asks for the lease


def period_of(entry, now: dt.datetime) -> dt.datetime:
    """The period a run due now belongs to. For a fixed interval, the interval's slot since the
    epoch. For a crontab, the minute it was scheduled for: the first time it fires after the
    entry's last run, which is in the past when a beat catches up on a missed run, so a beat
    that comes back with an old schedule file names the run as the one that led sent it."""
    entry_schedule = entry.schedule
    if isinstance(entry_schedule, schedule) and not isinstance(entry_schedule, crontab):
        every = entry_schedule.run_every.total_seconds()
        slot = math.floor(now.timestamp() / every) * every
        return dt.datetime.fromtimestamp(slot, tz=dt.UTC)
    due = now
    if entry.last_run_at is not None and isinstance(entry_schedule, crontab):
        start, delta, _ = entry_schedule.remaining_delta(entry.last_run_at)
        due = min(now, start + delta)
    return due.astimezone(dt.UTC).replace(second=0, microsecond=0)


def dispatch_record(name: str, period: dt.datetime, beat: str) -> str | None:
    """Record the period's run of `name` as sent by `beat`; its task id, or None when a run for
    that period is recorded already."""
    task_id = f"{TASK_ID_PREFIX}{uuid.uuid4()}"
    try:
        with transaction.atomic():
            PeriodicDispatch.objects.create(
                name=name, period=period, beat=beat, task_id=task_id, sent_at=timezone.now()
            )
    except IntegrityError:
        return None
    return task_id


class LeaderScheduler(PersistentScheduler):
    """PersistentScheduler (the local file keeps this beat's own state across restarts) that
    sends only while it holds the lease, and each period's run once."""

    def __init__(self, *args, **kwargs):
        self.holder = holder_id()
        self.lease_seconds = settings.BEAT_LEASE_SECONDS
        self.leading_until = 0.0  # time.monotonic() up to which this beat may send
        self.next_renewal = 0.0
        # (entry name, period) -> (entry, its task id once recorded): runs still to send.
        self.owed: dict[tuple[str, dt.datetime], tuple[object, str | None]] = {}
        self.next_prune = 0.0
        super().__init__(*args, **kwargs)
        # Renew well within the lease, whatever the schedule's next run.
        self.max_interval = min(self.max_interval, self.lease_seconds / 3)

    # -- leadership -------------------------------------------------------------------------

    def leading(self) -> bool:
        now = time.monotonic()
        if now >= self.next_renewal:
            try:
                close_old_connections()
                acquired = lease_acquire(LEASE, self.holder, self.lease_seconds)
            except DatabaseError as error:
                logger.warning("beat: the lease could not be renewed (%s)", error)
                connection.close()
                acquired = False
            was_leading = now < self.leading_until
            # Trust the lease for 80% of its length from before it was asked for: the
            # database's clock may run ahead of this process's.
            self.leading_until = now + 0.8 * self.lease_seconds if acquired else 0.0
            # The leader renews at a third of the lease; a standby asks every second, so a
            # leader that stops cleanly (and lets go) is replaced within one.
            self.next_renewal = now + (
                self.lease_seconds / 3 if acquired else min(STANDBY_POLL, self.lease_seconds / 3)
            )
            if acquired and not was_leading:
                logger.info("beat %s leads: it sends the periodic jobs", self.holder)
            elif was_leading and not acquired:
                logger.warning("beat %s lost the lead: standing by", self.holder)
        return now < self.leading_until

    def tick(self, *args, **kwargs):
        if self.leading():
            self.pay_owed()
            self.prune()
        return min(super().tick(*args, **kwargs), max(self.next_renewal - time.monotonic(), 0))

    def close(self):
        if time.monotonic() < self.leading_until:
            with suppress(DatabaseError):  # then the standby waits the lease out
                lease_release(LEASE, self.holder)  # the standby takes over at once
        super().close()

    # -- sending ----------------------------------------------------------------------------

    def is_due(self, entry):
        """A fixed interval is due once per slot of the interval since the epoch, so the runs'
        periods (period_of) follow each other without a gap whichever beat sends them;
        Celery's own interval drifts later by the time each send takes."""
        entry_schedule = entry.schedule
        if not isinstance(entry_schedule, schedule) or isinstance(entry_schedule, crontab):
            return super().is_due(entry)
        every = entry_schedule.run_every.total_seconds()
        now = time.time()
        last = entry.last_run_at.timestamp() if entry.last_run_at else 0.0
        next_in = every - now % every
        return math.floor(now / every) > math.floor(last / every), next_in

    def apply_entry(self, entry, producer=None):
        period = period_of(entry, timezone.now())
        if not self.leading():
            horizon = self.owed_horizon()
            self.owed = {key: owed for key, owed in self.owed.items() if key[1] >= horizon}
            self.owed[(entry.name, period)] = (entry, None)
            logger.debug("beat standby: %s for %s left to the leader", entry.name, period)
            return
        self.send(entry, period, producer)

    def owed_horizon(self) -> dt.datetime:
        """Runs older than this are not worth sending late: the next period's is near."""
        return timezone.now() - dt.timedelta(seconds=self.lease_seconds + 60)

    def send(self, entry, period: dt.datetime, producer=None, task_id: str | None = None) -> None:
        """Record the period's run (unless `task_id` says it is recorded already) and publish
        it. A broker that fails keeps the record: the run stays owed, with its task id, and
        is published again on a later tick."""
        if task_id is None:
            try:
                task_id = dispatch_record(entry.name, period, self.holder)
            except DatabaseError as error:
                logger.warning("beat: %s for %s not sent: %s", entry.name, period, error)
                connection.close()
                self.owed[(entry.name, period)] = (entry, None)
                return
            if task_id is None:
                logger.info("beat: %s for %s was sent already", entry.name, period)
                return
        options = {**entry.options, "task_id": task_id}
        try:
            task = self.app.tasks.get(entry.task)
            if task is not None:
                task.apply_async(entry.args, entry.kwargs, producer=producer, **options)
            else:
                self.send_task(entry.task, entry.args, entry.kwargs, producer=producer, **options)
        except Exception as error:  # the broker is down: publish it again on a later tick
            logger.warning("beat: %s for %s not sent yet: %s", entry.name, period, error)
            self.owed[(entry.name, period)] = (entry, task_id)
            return
        logger.info("beat: sent %s for %s", entry.name, period)

    def pay_owed(self) -> None:
        """Send the runs this beat let pass (standing by, or the broker down) that no one sent
        and that are still worth sending: within the lease's length and a minute."""
        if not self.owed:
            return
        horizon = self.owed_horizon()
        owed, self.owed = self.owed, {}
        for (_, period), (entry, task_id) in sorted(owed.items(), key=lambda item: item[0][1]):
            if period >= horizon:
                self.send(entry, period, self.producer, task_id)

    def prune(self) -> None:
        now = time.monotonic()
        if now < self.next_prune:
            return
        self.next_prune = now + 3600
        try:
            PeriodicDispatch.objects.filter(sent_at__lt=timezone.now() - KEEP_DISPATCHES).delete()
        except DatabaseError:
            connection.close()


@signals.task_success.connect
def dispatch_finished(sender=None, result=None, **kwargs) -> None:
    """In the worker: a beat-sent message ran to the end. A None result is a job that found
    another run holding its lease (core.jobs.job_run)."""
    task_id = getattr(getattr(sender, "request", None), "id", None) or ""
    if not task_id.startswith(TASK_ID_PREFIX):
        return
    counter = "skipped" if result is None else "completions"
    PeriodicDispatch.objects.filter(task_id=task_id).update(
        **{counter: F(counter) + 1}, finished_at=Now()
    )
