"""openapi-typescript types the live schema, openapi-fetch calls it: ts/journey.ts (the journey
of conftest) is compiled with `tsc --strict` against the generated types and run with Node.
The packages come from ts/package-lock.json, installed by `make install` into var/."""

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import need

HERE = Path(__file__).parent
NODE_CLIENTS = settings.BASE_DIR / "var" / "node-clients"
BIN = NODE_CLIENTS / "node_modules" / ".bin"
TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "noUncheckedIndexedAccess": True,
        "target": "es2022",
        "module": "nodenext",
        "moduleResolution": "nodenext",
        "lib": ["es2022", "dom"],
        "types": ["node"],
        "outDir": "out",
    },
    "files": ["journey.ts"],
}
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def workdir():
    """A folder inside var/node-clients, so that Node and tsc find the packages installed
    there; removed afterwards."""
    need(shutil.which("node") is not None, "Node.js is missing (apt-get install -y nodejs npm)")
    need(
        (BIN / "tsc").exists() and (BIN / "openapi-typescript").exists(),
        "the TypeScript client packages are not installed (make install runs npm ci into "
        "var/node-clients from tests/api/clients/ts)",
    )
    folder = NODE_CLIENTS / f"run-{uuid.uuid4().hex[:12]}"
    folder.mkdir()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def run(command: list, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def test_the_journey_through_the_typescript_client(live_schema, cast, workdir):
    generated = run([BIN / "openapi-typescript", live_schema, "-o", "schema.d.ts"], workdir)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    shutil.copy(HERE / "ts" / "journey.ts", workdir / "journey.ts")
    (workdir / "package.json").write_text(json.dumps({"type": "module", "private": True}))
    (workdir / "tsconfig.json").write_text(json.dumps(TSCONFIG))

    compiled = run([BIN / "tsc", "--strict", "-p", "."], workdir)
    assert compiled.returncode == 0, f"tsc --strict found errors:\n{compiled.stdout}"

    journey = run(["node", "out/journey.js"], workdir, env={**os.environ, "CAST": cast.as_json()})
    assert journey.returncode == 0, journey.stdout + journey.stderr
    assert "journey complete" in journey.stdout
