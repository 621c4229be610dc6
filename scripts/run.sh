#!/usr/bin/env bash
# `make run`: migrate, load the demo on the first run, then start gunicorn, a Celery worker and
# Celery beat. Ctrl-C (or SIGTERM) stops every process this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${PORT:-8000}"
export DJANGO_DEBUG="${DJANGO_DEBUG:-false}"
export DJANGO_SETTINGS_MODULE=ideastorm.settings
# With DEBUG off Django needs a real key: the one `make install` wrote, unless one is given.
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
  DJANGO_SECRET_KEY="$(cat var/secret_key)"
  export DJANGO_SECRET_KEY
fi

echo "==> Database: ${DATABASE_URL:-SQLite in var/ideastorm.sqlite3}"
echo "==> Broker and cache: ${REDIS_URL:-embedded (filesystem broker in var/, local-memory cache)}"
$BIN/python manage.py migrate --no-input -v0
# Loads the demo on the first run; says "already loaded" and does nothing once ideas exist.
$BIN/python manage.py seed_demo
# Counters and the health record are current before the first request.
$BIN/python manage.py recompute_rankings

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "==> Stopping (gunicorn, Celery worker, Celery beat)"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  echo "==> Stopped"
}
trap stop INT TERM EXIT

$BIN/gunicorn ideastorm.wsgi:application -c python:ideastorm.gunicorn_conf \
  --bind "127.0.0.1:${PORT}" --access-logfile - &
pids+=($!)
$BIN/celery -A ideastorm worker --loglevel INFO --concurrency 1 --without-gossip --without-mingle &
pids+=($!)
$BIN/celery -A ideastorm beat --loglevel INFO &
pids+=($!)

cat <<MSG

  IdeaStorm is running at http://127.0.0.1:${PORT}
  Demo logins (password: ideastorm-demo):
    alice, bob   members
    pat          product manager
    mo           moderator
    admin        superuser (/admin/)
  Press Ctrl-C to stop.

MSG
# Return as soon as any one of them dies, then stop the others.
wait -n "${pids[@]}"
