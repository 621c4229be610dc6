"""The schema that other people's tools generate clients from (docs/api.md).

docs/openapi.yaml is the committed schema: the live one (/api/schema/) must equal it, and
`make schema` rewrites it. When they differ, a breaking change (an operation removed or
renamed, a schema or a property removed, a type changed or narrowed, a request field newly
required) also needs a new `info.version` (SPECTACULAR_SETTINGS["VERSION"]) and a heading for
that version in docs/API-CHANGELOG.md. The same check runs between the schema committed in git
(HEAD) and the file in the working tree, so regenerating without a bump is caught before the
commit. The tests generating real clients are in tests/api/clients."""

import re
import shutil
import subprocess

import pytest
import yaml
from django.conf import settings

ROOT = settings.BASE_DIR
COMMITTED = ROOT / "docs" / "openapi.yaml"
CHANGELOG = ROOT / "docs" / "API-CHANGELOG.md"
METHODS = ("get", "put", "post", "patch", "delete")
REGENERATE = "Run `make schema` to rewrite docs/openapi.yaml from the code, and commit it."

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(api) -> dict:
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


# ---- breaking changes ----


def _kind(schema: dict) -> tuple:
    """What a value is: its type and format, or the schemas it refers to."""
    refs = [s.get("$ref") for key in ("allOf", "oneOf", "anyOf") for s in schema.get(key, [])]
    return schema.get("type"), schema.get("format"), schema.get("$ref"), tuple(refs)


def _narrowed(old: dict, new: dict) -> list[str]:
    """How `new` accepts or promises less than `old`, property by property."""
    found = []
    if _kind(old) != _kind(new):
        found.append(f"type {_kind(old)} is now {_kind(new)}")
    lost = set(old.get("enum") or []) - set(new.get("enum") or old.get("enum") or [])
    if lost or ("enum" in new and "enum" not in old):
        found.append(f"enum narrowed (lost {sorted(lost, key=str)})")
    if old.get("nullable") and not new.get("nullable"):
        found.append("no longer nullable")
    new_properties = new.get("properties", {})
    for name, schema in old.get("properties", {}).items():
        if name not in new_properties:
            found.append(f"removed property {name}")
        else:
            found += [f"{name}: {change}" for change in _narrowed(schema, new_properties[name])]
    if "items" in old and "items" in new:
        found += [f"items: {change}" for change in _narrowed(old["items"], new["items"])]
    return found


def _operation_narrowed(old: dict, new: dict) -> list[str]:
    """An operation's id, parameters, body types and success schemas, old against new."""
    found = []
    if new["operationId"] != old["operationId"]:
        found.append(f"operationId {old['operationId']} is now {new['operationId']}")
    new_parameters = {(p["in"], p["name"]): p for p in new.get("parameters", [])}
    for parameter in old.get("parameters", []):
        key = (parameter["in"], parameter["name"])
        if key not in new_parameters:
            found.append(f"removed {key[0]} parameter {key[1]}")
            continue
        changes = _narrowed(parameter.get("schema", {}), new_parameters[key].get("schema", {}))
        found += [f"{key[0]} parameter {key[1]}: {change}" for change in changes]
    new_body = new.get("requestBody", {}).get("content", {})
    for media_type in old.get("requestBody", {}).get("content", {}):
        if media_type not in new_body:
            found.append(f"no longer takes {media_type}")
    for status, response in old["responses"].items():
        old_json = response.get("content", {}).get("application/json")
        if not status.startswith("2") or not old_json:
            continue
        new_json = new["responses"].get(status, {}).get("content", {}).get("application/json")
        if not new_json:
            found.append(f"{status} no longer answers JSON")
        else:
            changes = _narrowed(old_json.get("schema", {}), new_json.get("schema", {}))
            found += [f"{status}: {change}" for change in changes]
    return found


def breaking_changes(old: dict, new: dict) -> list[str]:
    found = []
    new_operations = dict(operations(new))
    for name, operation in operations(old):
        if name not in new_operations:
            found.append(f"removed {name}")
        else:
            changes = _operation_narrowed(operation, new_operations[name])
            found += [f"{name}: {change}" for change in changes]
    new_schemas = new["components"]["schemas"]
    for name, schema in old["components"]["schemas"].items():
        if name not in new_schemas:
            found.append(f"removed schema {name}")
            continue
        found += [f"{name}: {change}" for change in _narrowed(schema, new_schemas[name])]
        if name.endswith("Request"):  # what clients send: a new required field breaks them
            required = set(new_schemas[name].get("required", [])) - set(schema.get("required", []))
            found += [f"{name}: {field} is now required" for field in sorted(required)]
    return found


def version_problems(old: dict, new: dict) -> list[str]:
    """What a breaking change from `old` to `new` still lacks."""
    version = new["info"]["version"]
    problems = []
    if version == old["info"]["version"]:
        problems.append(
            f"bump SPECTACULAR_SETTINGS['VERSION'] (ideastorm/settings.py) from {version}"
        )
    changelog = CHANGELOG.read_text() if CHANGELOG.exists() else ""
    if not re.search(rf"^## .*\b{re.escape(version)}\b", changelog, re.MULTILINE):
        problems.append(f"add a '## {version}' section to docs/API-CHANGELOG.md saying what broke")
    return problems


def test_the_live_schema_is_the_committed_one(live):
    committed = yaml.safe_load(COMMITTED.read_text())
    if live == committed:
        return
    message = ["The live schema differs from docs/openapi.yaml."]
    breaking = breaking_changes(committed, live)
    problems = version_problems(committed, live) if breaking else []
    if problems:
        message += ["It breaks clients:", *(f"  - {change}" for change in breaking)]
        message += ["First:", *(f"  - {problem}" for problem in problems)]
    message.append(REGENERATE)
    pytest.fail("\n".join(message), pytrace=False)


def test_a_breaking_change_since_the_last_commit_is_versioned():
    """The committed file against git's HEAD: `make schema` without a bump is caught too."""
    if shutil.which("git") is None:
        return
    shown = subprocess.run(
        ["git", "show", "HEAD:docs/openapi.yaml"], cwd=ROOT, capture_output=True, text=True
    )
    if shown.returncode != 0:  # not a git checkout, or no schema committed yet
        return
    before, now = yaml.safe_load(shown.stdout), yaml.safe_load(COMMITTED.read_text())
    breaking = breaking_changes(before, now) if before != now else []
    problems = version_problems(before, now) if breaking else []
    assert not problems, "\n".join(
        ["docs/openapi.yaml breaks clients since the last commit:"]
        + [f"  - {change}" for change in breaking]
        + [f"  - then {problem}, and run `make schema`" for problem in problems]
    )


def test_breaking_changes_are_recognised():
    old = {
        "info": {"version": "1.0.0"},
        "paths": {
            "/a/": {
                "get": {
                    "operationId": "a_list",
                    "parameters": [
                        {"in": "path", "name": "id", "schema": {"type": "string"}},
                        {"in": "query", "name": "q", "schema": {"type": "string"}},
                    ],
                    "requestBody": {"content": {"application/json": {}, "multipart/form-data": {}}},
                    "responses": {},
                },
                "post": {"operationId": "a_make", "responses": {}},
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string", "nullable": True},
                        "kind": {"type": "string", "enum": ["x", "y"]},
                        "gone": {"type": "string"},
                    },
                },
                "ThingRequest": {"type": "object", "properties": {"name": {"type": "string"}}},
                "Old": {"type": "object"},
            }
        },
    }
    new = {
        "info": {"version": "1.0.0"},
        "paths": {
            "/a/": {
                "get": {
                    "operationId": "a_index",
                    "parameters": [{"in": "path", "name": "id", "schema": {"type": "integer"}}],
                    "requestBody": {"content": {"application/json": {}}},
                    "responses": {},
                }
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "kind": {"type": "string", "enum": ["x"]},
                        "extra": {"type": "string"},
                    },
                },
                "ThingRequest": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}},
                    "required": ["name"],
                },
            }
        },
    }
    assert breaking_changes(old, new) == [
        "GET /a/: operationId a_list is now a_index",
        "GET /a/: path parameter id: type ('string', None, None, ())"
        " is now ('integer', None, None, ())",
        "GET /a/: removed query parameter q",
        "GET /a/: no longer takes multipart/form-data",
        "removed POST /a/",
        "Thing: id: type ('integer', None, None, ()) is now ('string', None, None, ())",
        "Thing: name: no longer nullable",
        "Thing: kind: enum narrowed (lost ['y'])",
        "Thing: removed property gone",
        "ThingRequest: name is now required",
        "removed schema Old",
    ]
    assert breaking_changes(old, old) == []
    # An addition breaks nothing.
    assert breaking_changes(new, {**new, "paths": {**new["paths"], "/b/": {}}}) == []
    assert version_problems(old, new)[0].startswith("bump SPECTACULAR_SETTINGS['VERSION']")


# ---- what generators need ----


def test_request_bodies_are_json_only(live):
    for name, operation in operations(live):
        if "requestBody" in operation:
            assert list(operation["requestBody"]["content"]) == ["application/json"], name


def test_every_success_is_typed(live):
    for name, operation in operations(live):
        successes = {k: v for k, v in operation["responses"].items() if k.startswith("2")}
        assert successes, name
        for status, response in successes.items():
            if status == "204":
                assert "content" not in response, name
            else:
                assert response["content"], f"{name} {status} has no schema"
                for media in response["content"].values():
                    assert media.get("schema"), f"{name} {status} has no schema"


def test_operation_ids_are_unique_and_path_based(live):
    ids = [operation["operationId"] for _, operation in operations(live)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", operation_id) for operation_id in ids)


def test_logging_in_needs_no_credentials_and_reading_is_open(live):
    assert "security" not in live["paths"]["/api/auth/token/"]["post"]
    assert {} in live["paths"]["/api/ideas/"]["get"]["security"]
    assert {} not in live["paths"]["/api/ideas/"]["post"]["security"]
    assert {} not in live["paths"]["/api/notifications/"]["get"]["security"]
