"""The whole Celery pipeline on real services: PostgreSQL, a broker (Redis, and RabbitMQ: every
test runs on both), and a Celery worker with its beat scheduler running as separate processes
against the test database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from kombu import Queue

from core.models import JobRun, PeriodicDispatch
from ideas.models import Idea
from tests.factories import IdeaFactory, UserFactory
from tests.processes import stop
from votes.services import vote_cast
from votes.tasks import RECONCILE_JOB, reconcile_rankings
from webhooks.tasks import deliveries_retry

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
CELERY = Path(sys.executable).with_name("celery")
QUEUES = ("periodic", "email", "webhooks", "stuffing")


@pytest.fixture(params=["redis", "rabbitmq"])
def broker_url(request, redis_url):
    """The broker the worker and the test use: Redis (the default), then RabbitMQ."""
    if request.param == "redis":
        return settings.CELERY_BROKER_URL
    return request.getfixturevalue("rabbitmq_url")


def wait_for_task(task_name: str, timeout: float, broker_url: str) -> dict:
    """Block on the worker's task events until a task of this name has succeeded."""
    from ideastorm.celery import app

    names, succeeded = {}, []

    def on_received(event):
        names[event["uuid"]] = event["name"]

    def on_succeeded(event):
        if names.get(event["uuid"]) == task_name:
            succeeded.append(event)

    deadline = time.monotonic() + timeout
    with app.connection_for_read(broker_url) as conn:
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


def start_worker(broker_url: str, tmp_path: Path, *, beat: bool):
    """A Celery worker (with embedded beat if asked) consuming its own four queues (a prefix of
    its own), using the test database."""
    db = connection.settings_dict
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "IDEASTORM_BROKER_URL": broker_url,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "IDEASTORM_VAR_DIR": str(tmp_path),
        "IDEASTORM_CELERY_QUEUE": prefix,
        "IDEASTORM_RECONCILE_EVERY": "1",
    }
    command = [str(CELERY), "-A", "ideastorm", "worker", "--pool", "solo"]
    # A node name of its own: two workers named alike on one RabbitMQ fight over their
    # remote-control queue (RESOURCE_LOCKED), and a test running beside this one has one.
    command += ["-n", f"{prefix}@%h"]
    command += ["--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    if beat:  # with task events (-E), which the test waits on
        command += ["--beat", "--schedule", str(tmp_path / "schedule"), "-E"]
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed by stop_worker
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    return prefix, proc, log


def stop_worker(proc, log) -> None:
    stop(proc)
    log.close()


def delete_queues(broker_url: str, prefix: str) -> None:
    """RabbitMQ keeps a declared queue: take the test's away."""
    from ideastorm.celery import app

    with app.connection_for_write(broker_url) as conn:
        channel = conn.default_channel
        for short in QUEUES:
            Queue(f"{prefix}.{short}").bind(channel).delete()


@pytest.fixture
def worker(postgres, broker_url, tmp_path):
    """A worker without beat: nothing but the test sends it work."""
    prefix, proc, log = start_worker(broker_url, tmp_path, beat=False)
    yield prefix
    stop_worker(proc, log)
    delete_queues(broker_url, prefix)


@pytest.fixture
def worker_with_beat(postgres, broker_url, tmp_path):
    prefix, proc, log = start_worker(broker_url, tmp_path, beat=True)
    yield prefix
    stop_worker(proc, log)
    delete_queues(broker_url, prefix)


def send(task, broker_url: str, queue: str, *args):
    """Enqueue on the test's broker, as the web process does on its own."""
    from ideastorm.celery import app

    with app.connection_for_write(broker_url) as conn:
        return task.apply_async(args, connection=conn, queue=queue)


def test_worker_runs_the_reconcile_task_and_repairs_drift(worker, broker_url):
    idea = IdeaFactory()
    for user in UserFactory.create_batch(3):
        vote_cast(voter=user, idea=idea, value=1)
    Idea.objects.filter(pk=idea.pk).update(promotes=40, demotes=2, score=38)

    detail = send(reconcile_rankings, broker_url, f"{worker}.periodic").get(timeout=60)

    assert detail["repaired"] >= 1
    idea.refresh_from_db()
    assert (idea.promotes, idea.demotes, idea.score) == (3, 0, 3)


def test_a_worker_without_queues_named_consumes_every_queue(worker, broker_url):
    """The webhook queue is served too (deploy/ starts one worker per queue instead)."""
    assert send(deliveries_retry, broker_url, f"{worker}.webhooks").get(timeout=60) is not None


def test_beat_schedules_the_job_and_healthz_turns_healthy(worker_with_beat, client, broker_url):
    assert client.get("/healthz").status_code == 503
    wait_for_task("votes.tasks.reconcile_rankings", timeout=60, broker_url=broker_url)
    run = JobRun.objects.get(name=RECONCILE_JOB)
    assert run.ok and run.succeeded_at is not None
    # Sent by the leading beat, once for its period, and counted by the worker.
    dispatch = PeriodicDispatch.objects.filter(name="reconcile-rankings", completions=1)
    assert dispatch.exists()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["broker"]["ok"] is True
