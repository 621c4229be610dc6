"""The full ranking rebuild at scale: `manage.py recompute_rankings` over 10,000,000 votes on
1,000,000 ideas, timed, with the peak memory of its process, then run again with nothing to
change, then checked for exactness against the votes table.

Usage: python bench/rebuild_scale.py [--ideas N] [--votes N]
DATABASE_URL names the PostgreSQL server and a database; this uses its own, <name>_rebuild,
kept between runs (seeding it takes minutes) and seeded anew when it holds another board.

The board is seeded in SQL, not by seed_demo: users, ideas and votes from generate_series in a
few statements, the votes in the order of their time (as a real board fills its table, so an
idea's votes lie all over it), with the secondary indexes built after the load. The ideas'
figures are left at 0, and put back to 0 when the board is reused (then VACUUM FULL, so the
table is laid out as when seeded), so the first rebuild has every idea to write. The search
documents (ideas_ideasearch) are not made: nothing the rebuild runs reads them.

Peak memory is the ru_maxrss of the manage.py process itself, from os.wait4 on its pid: exact,
and not mixed with the other children this process ran (migrate).
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SUFFIX = "_rebuild"
USERS = 50_000
CATEGORIES = ("Notebooks", "Desktops", "Displays", "Accessories", "Software", "Support")
# Votes go to this share of the ideas; the others have none (a rebuild must zero them too).
VOTED_SHARE = 0.95
# Idea popularity: the idea ranked r of m gets V*((r/m)^a - ((r-1)/m)^a) votes, a long tail.
POPULARITY_EXPONENT = 0.5
# Vote times: this share in the last 24 hours and this share in the 14 days before, so the
# trending job has ideas to score; the rest any time between the idea's creation and now.
LAST_DAY_SHARE = 0.01
LAST_FORTNIGHT_SHARE = 0.04
DEMOTE_SHARE = 0.2
BOARD_DAYS = 365
# Multipliers that spread ideas over the id range and voters over the users: coprime to the
# counts they are taken modulo (checked), so each gives distinct values.
IDEA_STRIDE = 999_983
VOTER_STRIDE = 7_919
# The seed's own session: sorts and index builds in memory (the machine has the RAM; the
# server's defaults are for serving).
SEED_WORK_MEM = "1GB"
SEED_MAINTENANCE_WORK_MEM = "1GB"
_started = time.monotonic()


def log(message: str) -> None:
    """A progress line, with the seconds since the measurement began."""
    print(f"==> [{time.monotonic() - _started:7.1f}s] {message}", flush=True)


def rebuild_database(url: str) -> tuple[str, str]:
    """The URL and name of this bench's database: the given one's name + _rebuild."""
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        sys.exit("The rebuild bench needs PostgreSQL: DATABASE_URL=postgres://USER@HOST/NAME")
    name = (parsed.path.lstrip("/") or "ideastorm") + SUFFIX
    return parsed._replace(path=f"/{name}").geturl(), name


def connect(url: str, dbname: str | None = None):
    """An autocommit connection to the URL's database, or to `dbname` on its server."""
    import psycopg2

    parsed = urlparse(url)
    conn = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname=dbname or parsed.path.lstrip("/"),
    )
    conn.autocommit = True
    return conn


def database_exists(url: str, name: str) -> bool:
    conn = connect(url, "postgres")
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        conn.close()


def recreate_database(url: str, name: str) -> None:
    conn = connect(url, "postgres")
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def child_env(url: str) -> dict:
    """The environment of the manage.py processes: the bench settings on this database, and no
    Redis (the rebuild's page-cache bumps would otherwise reach the pages the main bench
    caches for its own board)."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "IDEAS_RATE_LIMITS": "off",
        "DJANGO_DEBUG": "false",
    }
    env.pop("REDIS_URL", None)
    if not env.get("DJANGO_SECRET_KEY"):
        env["DJANGO_SECRET_KEY"] = (ROOT / "var" / "secret_key").read_text().strip()
    return env


def migrate(url: str) -> None:
    subprocess.run(
        [str(BIN / "python"), "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=child_env(url),
        check=True,
    )


def board_size(conn) -> tuple[int, int]:
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM ideas_idea), (SELECT COUNT(*) FROM votes_vote)"
        )
        return cursor.fetchone()


class Seeder:
    """The board's users, categories, ideas and votes, in set-based SQL on one connection."""

    def __init__(self, conn, *, ideas: int, votes: int):
        self.conn, self.ideas, self.votes = conn, ideas, votes
        self.voted = max(1, math.ceil(ideas * VOTED_SHARE))
        self.exponent = self._exponent()
        for stride, modulus in ((IDEA_STRIDE, ideas), (VOTER_STRIDE, USERS)):
            if math.gcd(stride, modulus) != 1:
                sys.exit(f"{stride} is not coprime to {modulus}: pick other sizes")

    def _exponent(self) -> float:
        """POPULARITY_EXPONENT, raised if need be so the most popular idea gets no more votes
        than there are users (one vote per user and idea)."""
        if self.votes > 0.9 * USERS * self.voted:
            sys.exit(f"{self.votes} votes do not fit {self.voted} ideas x {USERS} users")
        top = self.votes / self.voted**POPULARITY_EXPONENT
        if top <= 0.9 * USERS or self.voted < 2:
            return POPULARITY_EXPONENT
        return math.log(self.votes / (0.9 * USERS)) / math.log(self.voted)

    def run(self) -> None:
        with self.conn.cursor() as cursor:
            cursor.execute(f"SET work_mem = '{SEED_WORK_MEM}'")
            cursor.execute(f"SET maintenance_work_mem = '{SEED_MAINTENANCE_WORK_MEM}'")
            # Skips the foreign-key triggers: the ids below are made to exist.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SELECT setseed(0.42)")
            self.cursor = cursor
            self._step(f"users: {USERS}", self._users)
            self._step(f"categories: {len(CATEGORIES)}", self._categories)
            self._step(
                f"ideas: {self.ideas}", lambda: without_indexes(cursor, "ideas_idea", self._ideas)
            )
            self._step(
                f"votes: {self.votes} (secondary indexes built after)",
                lambda: without_indexes(cursor, "votes_vote", self._votes),
            )
            cursor.execute("SET session_replication_role = DEFAULT")
            for table in ("accounts_user", "ideas_category", "ideas_idea", "votes_vote"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )

    def _step(self, label: str, work) -> None:
        started = time.monotonic()
        log(f"Seeding {label}")
        work()
        log(f"  {label.split(':')[0]} done in {time.monotonic() - started:.1f}s")

    def _users(self) -> None:
        self.cursor.execute(
            """
            INSERT INTO accounts_user (id, password, is_superuser, username, first_name,
                last_name, email, is_staff, is_active, date_joined, auto_follow, email_frequency,
                ban_reason, recorded_customer, segment, session_epoch, is_demo)
            SELECT n, '!', false, 'scale-' || n, '', '', '', false, true,
                   now() - interval '400 days', false, 'never', '', false, '', 0, false
              FROM generate_series(1, %s) AS n
            """,
            [USERS],
        )

    def _categories(self) -> None:
        for position, name in enumerate(CATEGORIES):
            self.cursor.execute(
                "INSERT INTO ideas_category (id, name, slug, description, position) "
                "VALUES (%s, %s, %s, '', %s)",
                [position + 1, name, name.lower(), position],
            )

    def _ideas(self) -> None:
        """Ideas 1..N, created over the last year (a fixed function of the id), a few of them
        answered, some hidden; every figure 0."""
        self.cursor.execute(
            f"""
            INSERT INTO ideas_idea (id, title, description, description_html, status,
                created_at, updated_at, promotes, demotes, score, popular_key, wilson, trend,
                last_voted_at, author_id, category_id, response, response_html, hidden_at)
            SELECT n, 'Scale idea ' || n, '', '',
                   CASE WHEN n % 20 = 0 THEN 'implemented' WHEN n % 25 = 0 THEN 'planned'
                        ELSE 'new' END,
                   c, c, 0, 0, 0, 0.0, 0.0, 0.0, NULL, 1 + (n * 7) % {USERS},
                   1 + n % {len(CATEGORIES)}, '', '',
                   CASE WHEN n % 101 = 0 THEN c END
              FROM (SELECT n, {self._idea_created("n")} AS c
                      FROM generate_series(1, {self.ideas}) AS n) AS s
            """
        )

    @staticmethod
    def _idea_created(n: str) -> str:
        fraction = f"((({n})::bigint * 2654435761) % 1000003) / 1000003.0"
        return f"(now() - {fraction} * interval '{BOARD_DAYS} days')"

    def _votes(self) -> None:
        """Idea of rank r (1..m) is idea 1 + (r-1)*IDEA_STRIDE mod N and gets its share of the
        votes, from distinct voters (k*VOTER_STRIDE mod USERS differs for k below USERS).
        Inserted in time order, so an idea's votes lie all over the table, as on a real
        board."""
        m, v, a = self.voted, self.votes, self.exponent
        count = (
            f"(FLOOR({v} * POWER(r::float8 / {m}, {a!r})) "
            f"- FLOOR({v} * POWER((r - 1)::float8 / {m}, {a!r})))::int"
        )
        created = self._idea_created(f"1 + ((r - 1) * {IDEA_STRIDE}::bigint) % {self.ideas}")
        self.cursor.execute(
            f"""
            INSERT INTO votes_vote (value, created_at, idea_id, voter_id, network,
                                    recorded_note, cleared)
            SELECT value, created_at, idea_id, voter_id, '', '', false FROM (
                SELECT CASE WHEN random() < {DEMOTE_SHARE!r} THEN -1 ELSE 1 END AS value,
                       CASE WHEN u < {LAST_DAY_SHARE!r}
                                THEN GREATEST(c, now() - random() * interval '1 day')
                            WHEN u < {LAST_DAY_SHARE + LAST_FORTNIGHT_SHARE!r}
                                THEN GREATEST(c, now() - (1 + random() * 14) * interval '1 day')
                            ELSE c + random() * (now() - c)
                       END AS created_at,
                       idea_id, 1 + (r * 7 + k * {VOTER_STRIDE}) % {USERS} AS voter_id
                  FROM (
                        -- random() in this subquery's list keeps it from being flattened:
                        -- one draw per vote, read by both branches above.
                        SELECT ranked.*, k, random() AS u
                          FROM (SELECT r, 1 + ((r - 1) * {IDEA_STRIDE}::bigint) % {self.ideas}
                                          AS idea_id,
                                       {created} AS c, {count} AS n
                                  FROM generate_series(1, {m}) AS r) AS ranked
                         CROSS JOIN LATERAL generate_series(0, ranked.n - 1) AS k
                       ) AS drawn
            ) AS votes
            ORDER BY created_at
            """
        )


def without_indexes(cursor, table: str, load) -> None:
    """Run `load` with the table's secondary indexes (and unique constraints) dropped, then
    build them again under their own names: one sorted build beats millions of inserts into
    each."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid), c.conname, pg_get_constraintdef(c.oid)
          FROM pg_index x
          JOIN pg_class i ON i.oid = x.indexrelid
          LEFT JOIN pg_constraint c
                 ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
                AND c.contype IN ('u', 'x')
         WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
        """,
        [table],
    )
    indexes = cursor.fetchall()
    for index, _, constraint, _ in indexes:
        if constraint:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
        else:
            cursor.execute(f'DROP INDEX "{index}"')
    load()
    started = time.monotonic()
    for _, index_sql, constraint, constraint_sql in indexes:
        if constraint:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {constraint_sql}')
        else:
            cursor.execute(index_sql)
    log(f"  {len(indexes)} indexes of {table} built in {time.monotonic() - started:.1f}s")


def reset_figures(conn) -> int:
    """Put every idea's figures back to 0 and the table back to its seeded layout (VACUUM
    FULL: no free space in its pages; indexes built anew): the first rebuild then writes every
    idea, as on a board just seeded, and one run's figures compare with another's. Done with
    the secondary indexes dropped, which is minutes faster than updating them."""
    reset = 0

    def reset_and_compact() -> None:
        nonlocal reset
        cursor.execute(
            """
            UPDATE ideas_idea SET promotes = 0, demotes = 0, score = 0, popular_key = 0.0,
                   wilson = 0.0, trend = 0.0, last_voted_at = NULL
             WHERE promotes <> 0 OR demotes <> 0 OR popular_key <> 0.0 OR wilson <> 0.0
                OR trend <> 0.0 OR last_voted_at IS NOT NULL
            """
        )
        reset = cursor.rowcount
        cursor.execute("VACUUM FULL ideas_idea")

    with conn.cursor() as cursor:
        cursor.execute(f"SET maintenance_work_mem = '{SEED_MAINTENANCE_WORK_MEM}'")
        without_indexes(cursor, "ideas_idea", reset_and_compact)
        cursor.execute("RESET maintenance_work_mem")
    return reset


def vacuum(conn) -> None:
    """VACUUM ANALYZE the tables the rebuild reads and writes (this machine's PostgreSQL runs
    no autovacuum): visibility and statistics as a server that runs it would have them. Then a
    CHECKPOINT, so the pages the seed or the reset dirtied are not written out during the
    measurement (skipped without the right to run one)."""
    import psycopg2

    with conn.cursor() as cursor:
        for table in ("ideas_idea", "votes_vote", "accounts_user", "ideas_category"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        try:
            cursor.execute("CHECKPOINT")
        except psycopg2.Error as exc:
            log(f"  no CHECKPOINT: {exc.pgerror or exc}".rstrip())


def timed_recompute(url: str) -> tuple[float, float, str]:
    """Run `manage.py recompute_rankings`: its wall time, the peak RSS of its process (MB,
    from os.wait4's rusage of that very child: exact, whatever other children this process
    ran before) and its output."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [str(BIN / "python"), "manage.py", "recompute_rankings"],
        cwd=ROOT,
        env=child_env(url),
        stdout=subprocess.PIPE,
        text=True,
    )
    lines = []
    for line in child.stdout:
        lines.append(line)
        print(f"    | {line.rstrip()}", flush=True)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    child.stdout.close()
    output = "".join(lines)
    if child.returncode:
        sys.exit(f"manage.py recompute_rankings failed ({child.returncode})")
    return elapsed, usage.ru_maxrss / 1024, output  # ru_maxrss is in KiB on Linux


def phases(output: str) -> dict[str, float]:
    """The seconds per phase that recompute_rankings prints ("... (12.34s)")."""
    found = {}
    for name, label in (
        ("rebuild", "counts, keys"),
        ("trending", "trending"),
        ("snapshot", "top requests"),
    ):
        match = re.search(rf"^\s*{label}.*\(([\d.]+)s\)\s*$", output, re.MULTILINE)
        if match:
            found[name] = float(match.group(1))
    return found


def drifted(conn) -> int:
    """Ideas whose promotes or demotes differ from their (unquarantined) votes: 0 expected."""
    with conn.cursor() as cursor:
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute(
            """
            SELECT COUNT(*)
              FROM ideas_idea i
              LEFT JOIN (SELECT idea_id, COUNT(*) FILTER (WHERE value = 1) AS p,
                                COUNT(*) FILTER (WHERE value = -1) AS d
                           FROM votes_vote WHERE quarantine_id IS NULL
                          GROUP BY idea_id) AS v ON v.idea_id = i.id
             WHERE i.promotes <> COALESCE(v.p, 0) OR i.demotes <> COALESCE(v.d, 0)
            """
        )
        count = cursor.fetchone()[0]
        cursor.execute("RESET work_mem")
        return count


def prepare(url: str, name: str, *, ideas: int, votes: int) -> float | None:
    """Reuse the database if it holds this board (figures reset to 0), else seed it. Returns
    the seconds seeding took, or None when reused."""
    if database_exists(url, name):
        migrate(url)
        conn = connect(url)
        try:
            found = board_size(conn)
            if found == (ideas, votes):
                log(f"Reusing {name}: {ideas} ideas, {votes} votes; figures back to 0")
                log(f"  {reset_figures(conn)} ideas reset")
                return None
            log(f"{name} holds {found[0]} ideas and {found[1]} votes: seeding it anew")
        finally:
            conn.close()
    started = time.monotonic()
    log(f"Creating {name}")
    recreate_database(url, name)
    migrate(url)
    conn = connect(url)
    try:
        Seeder(conn, ideas=ideas, votes=votes).run()
        found = board_size(conn)
    finally:
        conn.close()
    if found != (ideas, votes):
        sys.exit(f"Seeded {found[0]} ideas and {found[1]} votes, not {ideas} and {votes}")
    seconds = time.monotonic() - started
    log(f"Seeded {ideas} ideas and {votes} votes in {seconds:.1f}s")
    return seconds


def measure_rebuild_scale(url: str, *, ideas: int = 1_000_000, votes: int = 10_000_000) -> dict:
    """Seed (or reuse) <name>_rebuild, then time the full rebuild twice and check it."""
    global _started
    _started = time.monotonic()
    url, name = rebuild_database(url)
    seed_s = prepare(url, name, ideas=ideas, votes=votes)
    conn = connect(url)
    try:
        log("VACUUM ANALYZE, CHECKPOINT")
        vacuum(conn)
        log("Full rebuild: manage.py recompute_rankings (every idea to write)")
        first_s, first_rss, first_out = timed_recompute(url)
        log(f"  {first_s:.2f}s, peak RSS {first_rss:.1f} MB")
        log("Full rebuild again: manage.py recompute_rankings (nothing changed)")
        again_s, again_rss, again_out = timed_recompute(url)
        log(f"  {again_s:.2f}s, peak RSS {again_rss:.1f} MB")
        log("Exactness: counters against the votes table")
        drift = drifted(conn)
        ideas_found, votes_found = board_size(conn)
    finally:
        conn.close()
    results = {
        "rebuild_10m_ideas": ideas_found,
        "rebuild_10m_votes": votes_found,
        "rebuild_10m_s": round(first_s, 2),
        "rebuild_10m_again_s": round(again_s, 2),
        "rebuild_10m_peak_rss_mb": round(max(first_rss, again_rss), 1),
        "rebuild_10m_drifted": drift,
        "rebuild_10m_phases_s": phases(first_out),
        "rebuild_10m_again_phases_s": phases(again_out),
    }
    if seed_s is not None:
        results["rebuild_10m_seed_s"] = round(seed_s, 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ideas", type=int, default=1_000_000)
    parser.add_argument("--votes", type=int, default=10_000_000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/ideastorm"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings", IDEAS_RATE_LIMITS="off", DJANGO_DEBUG="false"
    )
    if not os.environ.get("DJANGO_SECRET_KEY"):
        os.environ["DJANGO_SECRET_KEY"] = (ROOT / "var" / "secret_key").read_text().strip()
    os.chdir(ROOT)
    print(json.dumps(measure_rebuild_scale(url, ideas=args.ideas, votes=args.votes), indent=2))


if __name__ == "__main__":
    main()
