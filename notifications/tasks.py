"""Celery jobs for notification email. Safe to run twice: notifications are claimed before
they are sent (notifications.emails)."""

import datetime as dt

from celery import shared_task

from core.jobs import TASK_OPTIONS
from notifications import emails


@shared_task(**TASK_OPTIONS)
def email_notifications(since: str | None = None) -> int:
    """Emails for members who want each event: enqueued after a notification commits, and
    every few minutes from beat in case the broker was down then."""
    return emails.emails_send_each(since=dt.datetime.fromisoformat(since) if since else None)


@shared_task(**TASK_OPTIONS)
def email_digests() -> int:
    return emails.emails_send_digests()
