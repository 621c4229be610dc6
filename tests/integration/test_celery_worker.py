"""The whole Celery pipeline on real services: PostgreSQL, Redis, and a Celery worker with its
beat scheduler running as separate processes against the test database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from core.models import JobRun
from ideas.models import Idea
from tests.factories import IdeaFactory, UserFactory
from votes.services import vote_cast
from votes.tasks import RECONCILE_JOB, reconcile_rankings

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
CELERY = Path(sys.executable).with_name("celery")


def wait_for_task(task_name: str, timeout: float) -> dict:
    """Block on the worker's task events until a task of this name has succeeded."""
    from ideastorm.celery import app

    names, succeeded = {}, []

    def on_received(event):
        names[event["uuid"]] = event["name"]

    def on_succeeded(event):
        if names.get(event["uuid"]) == task_name:
            succeeded.append(event)

    deadline = time.monotonic() + timeout
    with app.connection_for_read() as conn:
        handlers = {"task-received": on_received, "task-succeeded": on_succeeded}
        receiver = app.events.Receiver(conn, handlers=handlers)
        try:  # one subscription throughout, so no event falls between two
            for _ in receiver.itercapture(limit=None, timeout=timeout, wakeup=False):
                if succeeded or time.monotonic() > deadline:
                    break
        except TimeoutError:
            pass
    if not succeeded:
        pytest.fail(f"no {task_name} succeeded within {timeout}s")
    return succeeded[0]


def start_worker(redis_url: str, tmp_path: Path, *, beat: bool):
    """A Celery worker (with embedded beat if asked) on its own queue, using the test database."""
    db = connection.settings_dict
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "IDEASTORM_VAR_DIR": str(tmp_path),
        "IDEASTORM_CELERY_QUEUE": queue,
        "IDEASTORM_RECONCILE_EVERY": "1",
    }
    command = [str(CELERY), "-A", "ideastorm", "worker", "--pool", "solo", "-Q", queue]
    command += ["--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    if beat:  # with task events (-E), which the test waits on
        command += ["--beat", "--schedule", str(tmp_path / "schedule"), "-E"]
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed by stop_worker
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    return queue, proc, log


def stop_worker(proc, log) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture
def worker(postgres, redis_url, tmp_path):
    """A worker without beat: nothing but the test sends it work."""
    queue, proc, log = start_worker(redis_url, tmp_path, beat=False)
    yield queue
    stop_worker(proc, log)


@pytest.fixture
def worker_with_beat(postgres, redis_url, tmp_path):
    queue, proc, log = start_worker(redis_url, tmp_path, beat=True)
    yield queue
    stop_worker(proc, log)


def test_worker_runs_the_reconcile_task_and_repairs_drift(worker):
    idea = IdeaFactory()
    for user in UserFactory.create_batch(3):
        vote_cast(voter=user, idea=idea, value=1)
    Idea.objects.filter(pk=idea.pk).update(promotes=40, demotes=2, score=38)

    detail = reconcile_rankings.apply_async(queue=worker).get(timeout=60)

    assert detail["repaired"] >= 1
    idea.refresh_from_db()
    assert (idea.promotes, idea.demotes, idea.score) == (3, 0, 3)


def test_beat_schedules_the_job_and_healthz_turns_healthy(worker_with_beat, client):
    assert client.get("/healthz").status_code == 503
    wait_for_task("votes.tasks.reconcile_rankings", timeout=60)
    run = JobRun.objects.get(name=RECONCILE_JOB)
    assert run.ok and run.succeeded_at is not None
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["broker"]["ok"] is True
