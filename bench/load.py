"""The load part of `make bench`: request rates measured from outside the process with wrk,
against one gunicorn started as `make run` starts it (`-c python:ideastorm.gunicorn_conf`;
GUNICORN_CMD_ARGS, which gunicorn reads itself, can change it to compare worker models).

Each round measures the API root (/api/, anonymous, a near-trivial view) first, then every row
of ROWS; a row's ratio is its rate over the root's rate in the same round, and the figures are
the medians over the rounds. So a burst of background work on this machine spoils a round, not
the result, and the ratios stay comparable across machines.

Members are logged in the way Client.force_login logs in (a session in the session engine, its
key in the session cookie) and use their API tokens; bench accounts are all named bench-*, and
their votes are removed before each run (bench.run.prepare_data).
"""

import datetime as dt
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

HOST = "127.0.0.1"
WRK_THREADS = 2
WRK_CONNECTIONS = 8
HOT_CONNECTIONS = 50
# A request slower than this counts as a timeout (an error); wrk's default is 2 s.
WRK_TIMEOUT_S = 10
WARM_UP_S = 1

MEMBERS = 8  # bench-member-<n>: logged-in pages and the API as a member
SPREAD_VOTERS = 200  # bench-<n>: votes spread over the board (the names the bench always used)
HOT_VOTERS = 20_000  # bench-hot-<n>: a new voter for every vote on the hot idea
COMMENTED_IDEAS = 50  # the top ideas by Popular, each with at least COMMENTS_PER_IDEA
COMMENTS_PER_IDEA = 20
SIMILAR_TITLES = 50
SEARCH_WORDS = ("battery", "linux", "keyboard", "screen", "warranty", "driver", "fan")
LIVE_VOTES_PER_S = 20  # votes arriving while visitors read Popular
LIVE_IDEAS = 500  # they go to the top of Popular
LIVE_SENDERS = 4  # threads sending them, so a slow answer does not hold up the pace
DEMOTE_SHARE = 0.2

# ratio to the API root (or, for hot_vote, to the spread-out vote rate) that each row must reach
ROOT_TARGETS = {
    "popular_member": 0.5,
    "new_member": 0.5,
    "top_member": 0.5,
    "popular_visitor_live": 0.5,
    "idea_member": 0.33,
    "idea_visitor": 0.33,
    "similar": 0.33,
    "search": 0.33,
    "vote": 0.5,
    "healthz": 0.5,
    "readyz": 0.5,
}
API_SORTS = ("popular", "new", "top", "trending")
for _sort in API_SORTS:
    ROOT_TARGETS[f"api_ideas_{_sort}_visitor"] = 0.5
    ROOT_TARGETS[f"api_ideas_{_sort}_member"] = 0.5
HOT_VS_VOTE_TARGET = 0.5


def log(message: str) -> None:
    print(f"==> {message}", flush=True)


# ---- bench accounts and data --------------------------------------------------------------


def bench_users(prefix: str, count: int) -> list:
    """bench accounts <prefix>0 .. <prefix><count-1>, made in bulk when missing, in that order."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    names = [f"{prefix}{i}" for i in range(count)]
    have = dict(
        User.objects.filter(username__startswith=prefix).values_list("username", "pk").iterator()
    )
    missing = [name for name in names if name not in have]
    if missing:
        password = make_password(None)  # unusable: these accounts never log in with one
        User.objects.bulk_create(
            [User(username=name, password=password) for name in missing],
            batch_size=2000,
            ignore_conflicts=True,
        )
    by_name = {u.username: u for u in User.objects.filter(username__startswith=prefix)}
    return [by_name[name] for name in names]


def bench_tokens(users: list) -> list[str]:
    """The users' API tokens, in the users' order: made in bulk where missing, and anew where
    one would expire within a day (IDEASTORM_API_TOKEN_DAYS). Each is marked as used now, as a
    client's token in use is: its first request then costs no ApiTokenUse write (core.auth
    notes a token's use at most once an hour), as it would not for a member voting already."""
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from core.auth import token_expired
    from core.models import ApiTokenUse

    ids = [u.pk for u in users]
    soon = timezone.now() + dt.timedelta(days=1)
    tokens = {t.user_id: t for t in Token.objects.filter(user_id__in=ids)}
    stale = [t.pk for t in tokens.values() if token_expired(t, soon)]
    if stale:
        Token.objects.filter(pk__in=stale).delete()
    missing = [uid for uid in ids if uid not in tokens or tokens[uid].pk in stale]
    if missing:
        Token.objects.bulk_create(
            [Token(key=Token.generate_key(), user_id=uid) for uid in missing], batch_size=2000
        )
        tokens = {t.user_id: t for t in Token.objects.filter(user_id__in=ids)}
    now = timezone.now()
    ApiTokenUse.objects.bulk_create(
        [ApiTokenUse(token_id=t.pk, last_used_at=now) for t in tokens.values()],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["token"],
        update_fields=["last_used_at"],
    )
    return [tokens[uid].key for uid in ids]


def member_sessions(members: list) -> list[str]:
    """A logged-in session per member, made as Client.force_login makes one (the auth keys in a
    session of settings.SESSION_ENGINE) and recorded as a log-in is (accounts.sessions).
    The last run's bench sessions end first."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone

    from accounts.models import LoginSession
    from accounts.sessions import SEEN_AT, login_session_end, login_session_start, session_store

    for old in LoginSession.objects.filter(user__in=members):
        login_session_end(login_session=old)
    store_class = session_store()
    keys = []
    for user in members:
        session = store_class()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        # Seen just now: LoginSessionMiddleware writes a session's last use every few minutes.
        session[SEEN_AT] = int(timezone.now().timestamp())
        session.create()
        login_session_start(
            user=user,
            session_key=session.session_key,
            expires_at=session.get_expiry_date(),
            device="wrk (make bench)",
            network="127.0.0.0/24",
        )
        keys.append(session.session_key)
    return keys


def ensure_comments(idea_ids: list[int], authors: list) -> int:
    """At least COMMENTS_PER_IDEA visible comments on each idea (some of them replies), made in
    bulk with the fields the idea page reads (body_html as comments.services renders it).
    Returns how many were made."""
    from django.db import transaction
    from django.db.models import Count, Q
    from django.utils import timezone

    from comments.models import Comment
    from core.markdown import render_markdown
    from core.pagecache import board_changed
    from ideas.models import Idea

    visible = Q(comments__hidden_at__isnull=True, comments__held_at__isnull=True)
    visible &= Q(comments__deleted_at__isnull=True)
    counts = dict(
        Idea.objects.filter(pk__in=idea_ids)
        .annotate(n=Count("comments", filter=visible))
        .values_list("pk", "n")
    )
    made = 0
    now = timezone.now()
    rng = random.Random(7)
    with transaction.atomic():
        for idea_id in idea_ids:
            wanted = COMMENTS_PER_IDEA - counts.get(idea_id, 0)
            if wanted <= 0:
                continue
            # Three top-level comments in four, then a reply to each of the first few.
            tops = wanted - wanted // 4
            bodies = [comment_body(rng) for _ in range(wanted)]
            top = Comment.objects.bulk_create(
                [
                    Comment(
                        idea_id=idea_id,
                        author=authors[(idea_id + i) % len(authors)],
                        body=body,
                        body_html=render_markdown(body),
                        created_at=now - dt.timedelta(hours=wanted - i),
                    )
                    for i, body in enumerate(bodies[:tops])
                ]
            )
            Comment.objects.bulk_create(
                [
                    Comment(
                        idea_id=idea_id,
                        author=authors[(idea_id + i + 1) % len(authors)],
                        parent=top[i % len(top)],
                        body=body,
                        body_html=render_markdown(body),
                        created_at=now - dt.timedelta(minutes=30 * (wanted - i)),
                    )
                    for i, body in enumerate(bodies[tops:])
                ]
            )
            made += wanted
        if made:
            board_changed()
    return made


COMMENT_SENTENCES = (
    "Same here: my **battery** drains overnight since the last update.",
    "+1, this would save me a support call every month.",
    "Is there a workaround until this ships? I tried the [forum thread](https://example.com) "
    "steps without luck.",
    "We have 40 of these at work and all of them do it.",
    "Please keep the old behaviour as an option.",
    "The driver from the vendor's site fixes half of it.",
    "Happens on Linux too, kernel 2.6.24.",
    "Would pay for this as an upgrade.",
)


def comment_body(rng: random.Random) -> str:
    return " ".join(rng.sample(COMMENT_SENTENCES, rng.randint(1, 3)))


@dataclass
class Fixture:
    member_cookies: list[str]
    member_tokens: list[str]
    spread_tokens: list[str]
    spread_voter_ids: list[int]
    hot_tokens: list[str]
    hot_voter_ids: list[int]
    votable_ids: list[int]
    commented_ids: list[int]
    similar_paths: list[str]
    search_paths: list[str]
    live_ideas: list[int]
    hot_ideas: list[int]
    demotes: bool
    comments_made: int
    live_voter_next: int = 0


def prepare_fixture(rounds: int) -> Fixture:
    from django.conf import settings

    from board.selectors import board_settings
    from ideas.models import Idea

    log(
        f"Bench accounts: {MEMBERS} members with sessions and tokens, {SPREAD_VOTERS} voters, "
        f"{HOT_VOTERS} hot-idea voters with tokens"
    )
    members = bench_users("bench-member-", MEMBERS)
    spread = bench_users("bench-", SPREAD_VOTERS)
    hot = bench_users("bench-hot-", HOT_VOTERS)
    cookie = settings.SESSION_COOKIE_NAME
    member_cookies = [f"{cookie}={key}" for key in member_sessions(members)]

    visible = Idea.objects.visible()
    top = list(visible.ranked("popular").values_list("pk", "title")[: max(LIVE_IDEAS, 50)])
    commented = [pk for pk, _ in top[:COMMENTED_IDEAS]]
    made = ensure_comments(commented, members)
    log(f"Idea pages: the top {len(commented)} ideas, {COMMENTS_PER_IDEA}+ comments ({made} new)")
    # The hot ideas: one a round, among those with the fewest votes, outside the live ones.
    live = [pk for pk, _ in top[:LIVE_IDEAS]]
    hot_ideas = list(
        visible.exclude(pk__in=live)
        .order_by("promotes", "demotes", "pk")
        .values_list("pk", flat=True)[:rounds]
    )
    return Fixture(
        member_cookies=member_cookies,
        member_tokens=bench_tokens(members),
        spread_tokens=bench_tokens(spread),
        spread_voter_ids=[u.pk for u in spread],
        hot_tokens=bench_tokens(hot),
        hot_voter_ids=[u.pk for u in hot],
        votable_ids=list(visible.order_by("pk").values_list("pk", flat=True)),
        commented_ids=commented,
        similar_paths=[f"/ideas/similar/?title={quote(t)}" for _, t in top[:SIMILAR_TITLES]],
        search_paths=[f"/ideas/?q={quote(w)}" for w in SEARCH_WORDS],
        live_ideas=live,
        hot_ideas=hot_ideas,
        demotes=board_settings().downvotes_enabled,
        comments_made=made,
    )


def record_ranking_job() -> None:
    """A fresh successful run of the ranking job, so /healthz answers 200 (it answers 503 when
    the job has not succeeded lately, as when no Celery beat runs): the job itself, run here."""
    from votes.tasks import reconcile_rankings

    if reconcile_rankings() is None:
        log("The ranking job is running elsewhere: /healthz may answer 503")


# ---- the rows -----------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: what wrk sends. `who` is visitor (nothing), member (a session
    cookie) or token (Authorization: Token). `mode` get chooses a path at random per request;
    vote sends a new vote on a random idea; hot sends every vote to one idea, each by a voter
    that has not voted on it."""

    name: str
    paths: list[str] = field(default_factory=list)
    who: str = "visitor"
    mode: str = "get"
    connections: int = WRK_CONNECTIONS
    live_votes: bool = False
    optional: bool = False  # a 404 on the probe means "not built yet": reported, not measured
    voters: str = "member"  # whose tokens: member, spread (bench-<n>) or hot (bench-hot-<n>)


def rows(fx: Fixture) -> list[Row]:
    def idea_pages():
        return [f"/ideas/{pk}/" for pk in fx.commented_ids]

    result = [
        Row("popular_member", ["/ideas/?sort=popular"], "member"),
        Row("new_member", ["/ideas/?sort=new"], "member"),
        Row("top_member", ["/ideas/?sort=top"], "member"),
        Row("popular_visitor", ["/ideas/?sort=popular"]),
        Row("popular_visitor_live", ["/ideas/?sort=popular"], live_votes=True),
        Row("idea_member", idea_pages(), "member"),
        Row("idea_visitor", idea_pages()),
    ]
    for sort in API_SORTS:
        result.append(Row(f"api_ideas_{sort}_visitor", [f"/api/ideas/?sort={sort}"]))
        result.append(Row(f"api_ideas_{sort}_member", [f"/api/ideas/?sort={sort}"], "token"))
    result += [
        Row("similar", fx.similar_paths, "member"),
        Row("search", fx.search_paths, "member"),
        Row("trivial_auth", ["/bench/trivial-auth/"], "token"),
        Row("vote", who="token", mode="vote", voters="spread"),
        # The spread-out votes again at the hot idea's concurrency: tells contention on one
        # idea from the cost of 50 connections.
        Row("vote_c50", who="token", mode="vote", voters="spread", connections=HOT_CONNECTIONS),
        Row("hot_vote", who="token", mode="hot", voters="hot", connections=HOT_CONNECTIONS),
        Row("healthz", ["/healthz"]),
        Row("readyz", ["/readyz"], optional=True),
    ]
    return result


ROOT_ROW = Row("api_root", ["/api/"])


# ---- wrk ----------------------------------------------------------------------------------

# Lists go in as one string each, split in init(): a Lua function holds a limited number of
# constants, and the idea ids are 100,000.
WRK_SCRIPT = r"""
local mode, expect, seed = %(mode)s, %(expect)d, %(seed)d
local nthreads, demote_share, hot_path = %(threads)d, %(demote_share)s, %(hot_path)s
local raw = {paths = %(paths)s, cookies = %(cookies)s, tokens = %(tokens)s, ideas = %(ideas)s}
local paths, cookies, tokens, ideas = {}, {}, {}, {}
local counter = 0
unexpected = 0
local all_threads = {}

local function split(text, into)
  for item in string.gmatch(text, "[^\n]+") do into[#into + 1] = item end
end

function setup(thread)
  all_threads[#all_threads + 1] = thread
  thread:set("thread_number", #all_threads)
end

function init(args)
  -- Each thread its own random sequence and its own share of the voters: with one seed for
  -- all, every thread would send the same votes, and all but the first copy would be repeats.
  math.randomseed(seed * 1000 + thread_number)
  split(raw.paths, paths)
  split(raw.cookies, cookies)
  split(raw.tokens, tokens)
  split(raw.ideas, ideas)
end

local function pick(list)
  return list[math.random(#list)]
end

function request()
  local n = counter
  counter = counter + 1
  -- n-th request of this thread: the threads take turns through the lists, never the same item.
  local turn = n * nthreads + thread_number - 1
  local headers = {["Host"] = "127.0.0.1"}
  if #cookies > 0 then headers["Cookie"] = cookies[turn %% #cookies + 1] end
  if mode == "get" then
    if #tokens > 0 then headers["Authorization"] = "Token " .. tokens[turn %% #tokens + 1] end
    return wrk.format("GET", pick(paths), headers)
  end
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Token " .. tokens[turn %% #tokens + 1]
  local value = 1
  if math.random() < demote_share then value = -1 end
  local body = '{"value": ' .. value .. '}'
  if mode == "vote" then
    return wrk.format("PUT", "/api/ideas/" .. pick(ideas) .. "/vote/", headers, body)
  end
  return wrk.format("PUT", hot_path, headers, body)
end

function response(status, headers, body)
  if status ~= expect then unexpected = unexpected + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(all_threads) do total = total + (thread:get("unexpected") or 0) end
  io.write(string.format("unexpected statuses: %%d\n", total))
  io.write(string.format("latency p50 us: %%d\n", latency:percentile(50)))
  io.write(string.format("latency p99 us: %%d\n", latency:percentile(99)))
end
"""


def lua_string(items: list) -> str:
    text = "\n".join(str(item) for item in items)
    if not text.isascii():
        raise ValueError("wrk scripts take ASCII only (Lua has no \\u escapes)")
    return json.dumps(text)


@dataclass
class WrkResult:
    rps: float
    requests: int
    errors: int  # statuses other than 200, and socket errors (timeouts included)
    p50_ms: float
    p99_ms: float


def wrk(port: int, row: Row, fx: Fixture, seconds: int, *, seed: int, idea: int = 0) -> WrkResult:
    tokens: list[str] = []
    if row.who == "token":
        tokens = {"spread": fx.spread_tokens, "hot": fx.hot_tokens}.get(
            row.voters, fx.member_tokens
        )
    script = WRK_SCRIPT % {
        "mode": json.dumps(row.mode),
        "expect": 200,
        "seed": seed,
        "threads": WRK_THREADS,
        "demote_share": DEMOTE_SHARE if fx.demotes else 0,
        "hot_path": json.dumps(f"/api/ideas/{idea}/vote/"),
        "paths": lua_string(row.paths),
        "cookies": lua_string(fx.member_cookies if row.who == "member" else []),
        "tokens": lua_string(tokens),
        "ideas": lua_string(fx.votable_ids if row.mode == "vote" else []),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{row.connections}", f"-d{seconds}s"]
    command += [f"--timeout={WRK_TIMEOUT_S}s", "-s", f.name, f"http://{HOST}:{port}/"]
    try:
        done = subprocess.run(command, capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    out = done.stdout
    if done.returncode != 0 or "Requests/sec" not in out:
        sys.exit(f"wrk failed on {row.name}:\n{out}\n{done.stderr}")

    def number(pattern: str) -> int:
        found = re.search(pattern, out)
        return int(found.group(1)) if found else 0

    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    return WrkResult(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        requests=number(r"(\d+) requests in"),
        errors=number(r"unexpected statuses: (\d+)")
        + (sum(int(g) for g in socket_errors.groups()) if socket_errors else 0),
        p50_ms=number(r"latency p50 us: (\d+)") / 1000,
        p99_ms=number(r"latency p99 us: (\d+)") / 1000,
    )


# ---- votes arriving while visitors read ---------------------------------------------------


VISITOR_POPULAR = "/ideas/?sort=popular"
# A card's vote form, then its tally: "<promotes> promote(s), <demotes> demote(s)".
CARD_TALLY = re.compile(r'id="vote-(\d+)".*?title="(\d+) promotes?,', re.DOTALL)
# How often the watcher reads the visitors' page, and how long it waits for a vote at most.
WATCH_EVERY_S = 0.2
WATCH_GIVE_UP_S = 10.0


def page_tallies(port: int) -> dict[int, int]:
    """The promotes of each idea on the visitors' Popular page, as shown."""
    status, body = probe(port, VISITOR_POPULAR, {})
    if status != 200:
        return {}
    return {int(pk): int(n) for pk, n in CARD_TALLY.findall(body.decode())}


class LiveVotes:
    """LIVE_VOTES_PER_S votes a second through the API, paced, each a new (voter, idea) pair:
    the hot-idea voters in turn (never used on the live ideas), on the top ideas of Popular.
    Checks that each answer shows the voter their vote (my_vote), and how long other people
    wait to see one: once a second one of the votes is a promote of an idea on the visitors'
    first page, and a watcher reads that page every WATCH_EVERY_S until its tally shows it."""

    def __init__(self, port: int, fx: Fixture, seed: int):
        self.port, self.fx = port, fx
        self.rng = random.Random(seed)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.local = threading.local()
        self.sent = self.ok = self.failed = self.unconfirmed = 0
        self.latencies: list[float] = []
        self.page_ideas = list(page_tallies(port)) or fx.live_ideas[:20]
        self.watched: list[tuple[int, int, float]] = []  # idea, promotes after, answered at
        self.staleness: list[float] = []  # seconds from a vote's answer to a page showing it
        self.thread = threading.Thread(target=self._pace, daemon=True)
        self.watcher = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self):
        self.started = time.monotonic()
        self.thread.start()
        self.watcher.start()
        return self

    def __exit__(self, *exc):
        self.stopped_at = time.monotonic()
        self.stop.set()
        self.thread.join()
        self.elapsed = time.monotonic() - self.started
        self.watcher.join()

    def _pace(self) -> None:
        with ThreadPoolExecutor(LIVE_SENDERS) as pool:
            n = 0
            while not self.stop.is_set():
                due = self.started + n / LIVE_VOTES_PER_S
                wait = due - time.monotonic()
                if wait > 0 and self.stop.wait(wait):
                    break
                voter = self.fx.live_voter_next
                self.fx.live_voter_next += 1
                watch = n % LIVE_VOTES_PER_S == 0
                if watch:
                    idea, value = self.rng.choice(self.page_ideas), 1
                else:
                    idea = self.rng.choice(self.fx.live_ideas)
                    value = -1 if self.fx.demotes and self.rng.random() < DEMOTE_SHARE else 1
                token = self.fx.hot_tokens[voter % len(self.fx.hot_tokens)]
                pool.submit(self._send, token, idea, value, watch)
                n += 1

    def _send(self, token: str, idea: int, value: int, watch: bool) -> None:
        started = time.perf_counter()
        try:
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
            headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
            conn.request("PUT", f"/api/ideas/{idea}/vote/", json.dumps({"value": value}), headers)
            response = conn.getresponse()
            body = response.read()
            ok = response.status == 200
            state = json.loads(body) if ok else {}
            confirmed = ok and state.get("my_vote") == value
        except (OSError, http.client.HTTPException, ValueError):
            self.local.conn = None
            ok = confirmed = False
        answered = time.monotonic()
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.sent += 1
            self.ok += ok
            self.failed += not ok
            self.unconfirmed += ok and not confirmed
            self.latencies.append(elapsed)
            if watch and confirmed:
                self.watched.append((idea, state["promotes"], answered))

    def _watch(self) -> None:
        """Read the visitors' page until every watched vote shows (or WATCH_GIVE_UP_S passed;
        a vote whose idea left the first page is not judged)."""
        while True:
            stopping = self.stop.is_set()
            shown = page_tallies(self.port)
            seen_at = time.monotonic()
            with self.lock:
                waiting = []
                for idea, promotes, answered in self.watched:
                    if idea in shown and shown[idea] >= promotes:
                        self.staleness.append(max(0.0, seen_at - answered))
                    elif seen_at - answered > WATCH_GIVE_UP_S:
                        if idea in shown:
                            self.staleness.append(seen_at - answered)
                    else:
                        waiting.append((idea, promotes, answered))
                self.watched = waiting
            if stopping and (not waiting or seen_at - self.stopped_at > WATCH_GIVE_UP_S):
                return
            time.sleep(WATCH_EVERY_S)


# ---- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


GUNICORN_ARGS = ["ideastorm.wsgi:application", "-c", "python:ideastorm.gunicorn_conf"]


SHAPE = """
import sys
from gunicorn.app.wsgiapp import WSGIApplication
sys.argv = ["gunicorn", *sys.argv[1:]]
cfg = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg
print(f"gunicorn {cfg.worker_class_str}, {cfg.workers} processes x {cfg.threads} threads")
"""


def server_shape(port: int) -> str:
    """The settings gunicorn will run with: its config file, then GUNICORN_CMD_ARGS, then the
    command line, read as gunicorn reads them, in a process of their own (the config sets up
    the metrics folder, which must come before prometheus_client is imported, as it is here)."""
    result = subprocess.run(
        [sys.executable, "-c", SHAPE, *GUNICORN_ARGS, "--bind", f"{HOST}:{port}"],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


class Server:
    """gunicorn as `make run` starts it (scripts/run.sh), on a free port; the environment is
    passed on whole, GUNICORN_CMD_ARGS included."""

    def __init__(self):
        self.port = free_port()
        self.shape = server_shape(self.port)

    def __enter__(self):
        command = [str(BIN / "gunicorn"), *GUNICORN_ARGS, "--bind", f"{HOST}:{self.port}"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=dict(os.environ), stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection((HOST, self.port), timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    sys.exit("gunicorn did not start")
                time.sleep(0.2)

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def probe(port: int, path: str, headers: dict) -> tuple[int, bytes]:
    """One request, redirects not followed (a member page that redirects to the log-in page
    is a failure, not a 200)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": HOST, **headers})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def probe_rows(port: int, fx: Fixture, all_rows: list[Row]) -> set[str]:
    """Every GET row answers 200 before it is loaded, or the bench stops here; an optional row
    that answers 404 is reported missing. Members' pages must show them logged in."""
    missing = set()
    for row in [ROOT_ROW, *all_rows]:
        if row.mode != "get":
            continue
        headers = {}
        if row.who == "member":
            headers["Cookie"] = fx.member_cookies[0]
        elif row.who == "token":
            headers["Authorization"] = f"Token {fx.member_tokens[0]}"
        status, body = probe(port, row.paths[0], headers)
        if status == 404 and row.optional:
            log(f"{row.paths[0]} answers 404: {row.name} is reported missing, not measured")
            missing.add(row.name)
            continue
        if status != 200:
            sys.exit(f"{row.name}: GET {row.paths[0]} answered {status}:\n{body[:500]!r}")
        if row.who == "member" and b"<html" in body and b"bench-member-0" not in body:
            sys.exit(f"{row.name}: GET {row.paths[0]} is not the member's page (not logged in?)")
    return missing


# ---- counts -------------------------------------------------------------------------------


def mismatched_ideas(since: dt.datetime) -> int:
    """Ideas voted on since then whose promotes/demotes differ from their counted votes (a
    read: rankings_reconcile, afterwards, repairs and reports the same)."""
    from django.db import connection

    sql = """
        SELECT COUNT(*) FROM ideas_idea i
        LEFT JOIN (
            SELECT idea_id, COUNT(*) FILTER (WHERE value = 1) AS p,
                   COUNT(*) FILTER (WHERE value = -1) AS d
            FROM votes_vote
            WHERE quarantine_id IS NULL
              AND idea_id IN (SELECT id FROM ideas_idea WHERE last_voted_at >= %s)
            GROUP BY idea_id
        ) v ON v.idea_id = i.id
        WHERE i.last_voted_at >= %s
          AND (i.promotes <> COALESCE(v.p, 0) OR i.demotes <> COALESCE(v.d, 0))
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [since, since])
        return cursor.fetchone()[0]


def hot_counts_exact(idea_ids: list[int]) -> bool:
    from django.db.models import Count, Q

    from ideas.models import Idea
    from votes.models import Vote

    counted = {
        row["idea_id"]: (row["p"], row["d"])
        for row in Vote.objects.filter(idea_id__in=idea_ids, quarantine__isnull=True)
        .values("idea_id")
        .annotate(p=Count("pk", filter=Q(value=1)), d=Count("pk", filter=Q(value=-1)))
    }
    stored = dict(
        (pk, (p, d))
        for pk, p, d in Idea.objects.filter(pk__in=idea_ids).values_list(
            "pk", "promotes", "demotes"
        )
    )
    return all(stored[pk] == counted.get(pk, (0, 0)) for pk in idea_ids)


# ---- the measurement ----------------------------------------------------------------------


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def measure_load(*, rounds: int, seconds: int, fx: Fixture | None = None) -> dict:
    from django.db import connections
    from django.utils import timezone

    from votes.models import Vote
    from votes.rebuild import rankings_reconcile

    fx = fx or prepare_fixture(rounds)
    all_rows = rows(fx)
    record_ranking_job()
    connections.close_all()  # the server's workers are the ones to hold connections now
    server = Server()
    log(
        f"Load: {server.shape}; wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} (hot_vote, vote_c50: "
        f"-c{HOT_CONNECTIONS}); {rounds} rounds of {seconds}s per row, the API root first in "
        f"each; GUNICORN_CMD_ARGS={os.environ.get('GUNICORN_CMD_ARGS', '')!r}"
    )
    raw: dict[str, list[WrkResult]] = {row.name: [] for row in [ROOT_ROW, *all_rows]}
    live_stats = {"sent": 0, "ok": 0, "failed": 0, "unconfirmed": 0, "seconds": 0.0}
    live_stats |= {"ms": [], "stale": []}
    checks = []  # mismatched ideas after each load that votes
    load_start = timezone.now()
    with server:
        port = server.port
        missing = probe_rows(port, fx, all_rows)
        measured = [row for row in all_rows if row.name not in missing]
        log("Warm-up: every row but the votes, then a few member votes")
        for row in [ROOT_ROW, *measured]:
            if row.mode == "get":
                wrk(port, row, fx, WARM_UP_S, seed=0)
        # Votes by the members, left out of the figures (they also prepare each worker's
        # first-vote statement).
        wrk(port, Row("warm-up", who="token", mode="vote", voters="member"), fx, WARM_UP_S, seed=0)
        for n in range(rounds):
            log(f"Round {n + 1} of {rounds}")
            for i, row in enumerate([ROOT_ROW, *measured]):
                # A seed per row and round: two loads that vote never send the same votes.
                seed = 1 + 100 * n + i
                if row.live_votes:
                    with LiveVotes(port, fx, seed) as live:
                        result = wrk(port, row, fx, seconds, seed=seed)
                    for key in ("sent", "ok", "failed", "unconfirmed"):
                        live_stats[key] += getattr(live, key)
                    live_stats["seconds"] += live.elapsed
                    live_stats["ms"] += live.latencies
                    live_stats["stale"] += live.staleness
                else:
                    idea = fx.hot_ideas[n % len(fx.hot_ideas)] if row.mode == "hot" else 0
                    result = wrk(port, row, fx, seconds, seed=seed, idea=idea)
                raw[row.name].append(result)
                if row.mode != "get" or row.live_votes:
                    checks.append(mismatched_ideas(load_start - dt.timedelta(seconds=5)))
    hot_ideas = fx.hot_ideas[: min(rounds, len(fx.hot_ideas))]
    exact = hot_counts_exact(hot_ideas)
    drift = rankings_reconcile(since=load_start - dt.timedelta(seconds=5))
    results = summarise(raw, all_rows, missing)
    spread_written = Vote.objects.filter(voter_id__in=fx.spread_voter_ids).count()
    hot_written = Vote.objects.filter(voter_id__in=fx.hot_voter_ids, idea_id__in=hot_ideas).count()
    results |= {
        "server": server.shape,
        "gunicorn_cmd_args": os.environ.get("GUNICORN_CMD_ARGS", ""),
        "load_rounds": rounds,
        "load_seconds_per_row": seconds,
        "vote_requests": sum(r.requests for name in ("vote", "vote_c50") for r in raw[name]),
        "votes_written": spread_written,
        "hot_vote_requests": sum(r.requests for r in raw["hot_vote"]),
        "hot_votes_written": hot_written,
        "hot_vote_counts_exact": exact,
        "popular_visitor_live_votes_sent": live_stats["sent"],
        "popular_visitor_live_votes_failed": live_stats["failed"] + live_stats["unconfirmed"],
        "popular_visitor_live_votes_per_s": round(live_stats["ok"] / live_stats["seconds"], 1)
        if live_stats["seconds"]
        else None,
        "popular_visitor_live_vote_p50_ms": round(median(live_stats["ms"]), 1)
        if live_stats["ms"]
        else None,
        # How long after a vote's answer the visitors' page showed it: the slowest, and how
        # many votes were watched (one a second, on ideas of the first page).
        "popular_visitor_live_stale_max_s": round(max(live_stats["stale"]), 2)
        if live_stats["stale"]
        else None,
        "popular_visitor_live_stale_watched": len(live_stats["stale"]),
        "load_counts_mismatched": max(checks, default=0),
        "vote_counts_checked": drift["checked"],
        "vote_counts_drifted": drift["repaired"],
    }
    return results


def summarise(raw: dict[str, list[WrkResult]], all_rows: list[Row], missing: set[str]) -> dict:
    root = raw[ROOT_ROW.name]
    out = {
        "api_root_rps": round(median([r.rps for r in root]), 1),
        "api_root_errors": sum(r.errors for r in root),
        "api_root_load_p50_ms": round(median([r.p50_ms for r in root]), 2),
    }
    rounds: dict[str, list] = {"api_root": [round(r.rps) for r in root]}

    def ratio(name: str, over: str) -> float | None:
        pairs = zip(raw[name], raw[over], strict=True)
        return median([a.rps / b.rps for a, b in pairs if b.rps])

    for row in all_rows:
        if row.name in missing:
            out |= {
                f"{row.name}_rps": None,
                f"{row.name}_vs_root": None,
                f"{row.name}_missing": True,
            }
            continue
        results = raw[row.name]
        vs_root = ratio(row.name, ROOT_ROW.name)
        out |= {
            f"{row.name}_rps": round(median([r.rps for r in results]), 1),
            f"{row.name}_vs_root": round(vs_root, 2) if vs_root is not None else None,
            f"{row.name}_errors": sum(r.errors for r in results),
            # wrk's median latency ("_load_": the in-process figures are <page>_p50_ms)
            f"{row.name}_load_p50_ms": round(median([r.p50_ms for r in results]), 1),
        }
        rounds[row.name] = [round(r.rps) for r in results]
    out["hot_vote_vs_vote"] = round(ratio("hot_vote", "vote"), 2)
    out["hot_vote_vs_vote_c50"] = round(ratio("hot_vote", "vote_c50"), 2)
    out["vote_vs_trivial_auth"] = round(ratio("vote", "trivial_auth"), 2)
    out["load_rps_rounds"] = rounds
    out["load_rows"] = [ROOT_ROW.name, *(row.name for row in all_rows)]
    return out


ROW_SUFFIXES = ("rps", "vs_root", "errors", "load_p50_ms", "missing")


def row_keys(results: dict) -> set[str]:
    """The keys of the per-request figures, which print_rows shows as a table of their own."""
    names = results.get("load_rows", [])
    return {f"{name}_{suffix}" for name in names for suffix in ROW_SUFFIXES}


def print_rows(results: dict, goals: dict[str, str], holds) -> dict[str, str]:
    """The request rates, a line per row, with the ratio's target and whether it holds.
    Returns the verdicts."""
    names = results.get("load_rows", [])
    if not names:
        return {}
    rounds, seconds = results.get("load_rounds"), results.get("load_seconds_per_row")
    width = max(len(name) for name in names) + 1
    print()
    print(f"requests: wrk from outside the process, median of {rounds} rounds of {seconds}s")
    print(
        f"{'request':<{width}} {'rps':>8} {'vs root':>8}  {'target':<8}  {'holds':<7} "
        f"{'errors':>6} {'p50 ms':>8}"
    )
    print(f"{'-' * width} {'-' * 8} {'-' * 8}  {'-' * 8}  {'-' * 7} {'-' * 6} {'-' * 8}")
    verdicts = {}
    for name in names:
        rps, ratio = results.get(f"{name}_rps"), results.get(f"{name}_vs_root")
        if name == ROOT_ROW.name:
            ratio = 1.0
        key = f"{name}_vs_root"
        target, verdict = goals.get(key, ""), ""
        if target:
            held = holds(ratio, target)
            verdict = "missing" if results.get(f"{name}_missing") else "n/a"
            if held is not None:
                verdict = "holds" if held else "MISSES"
            verdicts[key] = verdict

        def shown(value) -> str:
            return "-" if value is None else str(value)

        print(
            f"{name:<{width}} {shown(rps):>8} {shown(ratio):>8}  {target:<8}  {verdict:<7} "
            f"{shown(results.get(f'{name}_errors')):>6} "
            f"{shown(results.get(f'{name}_load_p50_ms')):>8}"
        )
    return verdicts


def targets(results: dict) -> dict[str, str]:
    """The load figures' targets, as run.py prints them."""
    found = {f"{name}_vs_root": f">= {goal}" for name, goal in ROOT_TARGETS.items()}
    found["hot_vote_vs_vote"] = f">= {HOT_VS_VOTE_TARGET}"
    found["hot_vote_counts_exact"] = "true"
    found["load_counts_mismatched"] = "0"
    found["popular_visitor_live_votes_failed"] = "0"
    found["popular_visitor_live_stale_max_s"] = "<= 2"
    return {key: goal for key, goal in found.items() if key in results}
