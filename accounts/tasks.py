"""Celery jobs for accounts, run under a database lock (core.jobs.job_run) and safe to run
twice. The schedule is in settings."""

from celery import shared_task

from accounts.lockout import throttles_forget
from accounts.sessions import login_sessions_forget_expired
from core.formtokens import tokens_forget
from core.jobs import TASK_OPTIONS, job_run

FORGET_THROTTLES_JOB = "forget_login_throttles"


@shared_task(**TASK_OPTIONS)
def forget_login_throttles() -> dict | None:
    """Delete log-in failure records that neither lock nor count any more, the records of
    login sessions past their expiry, and create forms' one-time tokens past theirs."""
    return job_run(FORGET_THROTTLES_JOB, _forget)


def _forget() -> dict:
    return {
        **throttles_forget(),
        "login_sessions_deleted": login_sessions_forget_expired(),
        "form_tokens_deleted": tokens_forget(),
    }
