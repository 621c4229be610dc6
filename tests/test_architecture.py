"""The layers hold: import-linter's contracts (pyproject.toml) and the package graph have no
upward import, no two-way pair, no cycle and no import hidden inside a function."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_import_contracts_are_kept():
    result = subprocess.run(
        [BIN / "lint-imports", "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_package_graph_has_no_cycle_and_no_deferred_import():
    result = subprocess.run(
        [sys.executable, "scripts/import_graph.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "two-way pairs: 0" in result.stdout
    assert "cycles: 0" in result.stdout


def test_an_upward_import_is_named_by_the_linter(tmp_path):
    """A domain app importing the pages layer breaks the layers contract, and the message says
    which import did it."""
    copy = tmp_path / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(copy)], cwd=ROOT, check=True)
    try:
        services = copy / "ideas" / "services.py"
        services.write_text("from web.ideas import views  # noqa\n" + services.read_text())
        (copy / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
        result = subprocess.run(
            [BIN / "lint-imports", "--no-cache"], cwd=copy, capture_output=True, text=True
        )
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(copy)], cwd=ROOT, check=True)
    assert result.returncode == 1
    assert "BROKEN" in result.stdout
    assert "ideas.services -> web.ideas.views" in result.stdout
