"""The load balancer and pooler configurations `make cluster-test` runs (deploy/haproxy.cfg,
deploy/pgbouncer/), and its reading of the systemd units, checked without starting a cluster."""

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import need

ROOT = Path(__file__).resolve().parent.parent
HAPROXY = shutil.which("haproxy") or (
    "/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None
)


def _units():
    spec = importlib.util.spec_from_file_location(
        "cluster_units", ROOT / "scripts/cluster/units.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_haproxy_config_is_valid(tmp_path):
    need(HAPROXY is not None, "haproxy is not installed (apt-get install haproxy)")
    env = {
        **os.environ,
        "IDEASTORM_LB_BIND": "127.0.0.1:8080",
        "IDEASTORM_HOST": "ideas.example.com",
        "WEB1": "10.0.0.11:8000",
        "WEB2": "10.0.0.12:8000",
        "WEB3": "10.0.0.13:8000",
        "HAPROXY_STATS_SOCKET": str(tmp_path / "haproxy.sock"),
    }
    result = subprocess.run(
        [HAPROXY, "-c", "-f", str(ROOT / "deploy/haproxy.cfg")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Valid is not enough: a warning ("will never match") means a rule does nothing.
    assert "WARNING" not in result.stdout + result.stderr, result.stdout + result.stderr


def test_haproxy_checks_readiness_and_replays_only_idempotent_requests():
    config = (ROOT / "deploy/haproxy.cfg").read_text()
    assert "uri /readyz" in config
    assert "http-check expect status 200" in config
    assert "retry-on conn-failure empty-response response-timeout 502 503 504" in config
    assert (
        "http-request disable-l7-retry unless METH_GET or METH_HEAD or METH_PUT or METH_DELETE"
        in config
    )
    assert "http-request del-header X-Forwarded-For" in config


def test_pgbouncer_pools_by_transaction():
    settings = {}
    section = ""
    for raw in (ROOT / "deploy/pgbouncer/pgbouncer.ini").read_text().splitlines():
        line = raw.strip()
        if line.startswith("["):
            section = line
        elif line and not line.startswith(";") and section == "[pgbouncer]":
            key, _, value = line.partition("=")
            settings[key.strip()] = value.strip()
    assert settings["pool_mode"] == "transaction"
    assert settings["auth_type"] == "scram-sha-256"


@pytest.mark.parametrize(
    ("unit", "instance", "expected"),
    [
        (
            "ideastorm-web.service",
            "",
            "{root}/.venv/bin/gunicorn ideastorm.wsgi:application "
            "-c python:ideastorm.gunicorn_conf --bind 10.0.0.11:8000",
        ),
        (
            "ideastorm-worker@.service",
            "webhooks",
            "{root}/.venv/bin/celery -A ideastorm worker -Q ideastorm.webhooks -n webhooks@node1 "
            "--concurrency 1 --without-gossip --without-mingle --loglevel INFO",
        ),
        ("ideastorm-beat.service", "", "{root}/.venv/bin/celery -A ideastorm beat --loglevel INFO"),
    ],
)
def test_cluster_test_runs_the_units_exec_start(unit, instance, expected):
    """scripts/cluster reads ExecStart from the unit: the unit's defaults, then the caller's
    environment, /opt/ideastorm replaced by the checkout."""
    path = ROOT / "deploy/systemd" / unit
    argv = _units().unit_command(
        path,
        root=Path("/srv/x"),
        environ={"IDEASTORM_BIND": "10.0.0.11:8000", "IDEASTORM_WORKER_CONCURRENCY": "1"},
        instance=instance,
        host="node1",
    )
    assert argv == expected.format(root="/srv/x").split()
