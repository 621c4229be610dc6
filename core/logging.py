"""Log lines for machines: with IDEASTORM_LOG_FORMAT=json, Django, gunicorn (ideastorm.
gunicorn_conf) and Celery workers write one JSON object per line: time (ISO 8601, UTC), level,
logger, message, process, request_id (core.requestid; null outside a request or a task a request
enqueued), exception (the traceback, when there is one), and in a task task_id and task_name.
gunicorn's access lines add the request's method, path, status, size and duration.
The default, "plain", is the human format.

The request id (core.requestid sets it per request) travels into the Celery tasks a request
enqueues: before_task_publish copies it into the message's headers, task_prerun/task_postrun set
and reset it in the worker around the task, so a task's lines carry the id of the request that
enqueued it (a task beat sent has none). ideastorm.celery connects these; nothing here may import
prometheus_client, which must wait for gunicorn_conf's PROMETHEUS_MULTIPROC_DIR (core.metrics)."""

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime

from django.conf import settings

LOG_FORMATS = ("plain", "json")
# A request id taken from a client or a message: a sane token, not text to inject into logs.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# What every line logged in this context says (set by core.requestid): the request's id, and
# (task id, task name) while a Celery task runs.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
task_var: ContextVar[tuple[str, str] | None] = ContextVar("task", default=None)


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (record.request_id), for any formatter.
    django.request logs a 4xx or 5xx after the middleware returned: its record names the
    request, which core.requestid gave its id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get() or getattr(
                getattr(record, "request", None), "request_id", None
            )
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
            "process": record.process,
        }
        task = task_var.get()
        if task is not None:
            entry["task_id"], entry["task_name"] = task
        entry.update(self.fields(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)

    def fields(self, record: logging.LogRecord) -> dict:
        return {}


class AccessJsonFormatter(JsonFormatter):
    """gunicorn.access: its record's args are gunicorn's atoms (glogging.SafeAtoms, "-" for
    what is missing); the request id is the response's X-Request-ID, since the request's
    context is gone when gunicorn writes the line."""

    def fields(self, record: logging.LogRecord) -> dict:
        atoms = record.args
        if not isinstance(atoms, dict):
            return {}
        request_id = atoms["{x-request-id}o"]
        return {
            "request_id": None if request_id == "-" else request_id,
            "remote": atoms["h"],
            "method": atoms["m"],
            "path": atoms["U"],
            "status": _int_or_none(atoms["s"]),
            "bytes": _int_or_none(atoms["B"]),
            "duration_ms": _int_or_none(atoms["M"]),
            "user_agent": atoms["a"],
        }


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def celery_logger_setup(logger=None, **kwargs) -> None:
    """after_setup_logger / after_setup_task_logger: with IDEASTORM_LOG_FORMAT=json, the
    handlers Celery gave its loggers write JSON (its --loglevel and --logfile still apply)."""
    if settings.IDEASTORM_LOG_FORMAT != "json" or logger is None:
        return
    for handler in logger.handlers:
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestIdFilter())


# --- Celery: the request id travels in the task message (ideastorm.celery connects these) ---

# The message header a task's request id travels in.
TASK_HEADER = "ideastorm_request_id"

# task id -> the context tokens its task_prerun set, for task_postrun to reset.
_tokens: dict[str, tuple] = {}


def task_publish_add_request_id(headers=None, **kwargs) -> None:
    """before_task_publish: the current request's id into the message's headers."""
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers[TASK_HEADER] = request_id


def task_prerun_set_request_id(task_id=None, task=None, **kwargs) -> None:
    """task_prerun: the id the message brought (none from beat), and the task, for the logs."""
    request = getattr(task, "request", None)
    if getattr(request, "is_eager", False):
        # Run in this process (apply, eager mode): the caller's id is already current.
        request_id = request_id_var.get()
    else:
        request_id = getattr(request, TASK_HEADER, None)
        if not (isinstance(request_id, str) and REQUEST_ID.fullmatch(request_id)):
            request_id = None
    _tokens[task_id] = (request_id_var.set(request_id), task_var.set((task_id, task.name)))


def task_postrun_reset_request_id(task_id=None, **kwargs) -> None:
    tokens = _tokens.pop(task_id, None)
    if tokens is not None:
        request_id_var.reset(tokens[0])
        task_var.reset(tokens[1])
