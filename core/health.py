"""/healthz: is this board working? The database answers, the broker answers, and the ranking
job (named by the URLconf) succeeded recently. 200 when all hold, 503 otherwise.

/readyz: may this node take requests (what a load balancer polls)? The database answers and
every migration this code knows is applied: 200, else 503. The broker and the cache are
reported too, but a node serves without them (votes and pages don't need Redis: enqueues and
the cache fail open), so they never take a node out of the pool: a Redis outage would otherwise
take every node out at once.

Load balancers poll these several times a second per node, so each must cost about as little as
the cheapest API call: the broker probe (a new connection) and the cache probe are remembered
for PROBE_MEMO seconds per process, the migration check (which reads every migration file) once
it has passed, for the life of the process (applied migrations stay applied).

Everyone gets the status and each check's ok; the details (database vendor, broker transport,
the job's record, error messages) only staff, or a monitor sending IDEASTORM_HEALTHZ_TOKEN as
`Authorization: Bearer <token>` or `?token=<token>`: they describe the deployment to whoever
asks."""

import hmac
import threading
import time

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.models import JobRun
from core.roles import is_site_staff


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any failure to reach the database is "unhealthy"
        return {"ok": False, "error": str(exc)[:200]}


# Seconds a broker or cache probe's answer is reused by this process.
PROBE_MEMO = 1.0
_memo: dict[tuple, tuple[float, dict]] = {}
_memo_lock = threading.Lock()


def _remembered(key: tuple, probe) -> dict:
    """probe()'s answer, reused for PROBE_MEMO seconds for the same key."""
    now = time.monotonic()
    found = _memo.get(key)
    if found is not None and now - found[0] < PROBE_MEMO:
        return found[1]
    result = probe()
    with _memo_lock:
        _memo[key] = (time.monotonic(), result)
    return result


def _check_broker() -> dict:
    # Keyed by the broker's address: pointed elsewhere, it is probed again at once.
    return _remembered(("broker", current_app.conf.broker_url), _probe_broker)


def _probe_broker() -> dict:
    started = time.monotonic()
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
        return {"ok": True, "transport": str(conn.transport_cls), "ms": _ms(started)}
    except Exception as exc:  # a dead or frozen broker must not fail the health request
        return {"ok": False, "error": str(exc)[:200], "ms": _ms(started)}


def _check_cache() -> dict:
    return _remembered(
        ("cache", id(cache._cache if hasattr(cache, "_cache") else cache)), _probe_cache
    )


def _probe_cache() -> dict:
    """A write and a read back. The cache fails open (ideastorm.cache): a dead Redis shows as
    the value not coming back."""
    started = time.monotonic()
    token = f"{time.time_ns()}"
    try:
        cache.set("readyz-probe", token, 10)
        ok = cache.get("readyz-probe") == token
    except Exception as exc:  # any cache backend error is "not ok", never a failed request
        return {"ok": False, "error": str(exc)[:200], "ms": _ms(started)}
    result = {"ok": ok, "backend": type(cache).__name__, "ms": _ms(started)}
    if not ok:
        result["error"] = "the cache did not keep a value"
    return result


_migrated: set[str] = set()


def _check_migrations() -> dict:
    """Every migration this code has is applied to the database; once true, remembered."""
    if DEFAULT_DB_ALIAS in _migrated:
        return {"ok": True}
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # the database went away meanwhile
        return {"ok": False, "error": str(exc)[:200]}
    if plan:
        return {"ok": False, "error": f"{len(plan)} migrations not applied", "pending": len(plan)}
    _migrated.add(DEFAULT_DB_ALIAS)
    return {"ok": True}


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _check_job(name: str) -> dict:
    run = JobRun.objects.filter(name=name).first()
    if run is None or run.succeeded_at is None:
        return {"ok": False, "last_success": None, "error": "has not run yet"}
    age = (timezone.now() - run.succeeded_at).total_seconds()
    fresh = age <= settings.IDEAS_RECONCILE_STALE_AFTER
    result = {
        "ok": fresh and run.ok,
        "last_success": run.succeeded_at.isoformat(),
        "age_s": round(age),
        "detail": run.detail,
    }
    if not run.ok:
        result["error"] = "the last run failed"
    elif not fresh:
        result["error"] = "no successful run recently: is Celery beat running?"
    return result


def _privileged(request) -> bool:
    """Staff (a session), or the configured token (header or query string)."""
    if is_site_staff(getattr(request, "user", None)):
        return True
    expected = settings.IDEASTORM_HEALTHZ_TOKEN
    if not expected:
        return False
    scheme, _, sent = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not sent.strip():
        sent = request.GET.get("token", "")
    return hmac.compare_digest(sent.strip().encode(), expected.encode())


@never_cache
@require_GET
def healthz(request, *, ranking_job: str):
    database = _check_database()
    checks = {
        "database": database,
        "broker": _check_broker(),
        "last_ranking_run": _check_job(ranking_job) if database["ok"] else {"ok": False},
    }
    healthy = all(check["ok"] for check in checks.values())
    if not _privileged(request):
        checks = {name: {"ok": check["ok"]} for name, check in checks.items()}
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", **checks}, status=200 if healthy else 503
    )


@never_cache
@require_GET
def readyz(request):
    """200 while this node can serve (database up, migrations applied), 503 otherwise; the
    broker and the cache are reported, and only degrade the status (see the module's doc)."""
    database = _check_database()
    checks = {
        "database": database,
        "migrations": _check_migrations() if database["ok"] else {"ok": False},
        "broker": _check_broker(),
        "cache": _check_cache(),
    }
    ready = checks["database"]["ok"] and checks["migrations"]["ok"]
    status = (
        "unready" if not ready else "ok" if all(c["ok"] for c in checks.values()) else "degraded"
    )
    if not _privileged(request):
        checks = {name: {"ok": check["ok"]} for name, check in checks.items()}
    return JsonResponse({"status": status, **checks}, status=200 if ready else 503)
