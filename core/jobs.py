"""Bookkeeping for periodic jobs: a lock so two runs never overlap, and a JobRun record."""

import logging
import zlib
from collections.abc import Callable
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

from core.models import JobRun

logger = logging.getLogger(__name__)

# Every Celery task's options: acknowledged after it ran (a worker lost mid-job means a rerun,
# which the jobs allow), and stopped if it runs away.
TASK_OPTIONS = {"acks_late": True, "time_limit": 600, "soft_time_limit": 540}


@contextmanager
def _job_lock(name: str):
    """A PostgreSQL session advisory lock; yields False when another run holds it.
    SQLite serialises writers already (IMMEDIATE transactions), so there it always yields True."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = zlib.crc32(f"ideastorm-job:{name}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


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
