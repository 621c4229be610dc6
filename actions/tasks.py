"""Celery jobs whose work crosses apps: thin wrappers run under a database lock
(core.jobs.job_run), safe to run twice. The schedule is in ideastorm/celery.py."""

from celery import shared_task

from actions.ideas import ideas_archive_stale
from core.jobs import TASK_OPTIONS, job_run

ARCHIVE_STALE_JOB = "archive_stale_ideas"


@shared_task(**TASK_OPTIONS)
def archive_stale_ideas() -> dict | None:
    """Archive new ideas with no votes or comments for IDEAS_STALE_AFTER_DAYS; tell authors."""
    return job_run(ARCHIVE_STALE_JOB, ideas_archive_stale)
