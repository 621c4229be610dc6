from celery import shared_task

from votes.jobs import job_run
from votes.services import vote_counts_reconcile

RECONCILE_JOB = "reconcile_vote_counts"


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def reconcile_vote_counts() -> dict | None:
    """Recount votes per idea from the votes table and repair drifted counters. Idempotent."""
    return job_run(RECONCILE_JOB, lambda: {"repaired": vote_counts_reconcile()})
