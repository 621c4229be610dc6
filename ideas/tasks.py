"""Celery jobs for ideas: thin wrappers run under a database lock (core.jobs.job_run), safe to
run twice. The schedule is in settings."""

from celery import shared_task

from core.jobs import TASK_OPTIONS, job_run
from ideas.services import ideas_archive_stale

ARCHIVE_STALE_JOB = "archive_stale_ideas"


@shared_task(**TASK_OPTIONS)
def archive_stale_ideas() -> dict | None:
    """Archive new ideas with no votes or comments for IDEAS_STALE_AFTER_DAYS; tell authors."""
    return job_run(ARCHIVE_STALE_JOB, ideas_archive_stale)
