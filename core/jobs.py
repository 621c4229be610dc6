"""Bookkeeping for periodic jobs: a lease so two runs never overlap, and a JobRun record."""

import logging
from collections.abc import Callable
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.leases import renewing
from core.models import JobRun

logger = logging.getLogger(__name__)

# Every Celery task's options: acknowledged after it ran (a worker lost mid-job means a rerun,
# which the jobs allow), and stopped if it runs away.
TASK_OPTIONS = {"acks_late": True, "time_limit": 600, "soft_time_limit": 540}


@contextmanager
def _job_lock(name: str):
    """The job's lease (core.leases), renewed while it runs; yields False when another run
    holds it. A worker killed mid-job holds it no longer than JOB_LEASE_SECONDS, so the rerun
    of its message finds it free (keep that below the broker's visibility timeout). SQLite
    serialises writers already (IMMEDIATE transactions) and runs on one machine, so there it
    always yields True."""
    if connection.vendor != "postgresql":
        yield True
        return
    with renewing(f"job:{name}", settings.JOB_LEASE_SECONDS) as acquired:
        yield acquired


def job_last_started(name: str):
    """When the last successful run of the job started, or None."""
    return JobRun.objects.filter(name=name).values_list("last_ok_started_at", flat=True).first()


def job_run(name: str, work: Callable[[], dict], *, lock: str | None = None) -> dict | None:
    """Run `work` under the lock (the job's own name by default) and record the outcome.
    Returns its detail dict, or None when another run held the lock."""
    with _job_lock(lock or name) as acquired:
        if not acquired:
            logger.info("job %s skipped: another run holds the lock", name)
            return None
        started = timezone.now()
        JobRun.objects.update_or_create(name=name, defaults={"started_at": started})
        try:
            detail = work()
        except Exception as exc:
            JobRun.objects.filter(name=name).update(
                finished_at=timezone.now(), ok=False, detail={"error": str(exc)[:500]}
            )
            raise
        finished = timezone.now()
        detail = {**detail, "duration_s": round((finished - started).total_seconds(), 3)}
        JobRun.objects.filter(name=name).update(
            finished_at=finished,
            succeeded_at=finished,
            last_ok_started_at=started,
            ok=True,
            detail=detail,
        )
        return detail
