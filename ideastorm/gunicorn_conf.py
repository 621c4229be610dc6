"""Gunicorn's settings, the same for `make run` (scripts/run.sh) and `make bench`, so the bench
measures the server people run: `gunicorn -c python:ideastorm.gunicorn_conf`.

Threads let a worker serve other requests while one waits on PostgreSQL or Redis; processes
use the cores. WEB_CONCURRENCY (gunicorn's own variable) sets the number of processes.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
threads = 4
worker_class = "gthread"
graceful_timeout = 5
