"""`make run`'s script, for real (scripts/run.sh on the embedded default, in a temporary var/):
the URL comes last, the terminal stays quiet (no traceback, not even for a 403, no Celery
banner, no SIGKILL), and Ctrl-C stops every process it started."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    not (ROOT / ".venv/bin/gunicorn").exists() or sys.platform != "linux",
    reason="needs the installed .venv (make install) on Linux",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, output) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout:.0f}s; output:\n{output()}")
        time.sleep(0.2)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_run_prints_the_url_last_stays_quiet_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    log = tmp_path / "run.log"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "IDEASTORM_DEMO"}
    }
    env |= {"PORT": str(port), "IDEASTORM_VAR_DIR": str(tmp_path / "var"), "WEB_CONCURRENCY": "2"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", "scripts/run.sh"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a process group of its own, as a terminal gives
        )
    output = log.read_text
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: "Press Ctrl-C to stop." in output(), 90, "no URL", output)
        assert urllib.request.urlopen(f"{base}/", timeout=10).status == 200

        # An ordinary 403: alice (a member) on the moderation queue.
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = browser.open(f"{base}/accounts/login/", timeout=10).read().decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"username": "alice", "password": "ideastorm-demo", "csrfmiddlewaretoken": csrf}
        browser.open(f"{base}/accounts/login/", urllib.parse.urlencode(form).encode(), timeout=10)
        with pytest.raises(urllib.error.HTTPError) as refused:
            browser.open(f"{base}/moderation/", timeout=10)
        assert refused.value.code == 403
        time.sleep(1)  # what the server would print about it
    finally:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
        try:
            process.wait(timeout=30)
        finally:
            if group_alive(process.pid):
                os.killpg(process.pid, signal.SIGKILL)
    wait_for(lambda: not group_alive(process.pid), 10, "processes left after Ctrl-C", output)

    text = output()
    lines = text.rstrip().splitlines()
    url_line = next(i for i, line in enumerate(lines) if "IdeaStorm is running at" in line)
    assert f"IdeaStorm is running at {base}" in lines[url_line]
    # The URL and the logins come last: after them, only the stop.
    assert lines[-2:] == ["==> Stopping (gunicorn, Celery worker, Celery beat)", "==> Stopped"]
    assert "demo mode" in text
    assert "Traceback" not in text
    assert "SIGKILL" not in text and "out of memory" not in text
    assert "-------------- celery@" not in text and "celery beat v" not in text
    assert "Booting worker" not in text  # gunicorn's INFO lines
