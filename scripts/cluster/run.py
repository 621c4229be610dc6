"""`make cluster-test`: IdeaStorm scaled out on one machine, under load, while nodes die.

Each node runs in a network namespace of its own, with its own address on a bridge:

    host: PostgreSQL 127.0.0.1:5432 <- PgBouncer 10.77.0.1 (transaction pooling), bridge
    is-redis 10.77.0.5   Redis (broker, cache)      is-sink 10.77.0.40  webhook receiver, SMTP
    is-lb    10.77.0.10  HAProxy (deploy/haproxy.cfg) -> is-web1..3 10.77.0.11-13 gunicorn
    is-worker1..2 10.77.0.21-22  a Celery worker per queue    is-beat1..2 10.77.0.31-32 beat

The web, worker and beat commands are the ExecStart lines of deploy/systemd's units. The load
(visitors reading, members voting, commenting, a product manager changing statuses, which
sends emails and webhooks) runs for --duration seconds; meanwhile one web node, one worker in
the middle of a job and the leading beat are killed with SIGKILL. Then it checks that no
request was lost beyond the documented retry, that the counts match the votes table and the
client's own record, that each periodic job ran once per period, that each email and webhook
arrived exactly once, and that the surviving web nodes stayed ready throughout. It prints its
figures, writes them to var/cluster-test.json, and removes every process, namespace and
database it made (also on Ctrl-C, and a stale set from an aborted run at the start).

Needs root (namespaces), PostgreSQL on 127.0.0.1:5432 (user postgres, trust), and the
Debian packages haproxy, pgbouncer and redis-server.
"""

import argparse
import collections
import contextlib
import datetime as dt
import http.client
import json
import math
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import netns
import psycopg2
import redis
import units

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
OUT = ROOT / "var" / "cluster"
LOGS = OUT / "logs"
RESULT = ROOT / "var" / "cluster-test.json"
HOST_PIDS = OUT / "host-pids.json"
SYSTEMD = ROOT / "deploy" / "systemd"
DB_NAME = "ideastorm_cluster"
ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
DB_DSN = f"host=127.0.0.1 port=5432 user=postgres dbname={DB_NAME}"
NET = netns.NETWORK
REDIS = f"{NET}.5"
LB = f"{NET}.10"
WEBS = {f"web{i}": f"{NET}.1{i}" for i in (1, 2, 3)}
WORKERS = {f"worker{i}": f"{NET}.2{i}" for i in (1, 2)}
BEATS = {f"beat{i}": f"{NET}.3{i}" for i in (1, 2)}
SINK = f"{NET}.40"
WEBHOOK_PORT, SMTP_PORT, WEB_PORT = 8080, 2525, 8000
QUEUES = ("periodic", "email", "webhooks", "stuffing")
# The client's documented retry: a GET, PUT or DELETE that met a connection error or a
# 502/503/504 is sent again, up to this many attempts in all. POSTs are never retried.
ATTEMPTS = 5
RETRY_PAUSE = 0.5
RETRYABLE = {502, 503, 504}
VOTERS = 4
PM_STATUSES = ("under-review", "planned", "in-progress")
# Members vote from addresses of their own, each on its own /24 (the app's vote network).
MEMBER_ADDRESSES: dict[str, str] = {}

STARTED = time.monotonic()


def progress(message: str) -> None:
    print(f"==> [{time.monotonic() - STARTED:.0f}s] {message}", flush=True)


class Aborted(Exception):
    pass


# --- processes -------------------------------------------------------------------------------


class Processes:
    """Every process the harness started, each in its own process group."""

    def __init__(self) -> None:
        self.started: dict[str, subprocess.Popen] = {}
        self.namespace: dict[str, str] = {}

    def start(self, label: str, argv: list[str], env: dict, *, ns: str | None = None):
        if ns is not None:
            # A node: its own network namespace and host name (scripts/cluster/node.py).
            argv = netns.command_in(
                ns, [PYTHON, str(ROOT / "scripts/cluster/node.py"), ns[3:], "--", *argv]
            )
        log = (LOGS / f"{label}.log").open("ab")
        process = subprocess.Popen(
            argv,
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.started[label] = process
        if ns is not None:
            self.namespace[label] = ns
        return process

    def kill(self, label: str) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.started[label].pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for process in self.started.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 8
        for process in self.started.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in self.started.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def dead(self) -> dict[str, int]:
        """The processes that exited, with their exit status (-9: SIGKILL)."""
        return {label: p.returncode for label, p in self.started.items() if p.poll() is not None}


def host_pids_remember(label: str, pid: int, marker: str) -> None:
    known = json.loads(HOST_PIDS.read_text()) if HOST_PIDS.exists() else {}
    known[label] = {"pid": pid, "marker": marker}
    HOST_PIDS.write_text(json.dumps(known))


def host_pids_kill() -> None:
    """Processes an earlier run started in the host's namespace (PgBouncer), if they are still
    those (their command line still names our configuration)."""
    if not HOST_PIDS.exists():
        return
    for item in json.loads(HOST_PIDS.read_text()).values():
        try:
            cmdline = Path(f"/proc/{item['pid']}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if item["marker"] in cmdline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(item["pid"], signal.SIGKILL)
    HOST_PIDS.unlink()


def database_drop() -> None:
    with contextlib.closing(psycopg2.connect(ADMIN_DSN)) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def clean_up(processes: Processes | None) -> None:
    if processes is not None:
        processes.stop_all()
    netns.remove_all()
    host_pids_kill()
    database_drop()


# --- configuration ---------------------------------------------------------------------------


def free_port(address: str, first: int) -> int:
    for port in range(first, first + 50):
        with socket.socket() as probe:
            try:
                probe.bind((address, port))
            except OSError:
                continue
            return port
    raise Aborted(f"no free port on {address} from {first}")


def pgbouncer_config(port: int) -> Path:
    """deploy/pgbouncer/pgbouncer.ini's [pgbouncer] settings, with this run's address, our own
    database only, and trust on the test bridge (PostgreSQL here trusts local connections)."""
    settings: dict[str, str] = {}
    section = ""
    for raw in (ROOT / "deploy/pgbouncer/pgbouncer.ini").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith((";", "#")):
            continue
        if line.startswith("["):
            section = line
        elif section == "[pgbouncer]":
            key, _, value = line.partition("=")
            settings[key.strip()] = value.strip()
    if settings.get("pool_mode") != "transaction":
        raise Aborted("deploy/pgbouncer/pgbouncer.ini must pool by transaction")
    userlist = OUT / "pgbouncer-users.txt"
    userlist.write_text('"postgres" ""\n')
    settings.update(
        listen_addr=netns.HOST_ADDRESS,
        listen_port=str(port),
        unix_socket_dir="",
        auth_type="trust",
        auth_file=str(userlist),
        logfile="",
        pidfile="",
    )
    settings.pop("admin_users", None)
    path = OUT / "pgbouncer.ini"
    lines = [
        "[databases]",
        f"{DB_NAME} = host=127.0.0.1 port=5432 dbname={DB_NAME}",
        "",
        "[pgbouncer]",
    ]
    lines += [f"{key} = {value}" for key, value in settings.items()]
    path.write_text("\n".join(lines) + "\n")
    for item in (OUT, userlist, path):
        item.chmod(0o755 if item.is_dir() else 0o644)
    return path


def unit_argv(unit: str, env: dict, *, instance: str = "", host: str = "") -> list[str]:
    """The command the unit in deploy/systemd runs (scripts/cluster/units.py)."""
    return units.unit_command(SYSTEMD / unit, root=ROOT, environ=env, instance=instance, host=host)


def app_environment(pgbouncer_port: int) -> dict[str, str]:
    hosts = [LB, *WEBS.values(), "localhost"]
    return {
        "PATH": f"{ROOT / '.venv/bin'}:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": str(OUT),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "ideastorm.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": ",".join(hosts),
        "DATABASE_URL": f"postgres://postgres@{netns.HOST_ADDRESS}:{pgbouncer_port}/{DB_NAME}",
        "DATABASE_TRANSACTION_POOLING": "true",
        "REDIS_URL": f"redis://{REDIS}:6379/0",
        "IDEAS_RATE_LIMITS": "off",
        "IDEASTORM_TRUST_X_FORWARDED_FOR": "true",
        "IDEASTORM_SITE_URL": f"http://{LB}",
        "IDEASTORM_CACHE_PREFIX": "cluster",
        "IDEASTORM_CELERY_QUEUE": "ideastorm",
        "IDEASTORM_WORKER_CONCURRENCY": "1",
        "WEB_CONCURRENCY": "1",
        "IDEASTORM_RECONCILE_EVERY": "10",
        "IDEASTORM_BEAT_LEASE_SECONDS": "6",
        "IDEASTORM_JOB_LEASE_SECONDS": "10",
        "IDEASTORM_BROKER_VISIBILITY_TIMEOUT": "30",
        "IDEASTORM_WEBHOOK_ALLOWED_NETWORKS": f"{NET}.0/24",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DJANGO_EMAIL_HOST": SINK,
        "DJANGO_EMAIL_PORT": str(SMTP_PORT),
        "DJANGO_DEFAULT_FROM_EMAIL": "ideastorm@cluster.test",
        "IDEASTORM_HEALTHZ_TOKEN": secrets.token_urlsafe(20),
    }


def node_environment(base: dict, node: str, **extra: str) -> dict[str, str]:
    var = OUT / "nodes" / node
    var.mkdir(parents=True, exist_ok=True)
    # The static files a release collects once (ideastorm-migrate.service), shared by every node.
    static = var / "staticfiles"
    if node != "setup" and not static.is_symlink():
        if static.exists():
            static.rmdir()
        static.symlink_to(OUT / "nodes" / "setup" / "staticfiles", target_is_directory=True)
    return {**base, "IDEASTORM_VAR_DIR": str(var), **extra}


# --- HTTP ------------------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = collections.Counter()
        self.errors = collections.Counter()
        self.retries = collections.Counter()
        self.error_samples: list[str] = []

    def count(self, kind: str, *, error: str = "", retries: int = 0) -> None:
        with self.lock:
            self.requests[kind] += 1
            self.retries[kind] += retries
            if error:
                self.errors[kind] += 1
                if len(self.error_samples) < 20:
                    self.error_samples.append(f"{kind}: {error}")


class Client:
    """One keep-alive connection to the load balancer, with the documented retry; from
    `source`, the client's own address, if given."""

    def __init__(self, stats: Stats, source: str | None = None) -> None:
        self.stats, self.source = stats, (source, 0) if source else None
        self.conn: http.client.HTTPConnection | None = None

    def _once(self, method, path, body, headers, fresh):
        if fresh or self.conn is None:
            if self.conn is not None:
                self.conn.close()
            self.conn = http.client.HTTPConnection(LB, 80, timeout=20, source_address=self.source)
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        if fresh or response.will_close:
            self.conn.close()
            self.conn = None
        return response.status, data

    def call(self, kind, method, path, *, body=None, token=None, expect=(200,)):
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        idempotent = method in ("GET", "HEAD", "PUT", "DELETE")
        retries, error, status, data = 0, "", None, b""
        for attempt in range(ATTEMPTS if idempotent else 1):
            if attempt:
                retries += 1
                time.sleep(RETRY_PAUSE)
            try:
                # A POST goes on a connection of its own: an idle keep-alive connection closed
                # by the other side is no reason to lose (or doubt) a POST.
                status, data = self._once(method, path, payload, headers, fresh=not idempotent)
            except (OSError, http.client.HTTPException) as exc:
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                status, error = None, f"{method} {path}: {type(exc).__name__}: {exc}"
                continue
            if status in RETRYABLE:
                error = f"{method} {path}: HTTP {status}"
                continue
            error = "" if status in expect else f"{method} {path}: HTTP {status} {data[:200]!r}"
            break
        self.stats.count(kind, error=error, retries=retries)
        return (status if not error else None), data


# --- load ------------------------------------------------------------------------------------


class Load:
    def __init__(self, board: dict, stats: Stats, stop: threading.Event, seed: int) -> None:
        self.board, self.stats, self.stop = board, stats, stop
        self.random = random.Random(seed)
        self.votes: dict[tuple[str, int], int | None] = {}
        self.votes_lock = threading.Lock()
        self.status_changes: list[tuple[int, str]] = []
        self.comments = 0
        # Held while a POST is in flight: the web node is killed between POSTs (see README).
        self.post_lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def _run(self, name, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def start(self) -> None:
        members = self.board["members"]
        for i in range(VOTERS):
            self._run(f"voter{i}", self.voter, members[i::VOTERS], self.random.random())
        for i in range(2):
            self._run(f"visitor{i}", self.visitor, self.random.random())
        self._run("commenter", self.commenter, self.random.random())
        self._run("pm", self.pm, self.random.random())

    def join(self) -> None:
        for thread in self.threads:
            thread.join()

    def voter(self, members: list[str], seed: float) -> None:
        rnd = random.Random(seed)
        ideas, tokens = self.board["ideas"], self.board["tokens"]
        # Each member from a network of their own, as people are: one network for all would
        # be a voting ring to the vote-stuffing job (moderation.stuffing), rightly.
        clients = {m: Client(self.stats, source=MEMBER_ADDRESSES[m]) for m in members}
        while not self.stop.is_set():
            member, idea = rnd.choice(members), rnd.choice(ideas)
            token, client = tokens[member], clients[member]
            roll = rnd.random()
            if roll < 0.75:
                value = rnd.choice((1, 1, -1))
                status, _ = client.call(
                    "vote", "PUT", f"/api/ideas/{idea}/vote/", body={"value": value}, token=token
                )
                if status == 200:
                    with self.votes_lock:
                        self.votes[(member, idea)] = value
            elif roll < 0.85:
                status, _ = client.call("unvote", "DELETE", f"/api/ideas/{idea}/vote/", token=token)
                if status == 200:
                    with self.votes_lock:
                        self.votes[(member, idea)] = None
            else:
                client.call("member-read", "GET", f"/api/ideas/{idea}/", token=token)
            time.sleep(0.08)

    def visitor(self, seed: float) -> None:
        rnd, client = random.Random(seed), Client(self.stats)
        ideas = self.board["ideas"]
        while not self.stop.is_set():
            idea = rnd.choice(ideas)
            path = rnd.choice(
                [
                    "/",
                    "/ideas/?sort=popular",
                    "/ideas/?sort=new",
                    f"/ideas/{idea}/",
                    "/api/ideas/?sort=top",
                    f"/api/ideas/{idea}/",
                    f"/api/ideas/{idea}/comments/",
                    "/static/css/site.css",
                ]
            )
            client.call("read", "GET", path)
            time.sleep(0.15)

    def commenter(self, seed: float) -> None:
        rnd, client = random.Random(seed), Client(self.stats)
        members, ideas, tokens = self.board["members"], self.board["ideas"], self.board["tokens"]
        n = 0
        while not self.stop.is_set():
            n += 1
            member, idea = rnd.choice(members), rnd.choice(ideas)
            with self.post_lock:
                status, _ = client.call(
                    "comment",
                    "POST",
                    f"/api/ideas/{idea}/comments/",
                    body={"body": f"Comment {n} from {member}."},
                    token=tokens[member],
                    expect=(201,),
                )
            if status == 201:
                self.comments += 1
            self.stop.wait(2.5)

    def pm(self, seed: float) -> None:
        rnd, client = random.Random(seed), Client(self.stats)
        token = self.board["tokens"][self.board["pm"]]
        current = dict.fromkeys(self.board["ideas"], "new")
        while not self.stop.is_set():
            idea = rnd.choice(self.board["ideas"])
            status_name = rnd.choice([s for s in PM_STATUSES if s != current[idea]])
            with self.post_lock:
                status, _ = client.call(
                    "status",
                    "POST",
                    f"/api/ideas/{idea}/status/",
                    body={"status": status_name, "response": ""},
                    token=token,
                )
            if status == 200:
                current[idea] = status_name
                self.status_changes.append((idea, status_name))
            self.stop.wait(2.5)


class ReadinessWatch:
    """Polls each web node's /readyz directly, every second."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.polls = collections.Counter()
        self.failures: dict[str, list[str]] = collections.defaultdict(list)
        self.killed_at: dict[str, float] = {}
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            for node, address in WEBS.items():
                if node in self.killed_at:
                    continue
                try:
                    conn = http.client.HTTPConnection(address, WEB_PORT, timeout=3)
                    conn.request("GET", "/readyz")
                    status = conn.getresponse().status
                    conn.close()
                    error = "" if status == 200 else f"HTTP {status}"
                except (OSError, http.client.HTTPException) as exc:
                    error = f"{type(exc).__name__}: {exc}"
                if node in self.killed_at:  # killed while we asked
                    continue
                self.polls[node] += 1
                if error:
                    self.failures[node].append(f"{time.monotonic() - STARTED:.0f}s {error}")
            self.stop.wait(1)


# --- the database, Redis and HAProxy, as the checks read them ----------------------------------


def query(sql: str, params=()) -> list[tuple]:
    with contextlib.closing(psycopg2.connect(DB_DSN)) as conn, conn.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def haproxy(command: str) -> str:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(3)
        sock.connect(str(OUT / "haproxy.sock"))
        sock.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def haproxy_servers() -> dict[str, dict]:
    lines = haproxy("show stat").splitlines()
    header = lines[0].lstrip("# ").split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
    return {row["svname"]: row for row in rows if row.get("pxname") == "web"}


def wait_for(what: str, predicate, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = predicate()
        except Exception as exc:  # services still starting: connection refused and the like
            result, last = None, exc
        else:
            last = None
        if result:
            return result
        if time.monotonic() > deadline:
            detail = f" (last: {type(last).__name__}: {last})" if last else ""
            raise Aborted(f"timed out after {timeout:.0f}s waiting for {what}{detail}")
        time.sleep(interval)


def http_status(address: str, port: int, path: str) -> int:
    conn = http.client.HTTPConnection(address, port, timeout=3)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


# --- chaos -----------------------------------------------------------------------------------


def log_tail(label: str) -> str:
    path = LOGS / f"{label}.log"
    return path.read_text(errors="replace") if path.exists() else ""


def running_task(labels: list[str], task: str) -> tuple[str, str] | None:
    """(worker label, task id) of a `task` message a worker received and has not finished,
    from the workers' logs (Celery logs both at INFO)."""
    found = None
    for label in labels:
        open_ids: dict[str, int] = {}
        for number, line in enumerate(log_tail(label).splitlines()):
            if f"Task {task}[" not in line:
                continue
            task_id = line.split(f"Task {task}[", 1)[1].split("]", 1)[0]
            if line.rstrip().endswith("received"):
                open_ids[task_id] = number
            else:
                open_ids.pop(task_id, None)
        for task_id in open_ids:
            found = (label, task_id)
    return found


def kill_worker_mid_job(processes: Processes, report: dict) -> None:
    """Hold the reconcile job's JobRun row locked so the next run waits inside the job (its
    lease taken, its JobRun update blocked), SIGKILL the worker running it, then let go."""
    task = "votes.tasks.reconcile_rankings"
    periodic = [f"{w}-periodic" for w in WORKERS if f"{w}-periodic" in processes.started]
    conn = psycopg2.connect(DB_DSN)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM votes_jobrun WHERE name = 'reconcile_rankings' FOR UPDATE"
            )
            if not cursor.fetchall():
                report["error"] = "no reconcile_rankings run yet to block"
                return

            def blocked():
                cursor2 = psycopg2.connect(DB_DSN)
                try:
                    with cursor2.cursor() as c:
                        c.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                            "AND wait_event_type = 'Lock' AND query ILIKE %s",
                            (DB_NAME, "%votes_jobrun%"),
                        )
                        return c.fetchone()[0] > 0 and running_task(periodic, task)
                finally:
                    cursor2.close()

            label, task_id = wait_for("a reconcile run to be under way", blocked, 40, 0.3)
            processes.kill(label)
            report["at_wall"] = dt.datetime.now(dt.UTC)
            report.update(worker=label, task_id=task_id, at=round(time.monotonic() - STARTED, 1))
            progress(f"killed {label} (SIGKILL) in the middle of {task}[{task_id}]")
            time.sleep(0.5)
    finally:
        conn.rollback()
        conn.close()


def leading_beat() -> str | None:
    """The beat holding the lease (core.leases, "beat"), by its host name in the holder id."""
    rows = query("SELECT holder FROM core_lease WHERE name = 'beat' AND expires_at > now()")
    if not rows:
        return None
    holder = rows[0][0]
    for beat in BEATS:
        if beat in holder:
            return beat
    return None


# --- checks ----------------------------------------------------------------------------------


def check_votes(load: Load, board: dict, failures: list[str]) -> dict:
    # The same columns as the app: a quarantined vote is kept but counted in no score.
    ideas = query(
        """
        SELECT i.id, i.score, i.promotes, i.demotes,
               coalesce(sum(v.value) FILTER (WHERE v.quarantine_id IS NULL), 0),
               count(*) FILTER (WHERE v.value = 1 AND v.quarantine_id IS NULL),
               count(*) FILTER (WHERE v.value = -1 AND v.quarantine_id IS NULL)
          FROM ideas_idea i LEFT JOIN votes_vote v ON v.idea_id = i.id
         GROUP BY i.id ORDER BY i.id
        """
    )
    for idea, score, promotes, demotes, total, ups, downs in ideas:
        if (score, promotes, demotes) != (total, ups, downs):
            failures.append(
                f"idea {idea}: score/promotes/demotes {score}/{promotes}/{demotes}, "
                f"votes table {total}/{ups}/{downs}"
            )
    rows = query(
        "SELECT u.username, v.idea_id, v.value, v.network FROM votes_vote v "
        "JOIN accounts_user u ON u.id = v.voter_id"
    )
    table = {(user, idea): value for user, idea, value, _ in rows}
    # The vote's network is the member's own, as HAProxy forwarded it (X-Forwarded-For).
    wrong_network = [
        (user, network)
        for user, _, _, network in rows
        if network != MEMBER_ADDRESSES[user].rsplit(".", 1)[0] + ".0/24"
    ]
    if wrong_network:
        failures.append(
            f"{len(wrong_network)} votes carry another network than their member's, e.g. "
            f"{wrong_network[0]}: is X-Forwarded-For set by HAProxy and trusted?"
        )
    expected = {key: value for key, value in load.votes.items() if value is not None}
    for key in sorted(set(table) | set(expected)):
        if table.get(key) != expected.get(key):
            failures.append(
                f"vote of {key[0]} on idea {key[1]}: the client's last accepted "
                f"{expected.get(key)}, the votes table {table.get(key)}"
            )
    quarantined = query("SELECT count(*) FROM votes_vote WHERE quarantine_id IS NOT NULL")[0][0]
    return {
        "votes_sent": load.stats.requests["vote"] + load.stats.requests["unvote"],
        "votes_in_table": len(table),
        "votes_expected": len(expected),
        "votes_quarantined": quarantined,
        "net_score_total": sum(row[1] for row in ideas),
    }


def check_periodic(schedule: dict, window: tuple, kill: dict, failures: list[str]) -> dict:
    """Each beat entry's periods due in the window were each sent once (core.beat's
    PeriodicDispatch) and ran once: completed, or skipped because another run held the job's
    lease. The killed worker's message completed once, on another worker."""
    start, end = window
    rows = query(
        "SELECT name, period, completions, skipped, task_id, beat FROM core_periodicdispatch "
        "ORDER BY name, period"
    )
    by_name: dict[str, list[tuple]] = collections.defaultdict(list)
    for row in rows:
        by_name[row[0]].append(row)
    figures = {}
    for name, entry in schedule.items():
        inside = [r for r in by_name.get(name, []) if start <= r[1] and r[1] <= end]
        if "every" in entry:
            # Slots of `every` seconds since the epoch (core.beat.period_of), each one sent.
            step = entry["every"]
            slot = math.ceil(start.timestamp() / step) * step
            expected = []
            while slot <= end.timestamp():
                expected.append(dt.datetime.fromtimestamp(slot, tz=dt.UTC))
                slot += step
            got = {r[1] for r in inside}
            for period in expected:
                if period not in got:
                    failures.append(f"{name}: no dispatch for the period {period:%H:%M:%S}")
            expected_count = len(expected)
        else:
            expected = []
            minute = start.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
            while minute <= end:
                if minute.minute in entry["minutes"] and minute.hour in entry["hours"]:
                    expected.append(minute)
                minute += dt.timedelta(minutes=1)
            got = {r[1].replace(second=0, microsecond=0) for r in inside}
            for period in expected:
                if period not in got:
                    failures.append(f"{name}: no dispatch for the period {period:%H:%M}")
            expected_count = len(expected)
        for period in sorted({r[1] for r in inside} - set(expected)):
            if "every" in entry or period.replace(second=0, microsecond=0) not in expected:
                failures.append(f"{name}: dispatched for {period}, which was not due")
        for _, period, completions, skipped, task_id, _beat in inside:
            if completions > 1:
                failures.append(f"{name} {period:%H:%M:%S}: completed {completions} times")
            elif completions + skipped < 1:
                failures.append(f"{name} {period:%H:%M:%S}: never ran (task {task_id})")
        figures[name] = {
            "periods": len(inside),
            "expected": expected_count,
            "completed": sum(1 for r in inside if r[2] == 1),
            "skipped": sum(r[3] for r in inside),
        }
    if kill.get("task_id"):
        rerun = query(
            "SELECT name, period, completions, finished_at, skipped FROM core_periodicdispatch "
            "WHERE task_id = %s",
            (kill["task_id"],),
        )
        if not rerun:
            failures.append(f"the killed job's message {kill['task_id']} has no dispatch record")
        elif rerun[0][2] != 1:
            failures.append(
                f"the killed job ({rerun[0][0]} {rerun[0][1]:%H:%M:%S}) completed "
                f"{rerun[0][2]} times after its worker died, not once (skipped "
                f"{rerun[0][4]} times: its lease outlived the broker's visibility timeout?)"
            )
        else:
            kill["rerun_after_s"] = round((rerun[0][3] - kill["at_wall"]).total_seconds(), 1)
    beats = collections.Counter(r[5] for r in rows if start <= r[1] <= end)
    figures["_by_beat"] = dict(beats)
    return figures


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def check_deliveries(load: Load, failures: list[str]) -> dict:
    arrivals = collections.Counter(r["delivery"] for r in read_jsonl(OUT / "sink/webhooks.jsonl"))
    deliveries = query("SELECT id, event, status, attempts FROM webhooks_delivery")
    for delivery_id, event, status, attempts in deliveries:
        got = arrivals.pop(str(delivery_id), 0)
        if status != "succeeded" or got != 1:
            failures.append(
                f"webhook delivery {delivery_id} ({event}): {status} after {attempts} "
                f"attempts, arrived {got} times"
            )
    for delivery_id, got in arrivals.items():
        failures.append(
            f"webhook delivery {delivery_id} arrived {got} times but is not in the table"
        )
    status_events = sum(1 for d in deliveries if d[1] == "idea.status_changed")
    if status_events != len(load.status_changes):
        failures.append(
            f"{len(load.status_changes)} status changes answered 200, "
            f"{status_events} idea.status_changed deliveries"
        )

    mails = read_jsonl(OUT / "sink/mails.jsonl")
    by_id = collections.Counter(m["message_id"] for m in mails)
    for message_id, got in by_id.items():
        if got > 1:
            failures.append(f"email {message_id} arrived {got} times")
    received = collections.Counter(
        (m["to"][0], m["subject"].split("] ", 1)[-1]) for m in mails if m["to"]
    )
    notifications = query(
        """
        SELECT u.email, n.message, n.emailed_at IS NOT NULL
          FROM notifications_notification n JOIN accounts_user u ON u.id = n.recipient_id
         WHERE u.email_frequency = 'each' AND u.email_verified_at IS NOT NULL
        """
    )
    unsent = sum(1 for _, _, emailed in notifications if not emailed)
    if unsent:
        failures.append(f"{unsent} notifications wanted an email and have none")
    sent = collections.Counter(
        (email, message) for email, message, emailed in notifications if emailed
    )
    # The subject line is folded to one line; compare the same way.
    sent = collections.Counter({(e, " ".join(m.split())): c for (e, m), c in sent.items()})
    missing, extra = sent - received, received - sent
    for (email, message), count in list(missing.items())[:10]:
        failures.append(
            f"email to {email} ({message}) recorded as sent, arrived {count} fewer times"
        )
    for (email, message), count in list(extra.items())[:10]:
        failures.append(f"email to {email} ({message}) arrived {count} more times than sent")
    return {
        "webhook_deliveries": len(deliveries),
        "webhook_arrivals": sum(
            1 for r in read_jsonl(OUT / "sink/webhooks.jsonl") if r["delivery"]
        ),
        "status_changes": len(load.status_changes),
        "comments": load.comments,
        "emails_sent": sum(sent.values()),
        "emails_arrived": len(mails),
        "emails_unsent": unsent,
    }


def drained(board_redis: redis.Redis, kill: dict) -> bool:
    queues = sum(board_redis.llen(f"ideastorm.{q}") for q in QUEUES)
    unacked = board_redis.hlen("unacked")
    pending = query(
        "SELECT (SELECT count(*) FROM webhooks_delivery WHERE status = 'pending'), "
        "(SELECT count(*) FROM notifications_notification n JOIN accounts_user u "
        "   ON u.id = n.recipient_id WHERE n.emailed_at IS NULL AND u.email_frequency = 'each' "
        "   AND u.email_verified_at IS NOT NULL)"
    )[0]
    rerun = True
    if kill.get("task_id"):
        done = query(
            "SELECT finished_at FROM core_periodicdispatch WHERE task_id = %s", (kill["task_id"],)
        )
        # Ran again to the end (completed, or skipped: the check tells which).
        rerun = bool(done) and done[0][0] is not None
    return queues == 0 and unacked == 0 and pending == (0, 0) and rerun


# --- the run ---------------------------------------------------------------------------------


def cluster_start(args, processes: Processes) -> tuple[dict, redis.Redis]:
    """Network, database, board, and every node started and ready; the seeded board."""
    progress("network: bridge br-ideastorm 10.77.0.1/24 and a namespace per node")
    MEMBER_ADDRESSES.update({f"m{i:02d}": f"10.78.{i}.1" for i in range(args.members)})
    netns.bridge_create(list(MEMBER_ADDRESSES.values()))
    nodes = {"redis": REDIS, "lb": LB, "sink": SINK, **WEBS, **WORKERS, **BEATS}
    for short, address in nodes.items():
        netns.namespace_create(short, address, nodes)

    progress(f"database {DB_NAME}: create and migrate (directly on 127.0.0.1:5432)")
    with contextlib.closing(psycopg2.connect(ADMIN_DSN)) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {DB_NAME}")
    pgbouncer_port = free_port(netns.HOST_ADDRESS, 6440)
    env = app_environment(pgbouncer_port)
    env.update(item.split("=", 1) for item in args.set)
    # Migrations straight to PostgreSQL, as a release would: one long transaction per
    # migration with its locks, which a transaction pooler adds nothing to.
    direct = {**env, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"}
    direct = node_environment(direct, "setup")
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--no-input", "-v0"], env=direct, cwd=ROOT, check=True
    )
    progress("collectstatic, once for every node (as deploy/systemd/ideastorm-migrate.service)")
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"],
        env=direct,
        cwd=ROOT,
        check=True,
    )
    progress("seed: members with API tokens, a product manager, ideas, a webhook")
    seed = [
        PYTHON,
        "scripts/cluster/seed.py",
        f"--members={args.members}",
        f"--ideas={args.ideas}",
        f"--webhook-url=http://{SINK}:{WEBHOOK_PORT}/hooks/ideastorm",
    ]
    seeded = subprocess.run(seed, env=direct, cwd=ROOT, check=True, capture_output=True, text=True)
    board = json.loads(seeded.stdout.strip().splitlines()[-1])

    progress("starting the sinks (webhook receiver, SMTP), Redis and PgBouncer")
    sinks = [f"--webhook={SINK}:{WEBHOOK_PORT}", f"--smtp={SINK}:{SMTP_PORT}", f"--out={OUT}/sink"]
    processes.start("sink", [PYTHON, "scripts/cluster/sinks.py", *sinks], env, ns="is-sink")
    redis_dir = OUT / "redis"
    redis_dir.mkdir(exist_ok=True)
    redis_args = f"--bind {REDIS} --port 6379 --appendonly no --protected-mode no --dir {redis_dir}"
    processes.start(
        "redis", ["redis-server", *redis_args.split(), "--save", ""], env, ns="is-redis"
    )
    ini = pgbouncer_config(pgbouncer_port)
    # As root PgBouncer refuses to start; -u drops to the postgres user.
    pgbouncer = processes.start(
        "pgbouncer", ["/usr/sbin/pgbouncer", "-u", "postgres", str(ini)], env
    )
    host_pids_remember("pgbouncer", pgbouncer.pid, str(ini))
    pgbouncer_address = (netns.HOST_ADDRESS, pgbouncer_port)
    wait_for("PgBouncer", lambda: socket.create_connection(pgbouncer_address, 1), 20)
    board_redis = redis.Redis(host=REDIS, port=6379, socket_timeout=3)
    wait_for("Redis", board_redis.ping, 20)

    for i, (node, address) in enumerate(WEBS.items(), 1):
        progress(f"starting web {i}/{len(WEBS)} ({node}, {address}:{WEB_PORT}, gunicorn)")
        node_env = node_environment(env, node, IDEASTORM_BIND=f"{address}:{WEB_PORT}")
        argv = unit_argv("ideastorm-web.service", node_env)
        processes.start(node, argv, node_env, ns=f"is-{node}")
    lb_env = {
        **env,
        "IDEASTORM_LB_BIND": f"{LB}:80",
        "IDEASTORM_HOST": LB,
        "HAPROXY_STATS_SOCKET": str(OUT / "haproxy.sock"),
        **{node.upper(): f"{address}:{WEB_PORT}" for node, address in WEBS.items()},
    }
    progress("starting the load balancer (HAProxy, deploy/haproxy.cfg)")
    haproxy_argv = ["haproxy", "-db", "-f", str(ROOT / "deploy/haproxy.cfg")]
    processes.start("lb", haproxy_argv, lb_env, ns="is-lb")
    for node in WORKERS:
        for queue in QUEUES:
            node_env = node_environment(env, node)
            argv = unit_argv("ideastorm-worker@.service", node_env, instance=queue, host=node)
            processes.start(f"{node}-{queue}", argv, node_env, ns=f"is-{node}")
        progress(f"started {node}: a worker per queue ({', '.join(QUEUES)}), concurrency 1")

    for node, address in WEBS.items():
        wait_for(
            f"{node}'s /readyz",
            lambda address=address: http_status(address, WEB_PORT, "/readyz") == 200,
            90,
        )
    wait_for(
        "HAProxy to see every web node up",
        lambda: all(s["status"] == "UP" for n, s in haproxy_servers().items() if n in WEBS),
        30,
    )
    wait_for("/readyz through the load balancer", lambda: http_status(LB, 80, "/readyz") == 200, 10)
    progress("every web node ready, through the load balancer too")
    for node in BEATS:
        node_env = node_environment(env, node)
        argv = unit_argv("ideastorm-beat.service", node_env)
        processes.start(node, argv, node_env, ns=f"is-{node}")
    progress(f"started {len(BEATS)} beats")
    wait_for("a leading beat", leading_beat, 60)
    wait_for(
        "the first reconcile run",
        lambda: query("SELECT 1 FROM votes_jobrun WHERE name = 'reconcile_rankings' AND ok"),
        60,
    )
    dead = processes.dead()
    if dead:
        raise Aborted(f"these processes died while starting: {dead} (see {LOGS})")
    return board, board_redis


def kill_web_node(node: str, load: "Load", watch: "ReadinessWatch", report: dict) -> None:
    """SIGKILL every process of a web node (between two POSTs: see Load.post_lock), and time
    how long HAProxy takes to see it."""
    with load.post_lock:
        watch.killed_at[node] = time.monotonic()
        killed = netns.kill_all_in(f"is-{node}")
    report.update(node=node, processes=len(killed), at=round(time.monotonic() - STARTED, 1))
    progress(f"killed {node} (SIGKILL to its {len(killed)} processes)")
    down = wait_for(
        f"HAProxy to take {node} out",
        lambda: haproxy_servers()[node]["status"].startswith("DOWN") and time.monotonic(),
        15,
        0.2,
    )
    report["out_after_s"] = round(down - watch.killed_at[node], 1)
    progress(f"HAProxy took {node} out after {report['out_after_s']}s")


def kill_leading_beat(report: dict) -> None:
    """SIGKILL the beat holding the lease, and time how long the other takes to lead."""
    leader = wait_for("a leading beat", leading_beat, 30)
    killed = netns.kill_all_in(f"is-{leader}")
    killed_at = time.monotonic()
    report.update(node=leader, processes=len(killed), at=round(killed_at - STARTED, 1))
    progress(f"killed the leading beat {leader} (SIGKILL)")
    took_over = wait_for(
        "another beat to lead",
        lambda: (leading_beat() not in (None, leader)) and time.monotonic(),
        60,
    )
    report["takeover_after_s"] = round(took_over - killed_at, 1)
    progress(f"{leading_beat()} leads after {report['takeover_after_s']}s")


def load_with_kills(args, processes: Processes, board: dict, board_redis, failures: list) -> dict:
    """The bounded load, with a web node, a worker mid-job and the leading beat killed on the
    way; then the wait for the queues, emails and webhooks to drain."""
    stop = threading.Event()
    load = Load(board, Stats(), stop, seed=args.seed)
    watch = ReadinessWatch(stop)
    window_start = dt.datetime.now(dt.UTC)
    load_started = time.monotonic()
    progress(f"load for {args.duration:g}s: visitors, voters, a commenter, a product manager")
    load.start()
    watch.thread.start()
    chaos: dict = {"web": {}, "worker": {}, "beat": {}}

    def at(fraction: float) -> None:
        stop.wait(max(0.0, load_started + args.duration * fraction - time.monotonic()))

    at(0.2)
    kill_web_node("web2", load, watch, chaos["web"])
    at(0.35)
    try:
        kill_worker_mid_job(processes, chaos["worker"])
    except Aborted as exc:
        failures.append(f"could not kill a worker mid-job: {exc}")
    at(0.6)
    kill_leading_beat(chaos["beat"])
    at(1.0)
    stop.set()
    load.join()
    watch.thread.join()
    window_end = dt.datetime.now(dt.UTC)
    requests = sum(load.stats.requests.values())
    progress(f"load over: {requests} requests; draining queues, email, webhooks")
    try:
        wait_for(
            "queues, emails and webhooks to drain",
            lambda: drained(board_redis, chaos["worker"]),
            150,
            1,
        )
    except Aborted as exc:
        failures.append(str(exc))
    # The periods of the window that were still running finish too.
    time.sleep(3)
    killed = {chaos["web"].get("node"), chaos["beat"].get("node"), chaos["worker"].get("worker")}
    dead = {label: code for label, code in processes.dead().items() if label not in killed}
    if dead:
        failures.append(
            "processes died that nobody killed: "
            + ", ".join(f"{label} (exit status {code})" for label, code in dead.items())
        )
    # Periods due while the load ran (the first one after it began, to its end).
    window = (window_start + dt.timedelta(seconds=1), window_end)
    return {"load": load, "watch": watch, "chaos": chaos, "window": window}


def cluster_check(board: dict, outcome: dict, failures: list[str]) -> dict:
    """Every check, and the figures."""
    load, watch, chaos = outcome["load"], outcome["watch"], outcome["chaos"]
    stats = load.stats
    progress("checking")
    if sum(stats.errors.values()):
        failures.append(
            f"{sum(stats.errors.values())} requests failed after the retry: "
            + "; ".join(stats.error_samples[:5])
        )
    backend = haproxy_servers().get("BACKEND", {})
    figures: dict = {
        "requests": dict(stats.requests),
        "requests_total": sum(stats.requests.values()),
        "errors": sum(stats.errors.values()),
        "client_retries": sum(stats.retries.values()),
        "haproxy_retries": int(backend.get("wretr") or 0),
        "haproxy_redispatches": int(backend.get("wredis") or 0),
        "static_cache": {
            "lookups": int(backend.get("cache_lookups") or 0),
            "hits": int(backend.get("cache_hits") or 0),
        },
    }
    figures.update(check_votes(load, board, failures))
    figures["jobs"] = check_periodic(
        board["schedule"], outcome["window"], chaos["worker"], failures
    )
    figures["deliveries"] = check_deliveries(load, failures)
    for node in WEBS:
        for failure in watch.failures.get(node, [])[:5]:
            failures.append(f"{node} /readyz not 200 while it lived: {failure}")
    figures["readiness"] = {
        node: {"polls": watch.polls[node], "not_ready": len(watch.failures.get(node, []))}
        for node in WEBS
    }
    figures["chaos"] = chaos
    return figures


def run(args, processes: Processes) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in (LOGS, OUT / "sink", OUT / "nodes"):
        shutil.rmtree(stale, ignore_errors=True)
    LOGS.mkdir(parents=True)
    failures: list[str] = []
    board, board_redis = cluster_start(args, processes)
    outcome = load_with_kills(args, processes, board, board_redis, failures)
    figures = {"duration_s": args.duration, **cluster_check(board, outcome, failures)}
    figures["failures"] = failures
    figures["elapsed_s"] = round(time.monotonic() - STARTED)
    RESULT.write_text(json.dumps(figures, indent=2, default=str))
    print_figures(figures)
    return 1 if failures else 0


def print_figures(f: dict) -> None:
    rows = [
        ("requests", f["requests_total"]),
        ("  by kind", ", ".join(f"{k} {v}" for k, v in sorted(f["requests"].items()))),
        ("errors after retry", f["errors"]),
        ("retries (client)", f["client_retries"]),
        ("retries (HAProxy)", f"{f['haproxy_retries']} ({f['haproxy_redispatches']} redispatched)"),
        (
            "static files (HAProxy cache)",
            f"{f['static_cache']['hits']} of {f['static_cache']['lookups']} from the cache",
        ),
        ("votes sent (PUT/DELETE)", f["votes_sent"]),
        ("votes in table / expected", f"{f['votes_in_table']} / {f['votes_expected']}"),
        ("votes quarantined", f["votes_quarantined"]),
    ]
    for name, job in sorted(f["jobs"].items()):
        if name.startswith("_"):
            continue
        rows.append(
            (
                f"job {name}",
                f"{job['periods']} periods (expected {job['expected']}), "
                f"{job['completed']} completed once, {job['skipped']} skipped",
            )
        )
    d, c = f["deliveries"], f["chaos"]
    rows += [
        (
            "jobs sent by beat",
            ", ".join(f"{k} {v}" for k, v in f["jobs"].get("_by_beat", {}).items()),
        ),
        ("webhooks: deliveries / arrived", f"{d['webhook_deliveries']} / {d['webhook_arrivals']}"),
        ("emails: sent / arrived", f"{d['emails_sent']} / {d['emails_arrived']}"),
        ("status changes, comments", f"{d['status_changes']}, {d['comments']}"),
        (
            "readiness polls (not ready)",
            ", ".join(f"{n} {r['polls']} ({r['not_ready']})" for n, r in f["readiness"].items()),
        ),
        (
            "killed: a web node",
            f"{c['web'].get('node')} at {c['web'].get('at')}s; "
            f"HAProxy took it out {c['web'].get('out_after_s')}s later",
        ),
        (
            "killed: a worker mid-job",
            f"{c['worker'].get('worker')} at {c['worker'].get('at')}s; its job rerun and "
            f"completed {c['worker'].get('rerun_after_s')}s later",
        ),
        (
            "killed: the leading beat",
            f"{c['beat'].get('node')} at {c['beat'].get('at')}s; another led "
            f"{c['beat'].get('takeover_after_s')}s later",
        ),
        ("elapsed", f"{f['elapsed_s']}s"),
    ]
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"  {name.ljust(width)}  {value}")
    print()
    if f["failures"]:
        print("FAILED:")
        for failure in f["failures"]:
            print(f"  - {failure}")
    else:
        print("cluster-test passed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=75, help="seconds of load")
    parser.add_argument("--members", type=int, default=24)
    parser.add_argument("--ideas", type=int, default=12)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for every node, over the test's own (to see a check fail)",
    )
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit(
            "make cluster-test needs root: it makes network namespaces (sudo make cluster-test)"
        )
    for tool in ("haproxy", "redis-server"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(f"{tool} is missing: apt-get install haproxy pgbouncer redis-server")

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    # SIGINT too: a shell starts a background job with SIGINT ignored, which Python keeps.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupted)
    progress("removing what an earlier run may have left")
    OUT.mkdir(parents=True, exist_ok=True)
    clean_up(None)
    processes = Processes()
    code = 1
    try:
        code = run(args, processes)
    except Aborted as exc:
        print(f"cluster-test aborted: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("cluster-test interrupted", file=sys.stderr)
        code = 130
    finally:
        # A second Ctrl-C must not cut the clean-up short.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        progress("stopping every process, namespace and the database it made")
        clean_up(processes)
        progress(f"done ({'passed' if code == 0 else 'failed'}); logs in {LOGS.relative_to(ROOT)}")
    return code


if __name__ == "__main__":
    sys.exit(main())
