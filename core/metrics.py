"""/metrics: what Prometheus scrapes, for staff (a session) or a monitor sending
`Authorization: Bearer $IDEASTORM_METRICS_TOKEN`; to everyone else the page does not exist (404).

Counted as things happen, in the process they happen in:
- ideastorm_http_request_duration_seconds (histogram) and ideastorm_http_requests_total, by
  method, route (the URL pattern, "/api/ideas/<id:pk>/vote/", never the path; "unmatched" when
  none matched) and status class (2xx..5xx): core.requestid.RequestIdMiddleware times each.
- ideastorm_votes_total by value (promote, demote, withdraw): each vote_cast or vote_withdraw
  that returned (votes.services).
- ideastorm_cache_requests_total by result (hit, miss): ideastorm.cache's get and get_many,
  per key; a read while Redis is down is a miss.

Read when scraped, so right whichever process did the work:
- ideastorm_job_last_success_timestamp_seconds, ideastorm_job_duration_seconds (the last
  finished run; while one runs, the last successful one's) and ideastorm_job_ok by job, from the
  JobRun table in one query.
- ideastorm_queue_messages by queue: messages waiting in each Celery queue the app knows, asked
  of the broker (Redis LLEN, a RabbitMQ passive declare, files of the filesystem broker) with
  short timeouts.
- ideastorm_metrics_source_up by source (jobs, queues): 0 when the database or the broker did
  not answer, whose figures are then left out: the scrape never fails or hangs for them.

Under gunicorn the processes share their figures through files in PROMETHEUS_MULTIPROC_DIR
(prometheus_client's multiprocess mode, set up by ideastorm.gunicorn_conf); elsewhere (runserver,
tests, Celery) they stay in the process.
"""

import functools
import hmac
import logging
import os
import time

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import Http404, HttpResponse
from django.urls import Resolver404, resolve
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu.exceptions import ChannelError
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

# Request latencies: a vote takes a few milliseconds, a cold page a few hundred.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
# Seconds the scrape waits for the broker (each connect and each answer).
BROKER_TIMEOUT = 0.5

REQUEST_DURATION = Histogram(
    "ideastorm_http_request_duration_seconds",
    "Time from the first middleware receiving a request to its response.",
    ["method", "route", "status"],
    buckets=BUCKETS,
)
REQUESTS = Counter("ideastorm_http_requests", "Requests answered.", ["method", "route", "status"])
VOTES = Counter("ideastorm_votes", "Votes cast and withdrawn.", ["value"])
CACHE_REQUESTS = Counter("ideastorm_cache_requests", "Keys read from the Redis cache.", ["result"])
# Bound once: .labels() per call would cost a lookup on the hot paths.
_VOTE = {1: VOTES.labels("promote"), -1: VOTES.labels("demote"), None: VOTES.labels("withdraw")}
_CACHE_HIT, _CACHE_MISS = CACHE_REQUESTS.labels("hit"), CACHE_REQUESTS.labels("miss")


# (method, route, status class) -> its histogram and counter: .labels() takes a lock.
_request_series: dict[tuple[str, str, str], tuple] = {}


def request_observe(request, status: int, seconds: float) -> None:
    """Count a request; never fails it (a full disk under the multiprocess files, say)."""
    try:
        _request_observe(request, status, seconds)
    except Exception:
        logger.exception("metrics: a request could not be counted")


def _request_observe(request, status: int, seconds: float) -> None:
    method = request.method if request.method in METHODS else "other"
    labels = (method, _route(request, status), f"{status // 100}xx")
    series = _request_series.get(labels)
    if series is None:
        series = _request_series[labels] = (
            REQUEST_DURATION.labels(*labels),
            REQUESTS.labels(*labels),
        )
    series[0].observe(seconds)
    series[1].inc()


def _route(request, status: int) -> str:
    """The matched URL pattern; a request a middleware answered before the URL was resolved (a
    redirect to log in, to HTTPS) is resolved here, so it counts under its page too."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        if status == 404:
            return "unmatched"
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return "unmatched"
    return "/" + match.route


def votes_counted(service):
    """Counts each call of a vote service that returned: vote_cast by its value (1 promote, -1
    demote), vote_withdraw (no value) as withdraw."""

    @functools.wraps(service)
    def counted(*args, **kwargs):
        state = service(*args, **kwargs)
        _VOTE[kwargs.get("value")].inc()
        return state

    return counted


def cache_counted(hits: int, misses: int) -> None:
    if hits:
        _CACHE_HIT.inc(hits)
    if misses:
        _CACHE_MISS.inc(misses)


class JobCollector:
    """The last run of each periodic job, from the JobRun table."""

    def collect(self):
        # Deferred: the cache backend imports this module, possibly before the app registry.
        from core.models import JobRun

        fields = ("name", "started_at", "finished_at", "succeeded_at", "last_ok_started_at", "ok")
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":  # a stalled database fails the read fast
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL statement_timeout = '1s'")
                rows = list(JobRun.objects.values_list(*fields))
        except DatabaseError as exc:
            logger.warning("metrics: the job records could not be read: %s", exc)
            yield _source_up("jobs", False)
            return
        success = GaugeMetricFamily(
            "ideastorm_job_last_success_timestamp_seconds",
            "When the job last finished successfully (Unix time).",
            labels=["job"],
        )
        duration = GaugeMetricFamily(
            "ideastorm_job_duration_seconds",
            "How long the job's last finished run took (while one runs, the last successful).",
            labels=["job"],
        )
        ok = GaugeMetricFamily(
            "ideastorm_job_ok", "1 if the job's last finished run succeeded.", labels=["job"]
        )
        for name, started, finished, succeeded, ok_started, was_ok in rows:
            if succeeded is not None:
                success.add_metric([name], succeeded.timestamp())
            if started and finished and finished >= started:
                duration.add_metric([name], (finished - started).total_seconds())
            elif ok_started and succeeded:
                duration.add_metric([name], (succeeded - ok_started).total_seconds())
            ok.add_metric([name], 1.0 if was_ok else 0.0)
        yield from (success, duration, ok, _source_up("jobs", True))


class QueueCollector:
    """Messages waiting in each of the Celery app's queues, asked of the broker."""

    def collect(self):
        app = current_app
        started = time.monotonic()
        try:
            lengths = queue_lengths(app, sorted(app.amqp.queues))
        except Exception as exc:  # a dead, frozen or unknown broker must not fail the scrape
            logger.warning(
                "metrics: the broker did not answer in %.1fs: %s", time.monotonic() - started, exc
            )
            yield _source_up("queues", False)
            return
        family = GaugeMetricFamily(
            "ideastorm_queue_messages", "Messages waiting in the Celery queue.", labels=["queue"]
        )
        for name, count in lengths.items():
            family.add_metric([name], count)
        yield from (family, _source_up("queues", True))


def queue_lengths(app, names: list[str]) -> dict[str, int]:
    """{queue: messages ready}, by a passive declare of each queue (every kombu transport
    answers one: Redis by LLEN, RabbitMQ from the queue, the filesystem by counting files). A
    queue that does not exist yet has none."""
    options = {
        "socket_timeout": BROKER_TIMEOUT,
        "socket_connect_timeout": BROKER_TIMEOUT,
        "read_timeout": BROKER_TIMEOUT,
        "write_timeout": BROKER_TIMEOUT,
    }
    lengths = {}
    with app.connection_for_read(connect_timeout=BROKER_TIMEOUT, transport_options=options) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
        missing = (ChannelError, *conn.channel_errors)
        channel = conn.channel()
        try:
            for name in names:
                try:
                    lengths[name] = channel.queue_declare(queue=name, passive=True).message_count
                except missing:
                    lengths[name] = 0
                    # RabbitMQ closes a channel that asked for a missing queue.
                    channel.close()
                    channel = conn.channel()
        finally:
            channel.close()
    return lengths


def _source_up(source: str, up: bool) -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "ideastorm_metrics_source_up",
        "1 if the scrape could read this source (jobs: the database; queues: the broker).",
        labels=["source"],
    )
    family.add_metric([source], 1.0 if up else 0.0)
    return family


class _Counted:
    """This process's own metrics (prometheus_client's default registry)."""

    def collect(self):
        return REGISTRY.collect()


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_Counted())
    registry.register(JobCollector())
    registry.register(QueueCollector())
    return registry


def _allowed(request) -> bool:
    # Deferred, as JobRun is: core.roles imports the auth views, which need the app registry.
    from core.roles import is_site_staff

    if is_site_staff(getattr(request, "user", None)):
        return True
    expected = settings.IDEASTORM_METRICS_TOKEN
    scheme, _, sent = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(sent.strip().encode(), expected.encode())


@never_cache
@require_GET
def metrics_view(request):
    if not _allowed(request):
        raise Http404("No such page.")
    encoder, content_type = choose_encoder(request.META.get("HTTP_ACCEPT", ""))
    return HttpResponse(encoder(_registry()), content_type=content_type)
