"""Celery jobs for moderation; the schedule is in settings."""

from celery import shared_task

from core.jobs import TASK_OPTIONS, job_last_started, job_run
from moderation.stuffing import SCAN_OVERLAP, stuffing_detect

STUFFING_JOB = "vote_stuffing"


@shared_task(**TASK_OPTIONS)
def detect_vote_stuffing() -> dict | None:
    """Quarantine suspicious groups of votes cast since the last run."""

    def work() -> dict:
        last = job_last_started(STUFFING_JOB)
        return stuffing_detect(since=last - SCAN_OVERLAP if last else None)

    return job_run(STUFFING_JOB, work)
