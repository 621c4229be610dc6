"""Celery jobs: thin wrappers that take no arguments, run the work in votes/rebuild.py or
votes/snapshots.py under a database lock (core.jobs.job_run) and are safe to run twice or at
once. The schedule is in settings."""

import datetime as dt

from celery import shared_task

from core.jobs import TASK_OPTIONS, job_last_started, job_run
from votes import rebuild
from votes.snapshots import top_requests_snapshot

RECONCILE_JOB = "reconcile_rankings"
TRENDING_JOB = "trending"
SNAPSHOT_JOB = "top_requests_snapshot"
REBASE_JOB = "ranking_rebase"
# Jobs that rewrite ranking figures share one lock, so they never interleave.
RANKINGS_LOCK = "rankings"
# Looks back this much before the previous run's start: a vote whose transaction began before
# that run but committed after it is still picked up.
RECONCILE_OVERLAP = dt.timedelta(minutes=2)


@shared_task(**TASK_OPTIONS)
def reconcile_rankings() -> dict | None:
    """Recompute counts and keys of the ideas voted on since the last run; repair drift."""

    def work() -> dict:
        last = job_last_started(RECONCILE_JOB)
        return rebuild.rankings_reconcile(since=last - RECONCILE_OVERLAP if last else None)

    return job_run(RECONCILE_JOB, work, lock=RANKINGS_LOCK)


@shared_task(**TASK_OPTIONS)
def reconcile_rankings_full() -> dict | None:
    """Recount every idea, not only those voted on lately."""
    return job_run(
        RECONCILE_JOB, lambda: rebuild.rankings_reconcile(since=None), lock=RANKINGS_LOCK
    )


@shared_task(**TASK_OPTIONS)
def refresh_trending() -> dict | None:
    return job_run(TRENDING_JOB, rebuild.trending_refresh, lock=RANKINGS_LOCK)


@shared_task(**TASK_OPTIONS)
def snapshot_top_requests() -> dict | None:
    return job_run(SNAPSHOT_JOB, top_requests_snapshot)


@shared_task(**TASK_OPTIONS)
def rebase_rankings() -> dict | None:
    return job_run(REBASE_JOB, rebuild.ranking_rebase, lock=RANKINGS_LOCK)
