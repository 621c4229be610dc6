"""The Celery app and its beat schedule. Settings come from Django's settings (CELERY_* names);
the schedule is code, here: what runs when, each entry with why."""

import os

from celery import Celery, signals
from celery.schedules import crontab

from core import logging as log_setup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideastorm.settings")

app = Celery("ideastorm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Each job takes a database lock and is safe to run twice (core.jobs.job_run); `expires` drops a
# run that waited in the queue past its next turn.
BEAT_SCHEDULE = {
    # Every 5 minutes: recount the ideas voted on since the last run from the votes table,
    # refreshing their Popular keys and repairing any counter drift. IDEASTORM_RECONCILE_EVERY
    # (seconds) replaces the crontab, for the integration test.
    "reconcile-rankings": {
        "task": "votes.tasks.reconcile_rankings",
        "schedule": (
            float(os.environ["IDEASTORM_RECONCILE_EVERY"])
            if os.environ.get("IDEASTORM_RECONCILE_EVERY")
            else crontab(minute="*/5")
        ),
        "options": {"expires": 240},
    },
    # Every 10 minutes: the trending z-scores.
    "refresh-trending": {
        "task": "votes.tasks.refresh_trending",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 540},
    },
    # Hourly, at 5 past: the top product requests snapshot for the PM dashboard.
    "snapshot-top-requests": {
        "task": "votes.tasks.snapshot_top_requests",
        "schedule": crontab(minute=5),
        "options": {"expires": 3000},
    },
    # Nightly at 03:47: the same recount over every idea, which also repairs what the
    # incremental run cannot see (votes removed with a deleted account).
    "reconcile-rankings-full": {
        "task": "votes.tasks.reconcile_rankings_full",
        "schedule": crontab(minute=47, hour=3),
        "options": {"expires": 3600},
    },
    # Daily at 03:17: move the Popular reference time forward when due (a no-op otherwise).
    "rebase-rankings": {
        "task": "votes.tasks.rebase_rankings",
        "schedule": crontab(minute=17, hour=3),
        "options": {"expires": 3600},
    },
    # Every 5 minutes: quarantine bursts and rings of suspicious votes (moderation.stuffing).
    "detect-vote-stuffing": {
        "task": "moderation.tasks.detect_vote_stuffing",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    # Every 5 minutes: notification emails the after-commit enqueue missed (broker down).
    "email-notifications": {
        "task": "notifications.tasks.email_notifications",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    # Every minute: open and close Storm Sessions whose start or end has passed (the home
    # page's announcements; whether a session takes ideas is decided by its times alone).
    "storm-sessions-open-close": {
        "task": "storms.tasks.sessions_open_close",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    # Daily at 07:00 UTC: the digest for members who chose one.
    "email-digests": {
        "task": "notifications.tasks.email_digests",
        "schedule": crontab(minute=0, hour=7),
        "options": {"expires": 3600},
    },
    # Daily at 04:23 UTC (before the digests): archive new ideas with no votes or comments for
    # IDEAS_STALE_AFTER_DAYS, in batches, and tell their authors.
    "archive-stale-ideas": {
        "task": "actions.tasks.archive_stale_ideas",
        "schedule": crontab(minute=23, hour=4),
        "options": {"expires": 3600},
    },
    # Daily at 04:41 UTC: forget log-in failure records that no longer lock or count, the
    # records of expired login sessions (Settings' "Where you're logged in"), and create
    # forms' one-time tokens older than a week (core.formtokens).
    "forget-login-throttles": {
        "task": "accounts.tasks.forget_login_throttles",
        "schedule": crontab(minute=41, hour=4),
        "options": {"expires": 3600},
    },
    # Every minute: webhook deliveries due for a retry (those due within 30 minutes are also
    # enqueued with their due time, so they leave on time), and any the broker lost.
    "webhook-deliveries": {
        "task": "webhooks.tasks.deliveries_retry",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
    # Every 5 minutes: announce ideas whose score reached 10, 50, 100, 500 or 1000 (the vote
    # path is left alone).
    "webhook-vote-thresholds": {
        "task": "webhooks.tasks.vote_thresholds_announce",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    # Every minute: changelog entries scheduled for now or earlier are published (their ideas
    # marked Implemented, their voters and followers told); a scheduled entry is late by a
    # minute at most.
    "publish-changelog-entries": {
        "task": "actions.tasks.publish_changelog_entries",
        "schedule": crontab(minute="*"),
        "options": {"expires": 50},
    },
}

app.conf.beat_schedule = BEAT_SCHEDULE

# A task's log lines carry the id of the request that enqueued it; with IDEASTORM_LOG_FORMAT=json
# a worker's own log is JSON too (core.logging).
signals.before_task_publish.connect(log_setup.task_publish_add_request_id, weak=False)
signals.task_prerun.connect(log_setup.task_prerun_set_request_id, weak=False)
signals.task_postrun.connect(log_setup.task_postrun_reset_request_id, weak=False)
signals.after_setup_logger.connect(log_setup.celery_logger_setup, weak=False)
signals.after_setup_task_logger.connect(log_setup.celery_logger_setup, weak=False)
