"""/healthz: can this node serve? The database answers, the broker answers, and the ranking
job (named by the URLconf) succeeded recently. 200 when all hold, 503 otherwise.

Everyone gets the status and each check's ok; the details (database vendor, broker transport,
the job's record, error messages) only staff, or a monitor sending IDEASTORM_HEALTHZ_TOKEN as
`Authorization: Bearer <token>` or `?token=<token>`: they describe the deployment to whoever
asks."""

import hmac
import time

from celery import current_app
from django.conf import settings
from django.db import connection
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


def _check_broker() -> dict:
    started = time.monotonic()
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
        return {"ok": True, "transport": str(conn.transport_cls), "ms": _ms(started)}
    except Exception as exc:  # a dead or frozen broker must not fail the health request
        return {"ok": False, "error": str(exc)[:200], "ms": _ms(started)}


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
