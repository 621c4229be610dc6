"""Leases (core.leases) and the periodic jobs' lock on them (core.jobs), on PostgreSQL."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from core.jobs import job_run
from core.leases import lease_acquire, lease_release, renewing
from core.models import JobRun, Lease

pytestmark = pytest.mark.usefixtures("postgres")


@pytest.mark.django_db
def test_a_lease_has_one_holder_until_it_runs_out():
    assert lease_acquire("job:x", "a", 30)
    assert not lease_acquire("job:x", "b", 30)
    assert lease_acquire("job:x", "a", 30)  # its holder renews it
    Lease.objects.filter(name="job:x").update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert lease_acquire("job:x", "b", 30)
    assert Lease.objects.get(name="job:x").holder == "b"


@pytest.mark.django_db
def test_only_the_holder_releases_a_lease():
    lease_acquire("job:x", "a", 30)
    lease_release("job:x", "b")
    assert not lease_acquire("job:x", "b", 30)
    lease_release("job:x", "a")
    assert lease_acquire("job:x", "b", 30)


@pytest.mark.django_db
def test_the_lease_is_timed_by_the_database_clock():
    lease_acquire("job:x", "a", 30)
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires_at - clock_timestamp() FROM core_lease WHERE name = 'job:x'")
        remaining = cursor.fetchone()[0]
    assert dt.timedelta(seconds=29) < remaining <= dt.timedelta(seconds=30)


@pytest.mark.django_db
def test_a_job_whose_lease_another_run_holds_is_skipped_and_not_recorded():
    lease_acquire("job:report", "a worker elsewhere", 30)
    assert job_run("report", lambda: {"done": 1}) is None
    assert not JobRun.objects.filter(name="report").exists()


@pytest.mark.django_db
def test_a_job_runs_once_a_dead_holders_lease_has_run_out():
    lease_acquire("job:report", "a worker that was killed", 30)
    Lease.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert job_run("report", lambda: {"done": 1})["done"] == 1
    assert not Lease.objects.exists()  # let go at the end


@pytest.mark.django_db
def test_jobs_sharing_a_lock_exclude_each_other():
    inner = []
    outcome = job_run(
        "reconcile",
        lambda: {"inner": inner.append(job_run("trending", lambda: {}, lock="rankings"))},
        lock="rankings",
    )
    assert outcome is not None and inner == [None]


@pytest.mark.django_db(transaction=True)
def test_a_long_job_keeps_its_lease_while_it_runs():
    """The lease outlives its length while the job runs (renewed from a thread), and another
    run is refused throughout."""
    seen = []
    finished = threading.Event()

    def other_runs():
        while not finished.is_set():
            seen.append(lease_acquire("job:long", "another worker", 0.6))
            finished.wait(0.2)
        connection.close()

    with renewing("job:long", 0.6) as acquired:
        assert acquired
        other = threading.Thread(target=other_runs)
        other.start()
        threading.Event().wait(2.0)  # three lease lengths, while the job "works"
        finished.set()
        other.join()
    assert seen and not any(seen)
    assert not Lease.objects.exists()
