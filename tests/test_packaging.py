"""A wheel of the project holds every app the project owns, with its migrations, management
commands and template tags, and the demo board's JSON data, and leaves the tests out.

The wheel is built from a copy of the work tree, so that setuptools' build/ and *.egg-info
leftovers neither land in the repository nor leak stale modules into the next build. It needs
setuptools >= 70.1 in the environment (the dev extras bring it: `make install`)."""

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
# Not the project's source, or leftovers of earlier builds that would end up in the wheel.
NOT_COPIED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "var",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "node_modules",
)
INSTALLED = {Path(sysconfig.get_paths()[key]).resolve() for key in ("purelib", "platlib")}


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    """The names of the files in a wheel built from the work tree."""
    tmp = tmp_path_factory.mktemp("packaging")
    source, out = tmp / "source", tmp / "dist"
    shutil.copytree(ROOT, source, ignore=NOT_COPIED)
    command = [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation"]
    result = subprocess.run(
        [*command, "--quiet", "--disable-pip-version-check", "-w", str(out)],
        cwd=source,
        env={**os.environ, "PIP_NO_INPUT": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode:
        pytest.fail(
            f"pip wheel failed ({result.returncode}); `make install` brings the setuptools it "
            f"needs.\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def _owned(path: Path) -> bool:
    """Whether a module's file is the project's: in the repository, not installed into it."""
    path = path.resolve()
    return path.is_relative_to(ROOT) and not any(path.is_relative_to(p) for p in INSTALLED)


def _in_wheel(path: Path) -> str:
    return path.resolve().relative_to(ROOT).as_posix()


def _app_files(app_path: Path) -> list[str]:
    """What an app needs at run time that a packaging mistake would leave out."""
    files = [app_path / "__init__.py"]
    for folder in ("migrations", "management/commands", "templatetags"):
        files += sorted((app_path / folder).glob("*.py"))
    return [_in_wheel(f) for f in files]


def test_project_apps_are_told_from_installed_ones():
    owned = {c.name for c in apps.get_app_configs() if _owned(Path(c.path))}
    assert {"accounts", "ideas", "votes", "demo"} <= owned
    assert not owned & {"django.contrib.auth", "rest_framework"}


def test_every_project_app_ships_whole(wheel_names):
    missing = {}
    for config in apps.get_app_configs():
        if not _owned(Path(config.path)):
            continue
        if lost := [f for f in _app_files(Path(config.path)) if f not in wheel_names]:
            missing[config.name] = lost
    assert not missing, "apps missing from the wheel, in whole or in part: " + "; ".join(
        f"{app} ({len(files)} files, e.g. {', '.join(files[:3])})" for app, files in missing.items()
    )


def test_project_modules_ship(wheel_names):
    # settings.SETTINGS_MODULE reads None under an override_settings.
    wsgi = settings.WSGI_APPLICATION.rpartition(".")[0]
    modules = [os.environ["DJANGO_SETTINGS_MODULE"], settings.ROOT_URLCONF, wsgi]
    files = [_in_wheel(Path(import_module(m).__file__)) for m in modules]
    assert [f for f in files if f not in wheel_names] == []


def test_demo_data_ships(wheel_names):
    data = [_in_wheel(f) for f in sorted((ROOT / "demo" / "data").glob("*.json"))]
    assert data, "no demo/data/*.json in the repository"
    assert [f for f in data if f not in wheel_names] == []


def test_tests_stay_out(wheel_names):
    assert sorted(n for n in wheel_names if n.split("/")[0] in {"tests", "bench"}) == []
