"""`make bench`: seed a large board on PostgreSQL, then measure, in one run on this machine,
the full ranking rebuild, the Popular page against a trivial view, and vote throughput against
a trivial authenticated API view. Writes var/bench.json and prints a table.

Usage: python bench/run.py [--ideas N] [--votes N] [--users N] [--seconds S]
DATABASE_URL names the PostgreSQL server; the bench uses its own database, <name>_bench.
"""

import argparse
import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
BENCH_VOTERS = 200
LATENCY_SAMPLES = 300
SEARCH_SAMPLES = 50
# Throughput alternates the two endpoints this many times, and the ratio is the median of the
# rounds' ratios: a burst of background work (this VM's host, a checkpoint) then spoils one or
# two rounds, not the figure.
THROUGHPUT_ROUNDS = 5


def log(message: str) -> None:
    print(f"==> {message}", flush=True)


def bench_database(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://USER@HOST:PORT/NAME")
    name = (parsed.path.lstrip("/") or "ideastorm") + "_bench"
    return parsed._replace(path=f"/{name}").geturl(), name


def admin_connection(url: str):
    import psycopg2

    parsed = urlparse(url)
    conn = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


def recreate_database(url: str, name: str) -> None:
    conn = admin_connection(url)
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def database_exists(url: str, name: str) -> bool:
    conn = admin_connection(url)
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cursor.fetchone() is not None
    conn.close()
    return found


def manage(*args: str) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, check=True)


def prepare_data(args, url: str, name: str) -> None:
    """Reuse the bench database when it holds the asked-for board; otherwise seed it anew."""
    if database_exists(url, name):
        import django
        from django.db.utils import ProgrammingError

        django.setup()
        from ideas.models import Idea
        from votes.models import Vote

        try:
            manage("migrate", "--no-input", "-v0")
            ideas = Idea.objects.count()
            votes = Vote.objects.exclude(voter__username__startswith="bench-").count()
        except ProgrammingError:
            ideas = votes = -1
        if (ideas, votes) == (args.ideas, args.votes):
            from django.db import transaction

            from votes.rebuild import ideas_recount

            # The last run's votes go, and their ideas are recounted: this run's drift check
            # then sees only what this run did.
            with transaction.atomic():
                bench_votes = Vote.objects.filter(voter__username__startswith="bench-")
                touched = list(bench_votes.values_list("idea_id", flat=True).distinct())
                removed = bench_votes.delete()[0]
                ideas_recount(touched)
            log(f"Reusing {name}: {ideas} ideas, {votes} votes ({removed} bench votes removed)")
            return
        from django.db import connections

        connections.close_all()
    log(f"Seeding {name}: {args.users} users, {args.ideas} ideas, {args.votes} votes")
    recreate_database(url, name)
    manage("migrate", "--no-input", "-v0")
    manage(
        "seed_demo",
        f"--users={args.users}",
        f"--ideas={args.ideas}",
        f"--votes={args.votes}",
        "--seed=1",
    )


def vacuum() -> None:
    """VACUUM ANALYZE the tables votes rewrite, as autovacuum would on a server that runs it
    (this machine's PostgreSQL does not): every vote and rebuild leaves dead rows behind."""
    from django.db import connection

    log("VACUUM ANALYZE of ideas and votes")
    with connection.cursor() as cursor:
        for table in ("ideas_idea", "votes_vote", "ideas_ideasearch"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def timed_rebuild() -> float:
    log("Full rebuild: manage.py recompute_rankings")
    started = time.perf_counter()
    manage("recompute_rankings")
    return time.perf_counter() - started


def latency(client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        sys.exit(f"{path} answered {response.status_code}")
    return elapsed


def measure_pages() -> dict:
    """Server time, in process through the whole middleware stack: no network, no client."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from ideas.models import Idea

    log(f"Page latency: {LATENCY_SAMPLES} requests each, interleaved")
    visitor = Client(HTTP_HOST="127.0.0.1")
    member = Client(HTTP_HOST="127.0.0.1")
    member.force_login(User.objects.get(username="alice"))
    popular, trivial, popular_member, popular_page_50 = [], [], [], []
    for path in ("/bench/trivial/", "/ideas/?sort=popular"):
        for _ in range(20):
            latency(visitor, path)  # warm up
    for _ in range(LATENCY_SAMPLES):
        trivial.append(latency(visitor, "/bench/trivial/"))
        popular.append(latency(visitor, "/ideas/?sort=popular"))
        popular_member.append(latency(member, "/ideas/?sort=popular"))
        popular_page_50.append(latency(visitor, "/ideas/?sort=popular&page=50"))
    with override_settings(IDEAS_PAGE_CACHE=False):
        uncached = [latency(visitor, "/ideas/?sort=popular") for _ in range(LATENCY_SAMPLES)]
    # The customer pages that search: fewer samples, they are not on a target.
    sample_ideas = list(Idea.objects.order_by("-score").values_list("pk", "title")[:SEARCH_SAMPLES])
    idea_page = [latency(member, f"/ideas/{pk}/") for pk, _ in sample_ideas]
    similar = [latency(member, f"/ideas/similar/?title={quote(t)}") for _, t in sample_ideas]
    search = [
        latency(member, f"/ideas/?q={quote(word)}")
        for word in ("battery", "linux", "keyboard", "screen", "warranty") * (SEARCH_SAMPLES // 5)
    ]

    def queries(client, path):
        with CaptureQueriesContext(connection) as captured:
            latency(client, path)
        return len(captured.captured_queries)

    class Anonymous:
        is_authenticated = False

    def has_sort(queryset) -> bool:
        plan = queryset[:21].explain()
        return bool(re.search(r"\bSort\b", plan))

    with override_settings(IDEAS_PAGE_CACHE=False):
        uncached_queries = queries(visitor, "/ideas/?sort=popular")
    alice = User.objects.get(username="alice")
    some_category = Idea.objects.values_list("category_id", flat=True).first()
    plans = {
        "visitor": Idea.objects.visible()
        .for_list()
        .with_viewer_vote(Anonymous())
        .ranked("popular"),
        "member": Idea.objects.visible().for_list().with_viewer_vote(alice).ranked("popular"),
        "category": Idea.objects.visible()
        .for_list()
        .with_viewer_vote(alice)
        .filter(category_id=some_category)
        .ranked("popular"),
    }
    return {
        "popular_p50_ms": round(statistics.median(popular), 3),
        "trivial_p50_ms": round(statistics.median(trivial), 3),
        "popular_member_p50_ms": round(statistics.median(popular_member), 3),
        "popular_page50_p50_ms": round(statistics.median(popular_page_50), 3),
        "popular_uncached_p50_ms": round(statistics.median(uncached), 3),
        "idea_page_p50_ms": round(statistics.median(idea_page), 3),
        "similar_p50_ms": round(statistics.median(similar), 3),
        "search_p50_ms": round(statistics.median(search), 3),
        "popular_queries": uncached_queries,
        "popular_member_queries": queries(member, "/ideas/?sort=popular"),
        "popular_plan_has_sort": any(has_sort(q) for q in plans.values()),
        "popular_plan": plans["member"][:21].explain(),
    }


def measure_export() -> dict:
    """The product managers' CSV export of every idea, consumed in process: its time, then its
    peak traced memory (a second pass: tracing slows Python down)."""
    import tracemalloc

    from ideas.models import Idea
    from pm.export import csv_stream

    def export() -> int:
        ideas = Idea.objects.visible()
        return sum(len(piece) for piece in csv_stream(ideas, origin="http://127.0.0.1"))

    log("CSV export of every idea: time, then peak memory")
    started = time.perf_counter()
    size = export()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    try:
        export()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return {
        "export_csv_s": round(elapsed, 2),
        "export_csv_mb": round(size / 2**20, 1),
        "export_csv_peak_mb": round(peak / 2**20, 1),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_tokens() -> list[str]:
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from accounts.services import token_for

    password = make_password(None)
    users = [
        User.objects.get_or_create(username=f"bench-{i}", defaults={"password": password})[0]
        for i in range(BENCH_VOTERS)
    ]
    # token_for: a bench database kept longer than IDEASTORM_API_TOKEN_DAYS gets new tokens.
    return [token_for(user=user).key for user in users]


WRK_SCRIPT = """
local tokens = {%(tokens)s}
local low, high, path_kind = %(low)d, %(high)d, "%(kind)s"
local counter = 0
-- wrk runs this script in a Lua state per thread. Each thread gets its own random sequence and
-- its own place in the tokens: with one seed for all, every thread would send the same votes,
-- and all but the first copy of each would be a repeat (a no-op that takes the slow path).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end
function init(args)
  math.randomseed(%(seed)d * 1000 + thread_number)
  counter = thread_number * 1009
end
request = function()
  counter = counter + 1
  local headers = {["Authorization"] = "Token " .. tokens[(counter %% #tokens) + 1],
                   ["Host"] = "127.0.0.1", ["Content-Type"] = "application/json"}
  if path_kind == "vote" then
    local value = 1
    if math.random() < 0.2 then value = -1 end
    local idea = math.random(low, high)
    return wrk.format("PUT", "/api/ideas/" .. idea .. "/vote/", headers,
                      '{"value": ' .. value .. '}')
  end
  return wrk.format("GET", "/bench/trivial-auth/", headers)
end
"""


def wrk_rps(port: int, script: str, seconds: int) -> tuple[float, int, int]:
    """Requests per second, failed requests and requests sent, from one wrk run."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "-s", f.name, f"http://127.0.0.1:{port}/"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, int(errors.group(1)) if errors else 0, requests


def measure_throughput(seconds: int) -> dict:
    from django.utils import timezone

    from ideas.models import Idea
    from votes.models import Vote
    from votes.rebuild import rankings_reconcile

    if not shutil.which("wrk"):
        log("Installing wrk (the load generator) from Debian's packages")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    tokens = bench_tokens()
    low = Idea.objects.order_by("pk").values_list("pk", flat=True).first()
    high = Idea.objects.order_by("-pk").values_list("pk", flat=True).first()
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    # The server `make run` starts (ideastorm/gunicorn_conf.py), without its access log.
    from ideastorm import gunicorn_conf

    command = [str(BIN / "gunicorn"), "ideastorm.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["-c", "python:ideastorm.gunicorn_conf", "--log-level", "warning"]
    server_shape = f"{gunicorn_conf.workers} processes x {gunicorn_conf.threads} threads"
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit("gunicorn did not start")
                time.sleep(0.2)
        quoted = ", ".join(f'"{t}"' for t in tokens)
        params = {"tokens": quoted, "low": low, "high": high}
        per_round = max(2, round(seconds / THROUGHPUT_ROUNDS))
        log(
            f"Throughput: gunicorn, {server_shape}, wrk -t2 -c8; {THROUGHPUT_ROUNDS} rounds of "
            f"{per_round}s per endpoint, alternating; the median round's ratio counts"
        )
        warm_up = WRK_SCRIPT % {**params, "seed": 0, "kind": "trivial"}
        wrk_rps(port, warm_up, 2)
        load_start = timezone.now()
        rounds = {"trivial": [], "vote": []}
        errors, requests = {"trivial": 0, "vote": 0}, {"trivial": 0, "vote": 0}
        for n in range(THROUGHPUT_ROUNDS):
            for kind in rounds:
                # A new seed each round: new votes, not the last round's again.
                script = WRK_SCRIPT % {**params, "seed": 42 + n, "kind": kind}
                rps, failed, sent = wrk_rps(port, script, per_round)
                rounds[kind].append(rps)
                errors[kind] += failed
                requests[kind] += sent
        trivial_rounds, vote_rounds = rounds["trivial"], rounds["vote"]
        trivial_rps, vote_rps = statistics.median(trivial_rounds), statistics.median(vote_rounds)
        ratio = statistics.median(v / t for v, t in zip(vote_rounds, trivial_rounds, strict=True))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    check = rankings_reconcile(since=load_start - dt.timedelta(seconds=5))
    # The last run's bench votes were removed before this one: a vote call that was a repeat of
    # an earlier one (a no-op) would show as a request without a row.
    written = Vote.objects.filter(voter__username__startswith="bench-").count()
    return {
        "vote_rps": round(vote_rps, 1),
        "trivial_auth_rps": round(trivial_rps, 1),
        "vote_vs_trivial_auth": round(ratio, 2),
        "vote_rps_rounds": [round(r) for r in vote_rounds],
        "trivial_auth_rps_rounds": [round(r) for r in trivial_rounds],
        "vote_requests": requests["vote"],
        "votes_written": written,
        "vote_errors": errors["vote"],
        "trivial_auth_errors": errors["trivial"],
        "vote_counts_checked": check["checked"],
        "vote_counts_drifted": check["repaired"],
    }


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument(
        "--seconds", type=int, default=15, help="load per endpoint, over the rounds"
    )
    parser.add_argument(
        "--only", choices=["throughput"], help="measure only this (on the board already seeded)"
    )
    args = parser.parse_args()

    url, name = bench_database(
        os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/ideastorm"
    )
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        IDEAS_RATE_LIMITS="off",
        DJANGO_DEBUG="false",
    )
    if not os.environ.get("DJANGO_SECRET_KEY"):
        os.environ["DJANGO_SECRET_KEY"] = (ROOT / "var" / "secret_key").read_text().strip()
    os.chdir(ROOT)
    prepare_data(args, url, name)

    import django

    django.setup()
    from ideas.models import Idea
    from votes.models import Vote

    if args.only == "throughput":
        vacuum()
        print(json.dumps(measure_throughput(args.seconds), indent=2))
        return
    results = {
        "machine": machine(),
        "ideas": Idea.objects.count(),
        "votes": Vote.objects.count(),
        "rebuild_s": round(timed_rebuild(), 3),
    }
    vacuum()
    results |= measure_pages()
    results |= measure_export()
    results |= measure_throughput(args.seconds)
    results["popular_vs_trivial"] = round(results["popular_p50_ms"] / results["trivial_p50_ms"], 2)

    out = ROOT / "var" / "bench.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    targets = {
        "rebuild_s": "<= 10",
        "popular_vs_trivial": "<= 3",
        "popular_queries": "<= 5",
        "popular_plan_has_sort": "false",
        "vote_vs_trivial_auth": ">= 0.5",
        "vote_counts_drifted": "0",
    }
    print()
    print(f"{'figure':<26} {'value':>14}  target")
    print(f"{'-' * 26} {'-' * 14}  ------")
    for key, value in results.items():
        if key == "popular_plan":
            continue
        print(f"{key:<26} {value!s:>14}  {targets.get(key, '')}")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
