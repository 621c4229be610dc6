"""Celery jobs whose work crosses apps: thin wrappers run under a database lock
(core.jobs.job_run), safe to run twice. The schedule is in ideastorm/celery.py."""

from celery import shared_task

from actions.changelog import entries_publish_due
from actions.ideas import ideas_archive_stale
from core.jobs import TASK_OPTIONS, job_run

ARCHIVE_STALE_JOB = "archive_stale_ideas"


@shared_task(**TASK_OPTIONS)
def archive_stale_ideas() -> dict | None:
    """Archive new ideas with no votes or comments for IDEAS_STALE_AFTER_DAYS; tell authors."""
    return job_run(ARCHIVE_STALE_JOB, ideas_archive_stale)


PUBLISH_CHANGELOG_JOB = "publish_changelog_entries"


@shared_task(**TASK_OPTIONS)
def publish_changelog_entries() -> dict | None:
    """Publish the changelog entries scheduled for now or earlier (actions.changelog)."""
    return job_run(PUBLISH_CHANGELOG_JOB, entries_publish_due)
