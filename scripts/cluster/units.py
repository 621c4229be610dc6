"""The command a systemd unit in deploy/systemd runs, so the cluster test starts the web, worker
and beat nodes exactly as the units do.

The units keep ExecStart to one line with no shell, and only these substitutions (see
deploy/systemd): /opt/ideastorm is the install root, %i the instance, %H the host name, ${VAR}
an environment variable (the unit's own Environment= lines, then the caller's environment)."""

import re
import shlex
from pathlib import Path

INSTALL_ROOT = "/opt/ideastorm"


def unit_service(path: Path) -> tuple[str, dict[str, str]]:
    """The unit's ExecStart line and its Environment= defaults."""
    exec_start, defaults, section = None, {}, ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        if section != "[Service]" or "=" not in line:
            continue
        key, _, value = line.partition("=")
        if key == "ExecStart":
            if exec_start is not None:
                raise ValueError(f"{path}: more than one ExecStart")
            exec_start = value.strip()
        elif key == "Environment":
            for item in shlex.split(value):
                name, _, setting = item.partition("=")
                defaults[name] = setting
    if not exec_start:
        raise ValueError(f"{path}: no ExecStart in [Service]")
    if exec_start.endswith("\\"):
        raise ValueError(f"{path}: ExecStart must be one line")
    return exec_start.lstrip("-+!@:"), defaults


def unit_command(
    path: Path, *, root: Path, environ: dict[str, str], instance: str = "", host: str = ""
) -> list[str]:
    """argv for the unit's ExecStart, run from `root` instead of /opt/ideastorm."""
    exec_start, defaults = unit_service(path)
    env = {**defaults, **environ}
    text = exec_start.replace(INSTALL_ROOT, str(root))
    text = text.replace("%i", instance).replace("%H", host).replace("%%", "%")
    leftover = re.search(r"%[a-zA-Z]", text)
    if leftover:
        raise ValueError(f"{path}: specifier {leftover.group()} is not supported")

    def variable(match: re.Match) -> str:
        name = match.group(1)
        if name not in env:
            raise ValueError(f"{path}: ExecStart uses ${{{name}}}, which is not set")
        return env[name]

    return [re.sub(r"\$\{(\w+)\}", variable, word) for word in shlex.split(text)]


def unit_environment(path: Path) -> dict[str, str]:
    return unit_service(path)[1]
