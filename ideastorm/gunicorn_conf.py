"""Gunicorn's settings, the same for `make run` (scripts/run.sh) and `make bench`, so the bench
measures the server people run: `gunicorn -c python:ideastorm.gunicorn_conf`.

Threads let a worker serve other requests while one waits on PostgreSQL or Redis; processes
use the cores. WEB_CONCURRENCY (gunicorn's own variable) sets the number of processes.
The terminal hears only warnings and errors; IDEASTORM_ACCESS_LOG=true adds a line per request.
"""

import os
import signal

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
