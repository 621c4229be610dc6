"""/metrics: who may read it, and that each figure says what happened (requests under their
route, votes, jobs from the JobRun table, queue lengths from the broker, cache hits), on
PostgreSQL and Redis, and summed over gunicorn's worker processes."""

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.urls import resolve
from django.utils import timezone
from kombu import Queue
from prometheus_client.parser import text_string_to_metric_families

from core.metrics import queue_lengths
from core.models import JobRun
from ideas.models import Idea
from ideastorm.celery import app
from tests.factories import IdeaFactory, UserFactory
from tests.processes import stop
from votes.services import vote_cast

TOKEN = "metrics-token-for-tests"


@pytest.fixture
def token(settings):
    settings.IDEASTORM_METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client) -> dict:
    """{(name, frozenset(labels)): value} of one scrape, read with the token."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    return parse(response.content.decode())


def parse(text: str) -> dict:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


# --- who may read it ---


def test_staff_read_the_metrics(client, db):
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"ideastorm_http_requests_total" in response.content
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_token_opens_the_metrics_to_a_monitor(client, db, token):
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"bearer {token}").status_code == 200


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer wrong", f"Token {TOKEN}", f"Bearer {TOKEN}x", "Bearer "],
)
def test_visitors_and_wrong_tokens_find_no_such_page(client, db, token, authorization):
    response = client.get("/metrics", HTTP_AUTHORIZATION=authorization)
    assert response.status_code == 404


def test_a_member_finds_no_such_page(alice_client, token):
    assert alice_client.get("/metrics").status_code == 404


def test_without_a_token_setting_only_staff_read_them(client, db, settings):
    settings.IDEASTORM_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer").status_code == 404


def test_openmetrics_is_answered_to_a_scraper_that_asks_for_it(client, db, token):
    response = client.get(
        "/metrics",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT="application/openmetrics-text; version=1.0.0",
    )
    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.endswith(b"# EOF\n")


def test_only_get_is_answered(client, db):
    client.force_login(UserFactory(is_staff=True))
    assert client.post("/metrics").status_code == 405


# --- requests ---


def test_a_request_is_counted_under_its_route_not_its_path(client, db, token):
    idea = IdeaFactory()
    path = f"/ideas/{idea.pk}/"
    route = "/" + resolve(path).route
    assert str(idea.pk) not in route
    before = scrape(client)

    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200

    after = scrape(client)
    labels = {"method": "GET", "route": route, "status": "2xx"}
    count = "ideastorm_http_request_duration_seconds_count"
    assert value(after, count, **labels) - value(before, count, **labels) == 2
    total = "ideastorm_http_requests_total"
    assert value(after, total, **labels) - value(before, total, **labels) == 2
    assert not [key for key in after if ("route", path) in key[1]]


def test_a_path_no_route_matches_counts_as_unmatched(client, db, token):
    before = scrape(client)
    assert client.get(f"/no-such-page/{uuid.uuid4().hex}/").status_code == 404
    after = scrape(client)
    labels = {"method": "GET", "route": "unmatched", "status": "4xx"}
    name = "ideastorm_http_requests_total"
    assert value(after, name, **labels) - value(before, name, **labels) == 1


def test_an_odd_method_is_counted_as_other(client, db, token):
    before = scrape(client)
    client.generic("BREW", "/readyz")
    after = scrape(client)
    labels = {"method": "other", "route": "/readyz", "status": "4xx"}
    name = "ideastorm_http_requests_total"
    assert value(after, name, **labels) - value(before, name, **labels) == 1


# --- votes ---


def test_votes_are_counted_by_value(client, db, token):
    idea, voter = IdeaFactory(), UserFactory()
    before = scrape(client)

    api = f"/api/ideas/{idea.pk}/vote/"
    client.force_login(voter)
    assert client.put(api, {"value": 1}, content_type="application/json").status_code == 200
    assert client.put(api, {"value": -1}, content_type="application/json").status_code == 200
    assert client.delete(api).status_code == 200
    vote_cast(voter=UserFactory(), idea=idea, value=1)
    client.logout()

    after = scrape(client)
    for kind, added in {"promote": 2, "demote": 1, "withdraw": 1}.items():
        name = "ideastorm_votes_total"
        assert value(after, name, value=kind) - value(before, name, value=kind) == added, kind


def test_a_refused_vote_is_not_counted(client, db, token):
    idea = IdeaFactory(withdrawn_at=timezone.now())
    before = scrape(client)
    with pytest.raises(Idea.DoesNotExist):
        vote_cast(voter=UserFactory(), idea=idea, value=1)
    after = scrape(client)
    name = "ideastorm_votes_total"
    assert value(after, name, value="promote") == value(before, name, value="promote")


# --- jobs ---


def test_job_gauges_come_from_the_job_records(client, postgres, token):
    finished = timezone.now().replace(microsecond=0)
    JobRun.objects.create(
        name="metrics-test-ok",
        started_at=finished - dt.timedelta(seconds=12),
        finished_at=finished,
        succeeded_at=finished,
        last_ok_started_at=finished - dt.timedelta(seconds=12),
        ok=True,
    )
    JobRun.objects.create(
        name="metrics-test-failed",
        started_at=finished - dt.timedelta(seconds=3),
        finished_at=finished,
        succeeded_at=finished - dt.timedelta(hours=1),
        last_ok_started_at=finished - dt.timedelta(hours=1, seconds=5),
        ok=False,
    )

    samples = scrape(client)

    success = "ideastorm_job_last_success_timestamp_seconds"
    assert value(samples, success, job="metrics-test-ok") == finished.timestamp()
    assert value(samples, "ideastorm_job_duration_seconds", job="metrics-test-ok") == 12
    assert value(samples, "ideastorm_job_ok", job="metrics-test-ok") == 1
    assert value(samples, "ideastorm_job_ok", job="metrics-test-failed") == 0
    assert value(samples, "ideastorm_job_duration_seconds", job="metrics-test-failed") == 3
    assert value(samples, success, job="metrics-test-failed") == finished.timestamp() - 3600
    assert value(samples, "ideastorm_metrics_source_up", source="jobs") == 1


def test_a_running_job_shows_its_last_successful_runs_duration(client, postgres, token):
    now = timezone.now().replace(microsecond=0)
    JobRun.objects.create(
        name="metrics-test-running",
        started_at=now,
        finished_at=now - dt.timedelta(minutes=5),
        succeeded_at=now - dt.timedelta(minutes=5),
        last_ok_started_at=now - dt.timedelta(minutes=5, seconds=7),
        ok=True,
    )
    samples = scrape(client)
    assert value(samples, "ideastorm_job_duration_seconds", job="metrics-test-running") == 7


def test_the_job_gauges_cost_one_query_under_a_statement_timeout(client, postgres, token):
    """One read of the job records, however many jobs, with a timeout of its own so that a
    stalled database can't hold the scrape."""
    from django.test.utils import CaptureQueriesContext

    from core.metrics import JobCollector

    JobRun.objects.create(name="metrics-test-a", ok=True)
    JobRun.objects.create(name="metrics-test-b", ok=True)
    with CaptureQueriesContext(connection) as queries:
        families = list(JobCollector().collect())
    assert families
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert statements[0] == "SET LOCAL statement_timeout = '1s'"
    assert len(statements) == 2 and "votes_jobrun" in statements[1]


# --- queues ---


@pytest.fixture
def app_queue(redis_url):
    """A queue of the app's own, on the test Redis, gone afterwards."""
    name = f"metrics-test-{uuid.uuid4().hex[:8]}"
    app.amqp.queues.add(Queue(name))
    yield name
    del app.amqp.queues[name]
    import redis

    redis.Redis.from_url(redis_url).delete(name)


def test_queue_length_is_the_messages_waiting_in_redis(client, postgres, token, app_queue):
    for _ in range(3):
        app.send_task("votes.tasks.reconcile_rankings", queue=app_queue)

    samples = scrape(client)

    assert value(samples, "ideastorm_queue_messages", queue=app_queue) == 3
    assert value(samples, "ideastorm_metrics_source_up", source="queues") == 1
    for name in app.amqp.queues:  # every configured queue is reported
        assert ("ideastorm_queue_messages", frozenset({("queue", name)})) in samples


def test_a_queue_with_no_messages_has_zero(redis_url):
    name = f"metrics-empty-{uuid.uuid4().hex[:8]}"
    assert queue_lengths(app, [name]) == {name: 0}


def test_the_filesystem_broker_counts_its_files(tmp_path):
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(tmp_path / "control"),  # not ./control
    }
    files = Celery("metrics-fs", broker="filesystem://", set_as_current=False)
    files.conf.broker_transport_options = options
    files.conf.task_default_queue = "metrics-fs"
    for _ in range(2):
        files.send_task("anything", queue="metrics-fs")
    assert queue_lengths(files, ["metrics-fs", "metrics-fs-empty"]) == {
        "metrics-fs": 2,
        "metrics-fs-empty": 0,
    }


def test_a_rabbitmq_queue_is_counted_by_a_passive_declare(rabbitmq_url):
    rabbit = Celery("metrics-amqp", broker=rabbitmq_url, set_as_current=False)
    name = f"metrics-test-{uuid.uuid4().hex[:8]}"
    missing = f"metrics-missing-{uuid.uuid4().hex[:8]}"
    with rabbit.connection_for_write() as conn:
        queue = Queue(name, channel=conn.default_channel)
        queue.declare()
        try:
            for _ in range(4):
                rabbit.send_task("anything", queue=name)
            # RabbitMQ counts a message once it is routed: ask until it has (or 5 s passed).
            deadline = time.monotonic() + 5
            while (lengths := queue_lengths(rabbit, [missing, name]))[name] < 4:
                if time.monotonic() > deadline:
                    break
            assert lengths == {missing: 0, name: 4}
        finally:
            queue.delete()


@pytest.fixture
def frozen_broker():
    """A "Redis" that accepts connections and never answers (a frozen server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    saved = app.conf.broker_url
    app.conf.broker_url = url
    yield url
    app.conf.broker_url = saved
    listener.close()


def test_a_frozen_broker_neither_hangs_nor_fails_the_scrape(client, postgres, token, frozen_broker):
    started = time.monotonic()
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    samples = parse(response.content.decode())
    assert value(samples, "ideastorm_metrics_source_up", source="queues") == 0
    assert value(samples, "ideastorm_metrics_source_up", source="jobs") == 1
    assert elapsed < 5, elapsed


def test_a_broker_that_is_not_there_does_not_fail_the_scrape(client, postgres, token):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    saved = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    try:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    finally:
        app.conf.broker_url = saved
    assert response.status_code == 200
    samples = parse(response.content.decode())
    assert value(samples, "ideastorm_metrics_source_up", source="queues") == 0


# --- the cache ---


def test_cache_reads_are_counted_as_hits_and_misses(client, postgres, redis_url, token):
    assert type(caches["default"]).__name__ == "FailOpenRedisCache"
    before = scrape(client)
    cache.set("metrics-a", "here")
    cache.set("metrics-none", None)

    assert cache.get("metrics-a") == "here"
    assert cache.get("metrics-none", "default") is None  # a stored None is a hit
    assert cache.get("metrics-missing", "default") == "default"
    assert cache.get_many(["metrics-a", "metrics-b", "metrics-c"]) == {"metrics-a": "here"}

    after = scrape(client)
    name = "ideastorm_cache_requests_total"
    # The scrapes and the pages read the cache too: at least these.
    hits = value(after, name, result="hit") - value(before, name, result="hit")
    misses = value(after, name, result="miss") - value(before, name, result="miss")
    assert hits >= 3 and misses >= 3


def test_the_cache_counts_exactly_what_it_reads(redis_url, settings):
    from prometheus_client import REGISTRY

    def counted(result: str) -> float:
        return REGISTRY.get_sample_value("ideastorm_cache_requests_total", {"result": result})

    hits, misses = counted("hit"), counted("miss")
    cache.set("metrics-x", 1)
    cache.get("metrics-x")
    cache.get("metrics-y")
    cache.get_many(["metrics-x", "metrics-y", "metrics-z"])
    assert counted("hit") - hits == 2
    assert counted("miss") - misses == 3


# --- several gunicorn processes ---


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def gunicorn(postgres, redis_url, tmp_path):
    """gunicorn as `make run` starts it, with 3 workers each replaced after 5 requests, JSON
    logs and the access log, on the test database."""
    db = connection.settings_dict
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "IDEASTORM_VAR_DIR": str(tmp_path),
        "IDEASTORM_METRICS_TOKEN": TOKEN,
        "IDEASTORM_LOG_FORMAT": "json",
        "IDEASTORM_ACCESS_LOG": "true",
        "WEB_CONCURRENCY": "3",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "ideastorm.wsgi:application",
        "-c",
        "python:ideastorm.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        "--max-requests",
        "5",
    ]
    out, err = open(tmp_path / "out.log", "w"), open(tmp_path / "err.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR, stdout=out, stderr=err)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            _get(f"{base}/nothing-here")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start: {(tmp_path / 'err.log').read_text()}")
            time.sleep(0.2)
    yield base, proc, tmp_path
    stop(proc)
    out.close()
    err.close()


def _json_lines(var: Path) -> list[dict]:
    lines = (var / "out.log").read_text().splitlines() + (var / "err.log").read_text().splitlines()
    return [json.loads(line) for line in lines]


# gunicorn's workers commit to the test database (sessions, records): emptied afterwards.
@pytest.mark.django_db(transaction=True)
def test_gunicorns_workers_add_up_in_one_scrape(gunicorn):
    base, proc, var = gunicorn
    folder = var / "prometheus" / f"gunicorn-{proc.pid}"
    assert folder.is_dir()
    answers = []
    # One after another: a worker serves 5 at most (--max-requests) before another takes over.
    for _ in range(24):
        status, headers, _ = _get(f"{base}/readyz")
        answers.append((f"{status // 100}xx", headers["X-Request-ID"]))

    # Whichever worker answers each scrape (and workers come and go), the sums are the same.
    for _ in range(4):
        status, _, body = _get(f"{base}/metrics", Authorization=f"Bearer {TOKEN}")
        assert status == 200
        samples = parse(body.decode())
        for status_class in {answer[0] for answer in answers}:
            expected = sum(1 for answer in answers if answer[0] == status_class)
            labels = {"method": "GET", "route": "/readyz", "status": status_class}
            assert value(samples, "ideastorm_http_requests_total", **labels) == expected
            count = "ideastorm_http_request_duration_seconds_count"
            assert value(samples, count, **labels) == expected

    # JSON logs: every line an object; each access line names its request's id and the worker.
    deadline = time.monotonic() + 10
    while True:
        entries = _json_lines(var)
        readyz = [e for e in entries if e["logger"] == "gunicorn.access" and e["path"] == "/readyz"]
        if len(readyz) >= len(answers) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    for entry in entries:
        assert {"time", "level", "logger", "message", "request_id"} <= entry.keys()
    assert sorted(entry["request_id"] for entry in readyz) == sorted(a[1] for a in answers)
    assert all(entry["method"] == "GET" for entry in readyz)
    # The 24 requests went through several worker processes, which come and go.
    assert len({entry["process"] for entry in readyz}) >= 3

    proc.terminate()
    proc.wait(timeout=20)
    assert not folder.exists()
