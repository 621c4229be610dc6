"""Celery tasks for webhooks: thin wrappers over webhooks.services, safe to run twice
(a delivery is claimed before each attempt). The schedule is in settings."""

from celery import shared_task

from core.jobs import TASK_OPTIONS, job_run
from webhooks import services

RETRY_JOB = "webhook_deliveries"
THRESHOLD_JOB = "webhook_vote_thresholds"


@shared_task(**TASK_OPTIONS)
def deliver(delivery_id: int) -> str | None:
    """One attempt at a delivery, enqueued after the event's transaction commits, and again
    with an eta for a retry due within services.PRECISE_RETRY_WITHIN."""
    return services.delivery_send(delivery_id=delivery_id)


@shared_task(**TASK_OPTIONS)
def deliveries_retry() -> dict | None:
    """Every minute: the retries due too late to wait in the worker (2 and 12 hours), and any
    delivery the broker lost or the enqueue missed."""
    return job_run(RETRY_JOB, services.deliveries_send_due)


@shared_task(**TASK_OPTIONS)
def vote_thresholds_announce() -> dict | None:
    return job_run(THRESHOLD_JOB, services.vote_thresholds_announce)
