"""Request ids: every request gets one, every log line says it, and the Celery tasks a request
enqueues carry it, so one grep finds everything a click caused.

RequestIdMiddleware (first in MIDDLEWARE) takes X-Request-ID from the request when it is a sane
token (at most 64 of [A-Za-z0-9._-]: a proxy's or a client's id), else makes one (uuid4 hex);
the response says it in X-Request-ID. Being the outermost middleware, it also times the request
for /metrics (core.metrics), so redirects and refusals by the other middleware are counted too.

The id lives in core.logging's context, which also carries it into Celery tasks.
"""

import time
import uuid

from core import metrics
from core.logging import REQUEST_ID, request_id_var

HEADER = "X-Request-ID"


def request_id_from(sent: str | None) -> str:
    """The id a client or proxy sent when it is a sane token, else a new one."""
    if sent and REQUEST_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            metrics.request_observe(request, response.status_code, time.perf_counter() - started)
            response[HEADER] = request_id
            return response
        finally:
            request_id_var.reset(token)
