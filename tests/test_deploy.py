"""deploy/ runs what the code expects: the systemd units, compose.yaml and the image start
commands that exist and parse, every queue the Celery app routes to has a worker, the image runs
as a user other than root with a health check that passes against a ready server, and nginx
accepts deploy/nginx.conf.

No Docker engine runs here: the image is linted (hadolint) and compose.yaml checked against the
Compose schema, neither is built or started."""

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands, load_command_class
from django.db import connection

from ideastorm.celery import app
from tests.conftest import need

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
BIN = Path(sys.executable).parent
# Where the units expect the checkout; the tests substitute the repository for it.
INSTALL_DIR = "/opt/ideastorm"
# The deployment's queue prefix (IDEASTORM_CELERY_QUEUE's default).
PREFIX = "ideastorm"


# --- The Celery app's queues -------------------------------------------------------------------


def _short(queue: str) -> str:
    """A queue's short name (periodic, email...): the app's own prefix may be a test's."""
    prefix = app.conf.task_default_queue.rpartition(".")[0]
    assert queue.startswith(f"{prefix}."), f"{queue} does not start with the prefix {prefix}."
    return queue.removeprefix(f"{prefix}.")


def declared_queues() -> set[str]:
    return {_short(q.name) for q in app.conf.task_queues or ()}


def routed_queues() -> set[str]:
    """The queues the app's tasks and beat entries are sent to."""
    app.loader.import_default_modules()
    names = [name for name in app.tasks if not name.startswith("celery.")]
    assert names, "The Celery app found no tasks."
    routed = {_short(app.amqp.router.route({}, name)["queue"].name) for name in names}
    for entry in app.conf.beat_schedule.values():
        options = dict(entry.get("options", {}))
        routed.add(_short(app.amqp.router.route(options, entry["task"])["queue"].name))
    return routed


def test_every_task_goes_to_a_declared_queue_and_every_queue_gets_tasks():
    assert routed_queues() == declared_queues()
    assert _short(app.conf.task_default_queue) == "periodic"


# --- systemd -----------------------------------------------------------------------------------


def unit(name: str) -> list[tuple[str, str, str]]:
    """A unit file's (section, key, value) lines, in order (keys may repeat)."""
    section, entries = "", []
    for line in (UNITS / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        assert not line.endswith("\\"), f"{name}: one line per setting: {line}"
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        entries.append((section, key, value))
    return entries


def values(entries: list[tuple[str, str, str]], key: str) -> list[str]:
    return [value for _, k, value in entries if k == key]


def defaults(entries: list[tuple[str, str, str]]) -> dict[str, str]:
    """The unit's Environment= values, which ideastorm.env may override."""
    return dict(v.split("=", 1) for v in values(entries, "Environment"))


def exec_starts(name: str, instance: str = "periodic") -> list[list[str]]:
    """The unit's ExecStart lines as the test harness runs them: the repository for
    /opt/ideastorm, the instance for %i, this host for %H, the unit's defaults for ${VAR}."""
    entries = unit(name)
    env = defaults(entries)
    commands = []
    for line in values(entries, "ExecStart"):
        line = line.replace(INSTALL_DIR, str(ROOT)).replace("%i", instance)
        line = line.replace("%H", socket.gethostname())
        commands.append(shlex.split(re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], line)))
    return commands


SERVICES = sorted(p.name for p in UNITS.glob("*.service"))
WORKER = "ideastorm-worker@.service"


def test_the_units_are_there():
    assert {"ideastorm-web.service", WORKER, "ideastorm-beat.service"} <= set(SERVICES)


@pytest.mark.parametrize("name", SERVICES)
def test_unit_follows_the_interface(name):
    entries = unit(name)
    assert values(entries, "User") == ["ideastorm"]
    assert values(entries, "WorkingDirectory") == [INSTALL_DIR]
    assert values(entries, "EnvironmentFile") == ["/etc/ideastorm/ideastorm.env"]
    keys = [key for _, key, _ in entries]
    # The file overrides the unit's defaults only if it comes after them.
    assert all(keys.index("EnvironmentFile") > i for i, k in enumerate(keys) if k == "Environment")
    for command in values(entries, "ExecStart"):
        argv = shlex.split(command)
        assert argv[0].startswith(f"{INSTALL_DIR}/.venv/bin/"), "The venv's command, no shell."
        assert set(re.findall(r"%.", command)) <= {"%i", "%H"}, "The harness knows only these."
        missing = set(re.findall(r"\$\{(\w+)\}", command)) - defaults(entries).keys()
        assert not missing, f"Without an Environment= default these expand to nothing: {missing}"


@pytest.mark.parametrize("name", SERVICES)
def test_unit_commands_exist_and_accept_their_arguments(name):
    for argv in exec_starts(name):
        program = Path(argv[0])
        assert os.access(program, os.X_OK), f"{program} is not in the venv."
        if program.name == "python":
            # manage.py's commands: parsed, not run (they would change the configured database).
            assert argv[1] == "manage.py"
            command = load_command_class(get_commands()[argv[2]], argv[2])
            command.create_parser("manage.py", argv[2]).parse_args(argv[3:])
            continue
        if program.name == "gunicorn":
            continue  # run for real below
        # Celery loads the app and parses the options.
        result = subprocess.run(
            [program, *argv[1:], "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, f"{argv}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"


def test_web_unit_command_serves_readyz_and_stops_on_sigterm(db, tmp_path):
    need(connection.vendor == "postgresql", "PostgreSQL is not configured (set DATABASE_URL)")
    (argv,) = exec_starts("ideastorm-web.service")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    argv[argv.index("--bind") + 1] = f"127.0.0.1:{port}"
    # The test database, which has every migration.
    database = connection.settings_dict
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    address = f"{database['HOST']}:{database['PORT']}/{database['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}{password}@{address}",
        "DJANGO_SECRET_KEY": "test-deploy-web-unit",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "IDEASTORM_VAR_DIR": str(tmp_path),
        "WEB_CONCURRENCY": "1",
    }
    server = subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, "gunicorn exited"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "/readyz did not answer 200 within 30 s"
                time.sleep(0.2)
        # systemd's stop: SIGTERM to the master (KillMode=mixed), which must exit in time.
        server.send_signal(signal.SIGTERM)
        timeout = int(values(unit("ideastorm-web.service"), "TimeoutStopSec")[0])
        assert server.wait(timeout=timeout) == 0
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_worker_instances_cover_every_queue():
    # The instances the unit tells the operator to enable.
    enabled = set(re.findall(r"ideastorm-worker@(\w+)", (UNITS / WORKER).read_text()))
    assert enabled == declared_queues()
    for instance in enabled:
        (argv,) = exec_starts(WORKER, instance)
        assert argv[argv.index("-Q") + 1] == f"{PREFIX}.{instance}"


def test_stop_timeouts_outlast_the_work_they_wait_for():
    worker = int(values(unit(WORKER), "TimeoutStopSec")[0])
    assert worker > settings.CELERY_TASK_TIME_LIMIT
    web = int(values(unit("ideastorm-web.service"), "TimeoutStopSec")[0])
    # Read, not imported: importing gunicorn_conf sets up gunicorn's metrics for this process.
    conf = (ROOT / "ideastorm" / "gunicorn_conf.py").read_text()
    assert web > int(re.search(r"^graceful_timeout = (\d+)$", conf, re.M).group(1))


def test_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    need(analyze is not None, "systemd-analyze is not installed (Debian's systemd package)")
    for name in SERVICES:
        text = (UNITS / name).read_text().replace(INSTALL_DIR, str(ROOT))
        # A template is verified as an instance.
        (tmp_path / name.replace("@.", "@periodic.")).write_text(text)
    result = subprocess.run(
        [analyze, "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Unknown keys and bad values are warnings only: the output must be empty too.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


# --- compose.yaml ------------------------------------------------------------------------------


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_has_a_worker_for_every_queue():
    consumed = set()
    for service in compose()["services"].values():
        argv = shlex.split(service.get("command") or "")
        if argv[:4] == ["celery", "-A", "ideastorm", "worker"]:
            consumed |= set(argv[argv.index("-Q") + 1].split(","))
    assert consumed == {f"{PREFIX}.{q}" for q in declared_queues()}


def test_compose_starts_the_app_after_the_migration():
    services = compose()["services"]
    image = services["migrate"]["image"]
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    app_services = [name for name, s in services.items() if s.get("image") == image]
    assert {"web", "beat", "worker-periodic"} <= set(app_services)
    for name in app_services:
        if name != "migrate":
            condition = services[name]["depends_on"]["migrate"]["condition"]
            assert condition == "service_completed_successfully", name
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"][0] == "CMD", name
    assert "healthcheck" not in services["web"]  # the image's own, on /readyz


def test_compose_web_scales():
    web = compose()["services"]["web"]
    assert "container_name" not in web
    assert "ports" not in web, "A fixed host port allows one web container."


def test_compose_workers_get_time_to_finish_their_tasks():
    for name, service in compose()["services"].items():
        if name.startswith("worker-"):
            minutes, seconds = re.fullmatch(r"(\d+)m(\d+)s", service["stop_grace_period"]).groups()
            assert int(minutes) * 60 + int(seconds) > settings.CELERY_TASK_TIME_LIMIT, name


def test_compose_matches_the_compose_schema():
    result = subprocess.run(
        [
            BIN / "check-jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            DEPLOY / "compose.yaml",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- The image ---------------------------------------------------------------------------------


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """Each stage's (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    lines = [
        line
        for line in (DEPLOY / "Dockerfile").read_text().splitlines()
        if not line.lstrip().startswith("#")
    ]
    stages: list[list[tuple[str, str]]] = []
    for instruction in re.split(r"\n(?=\S)", "\n".join(lines).replace("\\\n", " ")):
        if not instruction.strip():
            continue
        keyword, _, rest = instruction.strip().partition(" ")
        if keyword.upper() == "FROM":
            stages.append([])
        stages[-1].append((keyword.upper(), rest.strip()))
    return stages


def final_stage(keyword: str) -> list[str]:
    return [rest for k, rest in dockerfile_stages()[-1] if k == keyword]


def healthcheck_command() -> list[str]:
    (healthcheck,) = final_stage("HEALTHCHECK")
    return json.loads(healthcheck.split(" CMD ", 1)[1])


def test_image_is_multi_stage_on_a_pinned_slim_python():
    stages = dockerfile_stages()
    assert len(stages) >= 2
    assert stages[-1][0] == ("FROM", "python:3.11-slim-bookworm")


def test_image_runs_as_a_user_other_than_root():
    user = final_stage("USER")[-1].split(":")[0]
    assert user not in {"root", "0"}


def test_image_keeps_no_secret_key():
    for stage in dockerfile_stages():
        for keyword, rest in stage:
            if keyword in {"ENV", "ARG"}:
                assert "DJANGO_SECRET_KEY" not in rest


def test_image_serves_web_as_the_unit_does():
    assert final_stage("EXPOSE") == ["8000"]
    (cmd,) = final_stage("CMD")
    unit_argv = shlex.split(values(unit("ideastorm-web.service"), "ExecStart")[0])
    assert json.loads(cmd) == [
        Path(unit_argv[0]).name,
        *unit_argv[1:-1],
        "0.0.0.0:8000",
    ]


@pytest.mark.django_db(transaction=True)
def test_image_health_check_passes_on_a_ready_server_named_in_allowed_hosts(live_server, settings):
    program, *args = healthcheck_command()
    assert program == "python" and "/readyz" in args[-1]
    args[-1] = args[-1].replace("http://127.0.0.1:8000", live_server.url)
    settings.ALLOWED_HOSTS = [".ideas.example.com"]

    def check(allowed_hosts: str) -> int:
        env = {**os.environ, "DJANGO_ALLOWED_HOSTS": allowed_hosts}
        return subprocess.run(
            [sys.executable, *args], env=env, capture_output=True, timeout=30
        ).returncode

    # The check sends the first allowed host, wildcard dot and all: Django refuses others.
    assert check(".ideas.example.com,localhost") == 0
    assert check("other.example.com") != 0


def test_hadolint_passes():
    result = subprocess.run(
        [BIN / "hadolint", DEPLOY / "Dockerfile"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- nginx -------------------------------------------------------------------------------------


def test_nginx_accepts_the_conf(tmp_path):
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    need(nginx is not None, "nginx is not installed (apt-get install nginx)")
    openssl = shutil.which("openssl")
    need(openssl is not None, "openssl is not installed")
    key, cert = tmp_path / "privkey.pem", tmp_path / "fullchain.pem"
    request = shlex.split("req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=ideas.example.com")
    subprocess.run(
        [openssl, *request, "-keyout", key, "-out", cert],
        check=True,
        capture_output=True,
        timeout=60,
    )
    (tmp_path / "static").mkdir()
    conf = (DEPLOY / "nginx.conf").read_text()
    # The production paths, here in tmp_path; each must be in the file for the copy to be safe.
    for old, new in {
        "/opt/ideastorm/var/staticfiles/": f"{tmp_path}/static/",
        "/run/nginx.pid": f"{tmp_path}/nginx.pid",
        "/var/log/nginx/": f"{tmp_path}/",
        "/etc/ssl/ideastorm/": f"{tmp_path}/",
        "http {\n": "http {\n"
        + "".join(
            f"    {kind}_temp_path {tmp_path}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        ),
    }.items():
        assert old in conf, old
        conf = conf.replace(old, new)
    (tmp_path / "nginx.conf").write_text(conf)
    result = subprocess.run(
        [nginx, "-t", "-p", tmp_path, "-c", tmp_path / "nginx.conf", "-e", tmp_path / "error.log"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
