"""Celery job: open and close Storm Sessions on time. The schedule is in settings."""

from celery import shared_task

from core.jobs import TASK_OPTIONS, job_run
from storms import services

OPEN_CLOSE_JOB = "storm_sessions_open_close"


@shared_task(**TASK_OPTIONS)
def sessions_open_close() -> dict | None:
    """Set opened_at and closed_at on the sessions whose start or end has passed."""
    return job_run(OPEN_CLOSE_JOB, services.sessions_open_close)
