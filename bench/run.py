"""`make bench`: seed a large board on PostgreSQL, then measure, in one run on this machine,
the full ranking rebuild, page latency in process (the Popular page against a trivial view),
the CSV export, then request rates from outside the process (bench/load.py: wrk against
gunicorn as `make run` starts it, each row a ratio to the API root measured in the same round),
and the 10M-vote rebuild (bench/rebuild_scale.py, when present). Writes var/bench.json and
prints a table of every figure, its target and whether it holds.

Usage: python bench/run.py [--ideas N] [--votes N] [--users N] [--seconds S] [--rounds N]
                           [--only load] [--skip-rebuild-scale] [--reseed]
DATABASE_URL names the PostgreSQL server; the bench uses its own database, <name>_bench.
GUNICORN_CMD_ARGS (read by gunicorn itself) changes the server's settings for a comparison.
"""

import argparse
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
# In process: the request rates from outside (bench/load.py) are the figures with targets;
# these explain them, and fewer samples keep the whole bench to minutes.
LATENCY_SAMPLES = 200
SEARCH_SAMPLES = 50
# The 10M-vote rebuild (bench/rebuild_scale.py): its board.
SCALE_IDEAS = 1_000_000
SCALE_VOTES = 10_000_000


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
    """Reuse the bench database when it holds the asked-for board; seed it when it is missing
    or empty. A database holding another board is dropped only with --reseed: the counts also
    differ while something else writes to it (a load elsewhere voting as other members), and
    dropping it then kills that work."""
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
        if ideas > 0 and not args.reseed:
            sys.exit(
                f"{name} holds {ideas} ideas and {votes} votes (not by bench members), not the "
                f"{args.ideas} and {args.votes} asked for. Is something else using it? Run "
                "again with --reseed to drop it and seed it anew."
            )
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


def measure_pages(idea_ids: list[int]) -> dict:
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
    # The idea pages the load measures (20 comments or more each).
    idea_page = [latency(member, f"/ideas/{pk}/") for pk in idea_ids[:SEARCH_SAMPLES]]
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


TARGETS = {
    "rebuild_s": "<= 10",
    "popular_vs_trivial": "<= 3",
    "popular_queries": "<= 5",
    "popular_plan_has_sort": "false",
    "vote_counts_drifted": "0",
    "rebuild_10m_s": "<= 60",
}


def holds(value, target: str) -> bool | None:
    """Whether the value meets the target (">= 0.5", "<= 10", "0", "true", "false"); None
    when there is no value to judge."""
    if value is None:
        return None
    if target in ("true", "false"):
        return value is (target == "true")
    op, _, goal = target.rpartition(" ")
    goal = float(goal)
    return {"": value == goal, ">=": value >= goal, "<=": value <= goal}[op]


def report(results: dict, targets: dict[str, str], out: Path) -> None:
    """Every figure with its target, the request rates as a table of their own, and which
    targets hold."""
    from bench import load

    per_row = load.row_keys(results)
    figures = {
        key: value
        for key, value in results.items()
        if key not in per_row and key != "popular_plan" and not isinstance(value, dict | list)
    }
    width = max(len(key) for key in figures) + 1
    print()
    print(f"{'figure':<{width}} {'value':>14}  {'target':<8}  holds")
    print(f"{'-' * width} {'-' * 14}  {'-' * 8}  -----")
    verdicts = {}
    for key, value in figures.items():
        target = targets.get(key, "")
        verdict = ""
        if target:
            held = holds(value, target)
            verdict = "n/a" if held is None else "holds" if held else "MISSES"
            verdicts[key] = verdict
        shown = "-" if value is None else value
        print(f"{key:<{width}} {shown!s:>14}  {target:<8}  {verdict}")
    verdicts |= load.print_rows(results, targets, holds)
    held = [k for k, v in verdicts.items() if v == "holds"]
    missed = [k for k, v in verdicts.items() if v != "holds"]
    print(f"\n{len(held)} of {len(verdicts)} targets hold.")
    if missed:
        print("Not holding: " + ", ".join(f"{k} ({verdicts[k]})" for k in missed))
    print(f"written to {out.relative_to(ROOT)}")


def rebuild_scale(url: str) -> dict:
    """The 10M-vote rebuild, from bench/rebuild_scale.py when that module exists."""
    if importlib.util.find_spec("bench.rebuild_scale") is None:
        log("No bench/rebuild_scale.py: the 10M-vote rebuild is not measured")
        return {"rebuild_10m_s": None}
    from bench.rebuild_scale import measure_rebuild_scale

    log(f"Rebuild at scale: {SCALE_IDEAS} ideas, {SCALE_VOTES} votes (bench/rebuild_scale.py)")
    return measure_rebuild_scale(url, ideas=SCALE_IDEAS, votes=SCALE_VOTES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--seconds", type=int, default=4, help="wrk's load per row, in each round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the load table")
    parser.add_argument(
        "--only",
        choices=["load", "throughput"],
        help="measure only the load table (on the board already seeded; 'throughput' is its "
        "old name), writing var/bench-load.json",
    )
    parser.add_argument(
        "--skip-rebuild-scale", action="store_true", help="leave out the 10M-vote rebuild"
    )
    parser.add_argument(
        "--reseed",
        action="store_true",
        help="drop and seed the bench database when it holds another board (otherwise the "
        "bench stops there)",
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
    if not shutil.which("wrk"):
        log("Installing wrk (the load generator) from Debian's packages")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    prepare_data(args, url, name)

    import django

    django.setup()
    from bench import load
    from ideas.models import Idea
    from votes.models import Vote

    targets = {**TARGETS}
    if args.only:
        vacuum()
        results = {"machine": machine()}
        results |= load.measure_load(rounds=args.rounds, seconds=args.seconds)
        out = ROOT / "var" / "bench-load.json"
        out.write_text(json.dumps(results, indent=2) + "\n")
        report(results, targets | load.targets(results), out)
        return
    fixture = load.prepare_fixture(args.rounds)
    results = {
        "machine": machine(),
        "ideas": Idea.objects.count(),
        "votes": Vote.objects.count(),
        "rebuild_s": round(timed_rebuild(), 3),
    }
    vacuum()
    results |= measure_pages(fixture.commented_ids)
    results["popular_vs_trivial"] = round(results["popular_p50_ms"] / results["trivial_p50_ms"], 2)
    results |= measure_export()
    results |= load.measure_load(rounds=args.rounds, seconds=args.seconds, fx=fixture)
    if args.skip_rebuild_scale:
        results["rebuild_10m_s"] = None
    else:
        # The bench database's URL: rebuild_scale keeps its own board in <name>_bench_rebuild.
        results |= rebuild_scale(url)

    out = ROOT / "var" / "bench.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    report(results, targets | load.targets(results), out)


if __name__ == "__main__":
    main()
