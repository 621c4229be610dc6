"""Gunicorn's settings, the same for `make run` (scripts/run.sh) and `make bench`, so the bench
measures the server people run: `gunicorn -c python:ideastorm.gunicorn_conf`.

Threads let a worker serve other requests while one waits on PostgreSQL or Redis; processes
use the cores. WEB_CONCURRENCY (gunicorn's own variable) sets the number of processes.
The terminal hears only warnings and errors; IDEASTORM_ACCESS_LOG=true adds a line per request.
IDEASTORM_LOG_FORMAT=json makes both logs JSON, one object per line (core.logging).

/metrics (core.metrics) sums every worker process's figures through prometheus_client's
multiprocess mode: each process writes its counters to files in PROMETHEUS_MULTIPROC_DIR. When
that is unset, each server (master) gets its own folder, var/prometheus/gunicorn-<master pid>,
removed when it stops; folders of servers no longer running are removed when one starts. When it
is set, it must be a folder for this server alone: its *.db files are removed at start. It is set
here, before anything imports prometheus_client, so the workers this master forks inherit it.
"""

import os
import shutil
import signal
import sys
from pathlib import Path

from core.logging import LOG_FORMATS

LOG_FORMAT = os.environ.get("IDEASTORM_LOG_FORMAT", "").strip().lower() or "plain"
if LOG_FORMAT not in LOG_FORMATS:
    raise SystemExit(
        f"IDEASTORM_LOG_FORMAT must be plain or json, not {os.environ['IDEASTORM_LOG_FORMAT']!r}."
    )
METRICS_PARENT = (
    Path(os.environ.get("IDEASTORM_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
    / "prometheus"
)
METRICS_DIR_OWN = not os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
if METRICS_DIR_OWN:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_PARENT / f"gunicorn-{os.getpid()}")
METRICS_DIR = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
if METRICS_DIR_OWN and "prometheus_client" in sys.modules:
    # Imported by the ideastorm package before the line above: each worker would count alone.
    raise SystemExit(
        "prometheus_client was imported before gunicorn_conf set PROMETHEUS_MULTIPROC_DIR: "
        "keep it out of the imports of ideastorm/__init__.py (core.logging says why)."
    )

# Below the variable: whatever these import may import prometheus_client.
from gunicorn import glogging  # noqa: E402
from prometheus_client import multiprocess  # noqa: E402

from core.logging import AccessJsonFormatter, JsonFormatter  # noqa: E402

workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
threads = 4
worker_class = "gthread"
# A request still running this long after a stop is cut short.
graceful_timeout = 5
loglevel = "warning"
accesslog = (
    "-"
    if os.environ.get("IDEASTORM_ACCESS_LOG", "").strip().lower() in {"1", "true", "yes", "on"}
    else None
)
# No control socket (newer gunicorns open ~/.gunicorn/gunicorn.ctl): nothing here uses it, and two
# servers on one machine would fight over its path.
control_socket_disable = True


def post_worker_init(worker) -> None:
    """Workers leave Ctrl-C to the master, which tells each to stop. Caught by both, a worker
    took the second signal mid-exit and hung until the master killed it ("was sent SIGKILL!
    Perhaps out of memory?")."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class JsonLogger(glogging.Logger):
    """gunicorn's logs with core.logging's JSON formatters; what is written and where stays
    gunicorn's to decide (loglevel, accesslog, errorlog)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        formatters = ((self.error_log, JsonFormatter()), (self.access_log, AccessJsonFormatter()))
        for log, formatter in formatters:
            for handler in log.handlers:
                handler.setFormatter(formatter)


if LOG_FORMAT == "json":
    logger_class = JsonLogger


def on_starting(server) -> None:
    """Start /metrics from zero: this server's folder emptied, dead servers' folders gone."""
    METRICS_DIR.mkdir(parents=True, exist_ok=True)
    for stale in METRICS_DIR.glob("*.db"):
        stale.unlink(missing_ok=True)
    if METRICS_DIR_OWN:
        for folder in METRICS_PARENT.glob("gunicorn-*"):
            if folder != METRICS_DIR and not _running(folder.name.removeprefix("gunicorn-")):
                shutil.rmtree(folder, ignore_errors=True)


def child_exit(server, worker) -> None:
    """A worker's gauges go with it (its counters stay in the sums)."""
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    if METRICS_DIR_OWN:
        shutil.rmtree(METRICS_DIR, ignore_errors=True)


def _running(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:  # another user's process
        return True
    return True
