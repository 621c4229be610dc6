"""Request ids: taken from X-Request-ID when sane, made otherwise, sent back on every response,
written on every log line (JSON with IDEASTORM_LOG_FORMAT=json) and carried through the broker
into the Celery tasks a request enqueues."""

import io
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from kombu import Queue

from core.logging import (
    TASK_HEADER,
    JsonFormatter,
    RequestIdFilter,
    request_id_var,
    task_var,
)
from core.requestid import RequestIdMiddleware
from ideastorm.celery import app
from tests.processes import stop
from votes.tasks import reconcile_rankings

HEX32 = r"[0-9a-f]{32}"


@pytest.mark.parametrize("sent", ["abc", "Req-1.2_3", "x" * 64, "0f" * 16])
def test_a_sane_request_id_is_sent_back(client, db, sent):
    response = client.get("/readyz", HTTP_X_REQUEST_ID=sent)
    assert response["X-Request-ID"] == sent


@pytest.mark.parametrize(
    "sent",
    ["x" * 300, "x" * 65, "abc\ndef", "abc\r\nX-Evil: 1", "a b", "abc;rm", "é", ""],
)
def test_an_unfit_request_id_is_replaced(client, db, sent):
    response = client.get("/readyz", HTTP_X_REQUEST_ID=sent)
    assert response["X-Request-ID"] != sent
    assert len(response["X-Request-ID"]) == 32
    int(response["X-Request-ID"], 16)


def test_every_response_gets_its_own_id(client, db):
    paths = ["/readyz", "/no-such-page/", "/ideas/new/", "/api/ideas/", "/metrics"]
    ids = [client.get(path)["X-Request-ID"] for path in paths]
    assert len(set(ids)) == len(paths)
    assert all(len(one) == 32 for one in ids)


def test_the_id_is_gone_once_the_request_is_answered(client, db):
    client.get("/readyz", HTTP_X_REQUEST_ID="gone-after")
    assert request_id_var.get() is None


# --- log lines ---


@pytest.fixture
def json_log():
    """What django.request and a test logger write, through the JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    loggers = [logging.getLogger("django.request"), logging.getLogger("tests.request_id")]
    for one in loggers:
        one.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for one in loggers:
        one.removeHandler(handler)


def test_a_requests_log_lines_carry_its_id(client, db, json_log):
    client.get("/no-such-page/", HTTP_X_REQUEST_ID="rid-404")

    (line,) = [entry for entry in json_log() if entry["logger"] == "django.request"]
    assert line["request_id"] == "rid-404"
    assert line["level"] == "WARNING"
    assert line["message"] == "Not Found: /no-such-page/"
    assert line["time"].endswith("Z")
    assert datetime.fromisoformat(line["time"]).utcoffset().total_seconds() == 0


def test_a_json_line_holds_the_exception_and_the_task(json_log):
    log = logging.getLogger("tests.request_id")
    request_token = request_id_var.set("rid-task")
    task_token = task_var.set(("task-1", "votes.tasks.reconcile_rankings"))
    try:
        try:
            raise ValueError("broken on purpose")
        except ValueError:
            log.exception("it failed: %s", "badly")
    finally:
        task_var.reset(task_token)
        request_id_var.reset(request_token)
    log.info("outside")

    failed, outside = json_log()
    assert failed["message"] == "it failed: badly"
    assert failed["level"] == "ERROR"
    assert failed["request_id"] == "rid-task"
    assert (failed["task_id"], failed["task_name"]) == ("task-1", "votes.tasks.reconcile_rankings")
    assert "Traceback" in failed["exception"] and "broken on purpose" in failed["exception"]
    assert outside["request_id"] is None
    assert "task_id" not in outside and "exception" not in outside


def manage(*args: str, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_DEBUG": "true", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_json_log_format_makes_djangos_log_json():
    script = "import logging; logging.getLogger('tests.request_id').warning('hello %s', 'there')"
    result = manage("shell", "--no-imports", "-c", script, IDEASTORM_LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    (line,) = [json.loads(line) for line in result.stderr.splitlines()]
    assert line["message"] == "hello there"
    assert line["logger"] == "tests.request_id"
    assert line["request_id"] is None


def test_the_default_log_format_stays_plain():
    script = "import logging; logging.getLogger('tests.request_id').warning('hello')"
    result = manage("shell", "--no-imports", "-c", script, IDEASTORM_LOG_FORMAT="")
    assert result.stderr.strip().endswith("WARNING tests.request_id: hello")


def test_a_bad_log_format_stops_start_up_naming_the_variable():
    result = manage("check", IDEASTORM_LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "IDEASTORM_LOG_FORMAT must be plain or json, not 'xml'" in result.stderr


def test_gunicorn_refuses_a_bad_log_format():
    result = subprocess.run(
        [sys.executable, "-c", "import ideastorm.gunicorn_conf"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "IDEASTORM_LOG_FORMAT": "xml"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "IDEASTORM_LOG_FORMAT must be plain or json" in result.stderr


# --- into Celery tasks ---


def within_a_request(request_id: str, work):
    """Run work() as a view would, behind RequestIdMiddleware, for a request with this id."""
    answer = {}

    def view(request):
        answer["result"] = work()
        return HttpResponse()

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID=request_id)
    RequestIdMiddleware(view)(request)
    return answer["result"]


def test_a_task_run_in_process_keeps_the_callers_id(db):
    def run():
        seen = {}

        def record(task=None, **kwargs):
            seen["id"] = request_id_var.get()

        from celery import signals

        signals.task_success.connect(record, weak=False)
        try:
            reconcile_rankings.apply()
        finally:
            signals.task_success.disconnect(record)
        return seen["id"]

    assert within_a_request("rid-eager", run) == "rid-eager"


def test_the_id_travels_in_the_brokers_message(redis_url):
    queue = f"rid-test-{uuid.uuid4().hex[:8]}"
    within_a_request("rid-message", lambda: reconcile_rankings.apply_async(queue=queue))
    reconcile_rankings.apply_async(queue=queue)  # outside a request: no id

    with app.connection_for_read() as conn:
        simple = conn.SimpleQueue(Queue(queue))
        try:
            first, second = simple.get(timeout=5), simple.get(timeout=5)
            first.ack()
            second.ack()
        finally:
            simple.close()
    assert first.headers[TASK_HEADER] == "rid-message"
    assert TASK_HEADER not in second.headers


@pytest.fixture
def json_worker(postgres, redis_url, tmp_path):
    """A Celery worker with JSON logs on a queue of its own, on the test database."""
    db = connection.settings_dict
    queue = f"rid-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "IDEASTORM_VAR_DIR": str(tmp_path),
        "IDEASTORM_LOG_FORMAT": "json",
    }
    celery = Path(sys.executable).with_name("celery")
    command = [
        str(celery),
        "-A",
        "ideastorm",
        "worker",
        "-n",
        f"{queue}@%h",  # a node name of its own (tests/integration/test_celery_worker.py)
        "--pool",
        "prefork",
        "-c",
        "1",
        "-Q",
        queue,
    ]
    command += ["--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    log_path = tmp_path / "worker.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    yield queue, log_path
    stop(proc)
    log.close()


# The worker commits to the test database (the job's record and lease): emptied afterwards.
@pytest.mark.django_db(transaction=True)
def test_a_workers_task_logs_the_id_of_the_request_that_enqueued_it(json_worker):
    queue, log_path = json_worker
    result = within_a_request("rid-worker-1", lambda: reconcile_rankings.apply_async(queue=queue))
    result.get(timeout=60)
    beat_like = reconcile_rankings.apply_async(queue=queue)  # as beat sends: no request
    beat_like.get(timeout=60)

    deadline = time.monotonic() + 10
    while True:
        lines = [
            json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")
        ]
        done = [entry for entry in lines if entry.get("task_id") == beat_like.id]
        if done or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    ours = [entry for entry in lines if entry.get("task_id") == result.id]
    assert ours, log_path.read_text()
    assert all(entry["request_id"] == "rid-worker-1" for entry in ours)
    assert all(entry["task_name"] == "votes.tasks.reconcile_rankings" for entry in ours)
    assert any("succeeded" in entry["message"] for entry in ours)
    assert done and all(entry["request_id"] is None for entry in done)
    # The worker's own lines (start-up, "received") are JSON too, without a task.
    assert any(entry["logger"].startswith("celery") and "task_id" not in entry for entry in lines)
