#!/usr/bin/env bash
# `make run`: migrate, load the demo on the first run (IDEASTORM_DEMO, on unless set to false),
# then start gunicorn, a Celery worker and Celery beat, and print the URL and the logins last.
# The terminal hears warnings and errors only. Ctrl-C (or SIGTERM) stops every process this
# script started.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${PORT:-8000}"
export DJANGO_DEBUG="${DJANGO_DEBUG:-false}"
export DJANGO_SETTINGS_MODULE=ideastorm.settings
export IDEASTORM_DEMO="${IDEASTORM_DEMO:-true}"
# Links in emails (and `manage.py bootstrap`'s) point at this server unless told otherwise.
export IDEASTORM_SITE_URL="${IDEASTORM_SITE_URL:-http://127.0.0.1:${PORT}}"
# With DEBUG off Django needs a real key: the one `make install` wrote, unless one is given.
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
  DJANGO_SECRET_KEY="$(cat var/secret_key)"
  export DJANGO_SECRET_KEY
fi
case "$(echo "$IDEASTORM_DEMO" | tr '[:upper:]' '[:lower:]')" in
  1 | true | yes | on) demo=1 ;;
  *) demo=0 ;;
esac

echo "==> Database: ${DATABASE_URL:-SQLite in var/ideastorm.sqlite3}"
echo "==> Broker and cache: ${REDIS_URL:-embedded (filesystem broker in var/, local-memory cache)}"
[ "$demo" = 1 ] && echo "==> Demo board (IDEASTORM_DEMO=true): sample data, public demo logins"
# One Python process for the setup (each would pay Django's start-up): migrate; the demo data
# on the first run; counters and the health record current before the first request. System
# check errors stop here; warnings (SQLite's missing features) are left to `manage.py check`.
# It answers whether the board still needs its first administrator.
needs_admin=$(
  $BIN/python - "$demo" <<'PY'
import hashlib
import io
import os
import sys

import django

django.setup()
from django.core import checks
from django.core.management import call_command

errors = [e for e in checks.run_checks() if e.is_serious()]
if errors:
    sys.exit("System check errors:\n" + "\n".join(str(e) for e in errors))
call_command("migrate", interactive=False, verbosity=0)
# The hashed, compressed static files (DEBUG off needs their manifest): collected again only
# when a source file changed since the last run, as compressing them all takes a minute.
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders

sources = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
for finder in get_finders():
    for path, storage in finder.list(["CVS", ".*", "*~"]):
        info = os.stat(storage.path(path))
        sources.update(f"{storage.path(path)} {info.st_size} {info.st_mtime_ns}\n".encode())
stamp = settings.STATIC_ROOT / ".sources"
collected = (settings.STATIC_ROOT / "staticfiles.json").exists() and stamp.exists()
if not collected or stamp.read_text() != sources.hexdigest():
    call_command("collectstatic", interactive=False, verbosity=0, clear=True)
    stamp.write_text(sources.hexdigest())
if sys.argv[1] == "1":
    # Says "already loaded" (on stderr, not our answer) once the board has ideas.
    call_command("seed_demo", verbosity=0, stdout=sys.stderr)
call_command("recompute_rankings", stdout=io.StringIO())
from accounts.models import User

print("no" if User.objects.filter(is_superuser=True, is_demo=False).exists() else "yes")
PY
)

pids=()
stop() {
  trap - EXIT
  # Ctrl-C again hurries: running requests and tasks are dropped.
  trap 'kill -QUIT "${pids[@]}" 2>/dev/null || true' INT TERM
  echo
  echo "==> Stopping (gunicorn, Celery worker, Celery beat)"
  # Ctrl-C reached them too; TERM stops them when it didn't (SIGTERM here, or one of them died).
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do wait "$pid" 2>/dev/null || true; done
  done
  echo "==> Stopped"
  exit 0
}
trap stop INT TERM EXIT

$BIN/gunicorn ideastorm.wsgi:application -c python:ideastorm.gunicorn_conf \
  --bind "127.0.0.1:${PORT}" </dev/null &
pids+=($!)
# Celery prints its banners and shutdown notes on stdout; its log (warnings up) is on stderr.
$BIN/celery -A ideastorm --quiet worker --loglevel WARNING --concurrency 1 \
  --without-gossip --without-mingle </dev/null >/dev/null &
pids+=($!)
$BIN/celery -A ideastorm --quiet beat --loglevel WARNING </dev/null >/dev/null &
pids+=($!)

# The URL comes last, once the server takes connections.
until (exec 3<>"/dev/tcp/127.0.0.1/${PORT}") 2>/dev/null; do
  kill -0 "${pids[0]}" 2>/dev/null || { echo "gunicorn did not start" >&2; exit 1; }
  sleep 0.2
done

site="http://127.0.0.1:${PORT}"
echo
echo "  IdeaStorm is running at ${site}"
if [ "$demo" = 1 ]; then
  cat <<MSG
  Demo logins, password ideastorm-demo (public: it works only in demo mode, or with DEBUG on):
    alice, bob   members: submit, promote and discuss ideas
    pat          product manager: statuses, official responses, /pm/
    mo           moderator: /moderation/
    admin        superuser: /admin/
  Try first: log in as alice and promote an idea; then as pat, answer it on its page.
MSG
elif [ "$needs_admin" = yes ]; then
  site_env=""
  [ "$IDEASTORM_SITE_URL" != "http://127.0.0.1:8000" ] && site_env="IDEASTORM_SITE_URL=${IDEASTORM_SITE_URL} "
  cat <<MSG
  The board is empty. Create its first administrator, in another terminal, either
    ${site_env}.venv/bin/python manage.py bootstrap you@example.com
      (makes a superuser for that address and prints a one-time login link), or
    .venv/bin/python manage.py createsuperuser
      (asks for a username and password; log in at ${site}/accounts/login/)
MSG
else
  echo "  Log in at ${site}/accounts/login/ (the admin is at ${site}/admin/)"
fi
echo "  Press Ctrl-C to stop."
echo
# Return as soon as any one of them dies, then stop the others.
wait -n "${pids[@]}"
