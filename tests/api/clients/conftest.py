"""Clients generated from the live schema, as other people's tools generate them, driven
through one journey against pytest-django's live server (a real HTTP server on a
transactional test database). The generated code is used as it comes out: no hand edits.

The journey (the same in each client): log in for a token; list with each sort; create an
idea; vote, switch the vote, withdraw it; comment; flag; follow; as a product manager set a
status with a response, merge and export; read the notification that status gave; as a
moderator hide and restore; and read the list anonymously."""

import json
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.factories import CategoryFactory, IdeaFactory, UserFactory


@dataclass(frozen=True)
class Cast:
    """What the journey starts from: its users (all with PASSWORD) and ideas by bob."""

    base_url: str
    password: str
    member: str  # alice
    pm: str  # pat
    moderator: str  # mo
    category: str  # a slug
    idea: int  # bob's idea that alice votes on, comments on and follows; pat answers it
    flagged: int  # bob's idea that alice flags and mo hides and restores

    def as_json(self) -> str:
        return json.dumps(asdict(self))


@pytest.fixture
def cast(live_server) -> Cast:
    from accounts.services import role_set

    UserFactory(username="alice")
    role_set(user=UserFactory(username="pat"), role="pm")
    role_set(user=UserFactory(username="mo"), role="moderator")
    bob = UserFactory(username="bob")
    category = CategoryFactory(name="Notebooks", slug="notebooks")
    idea = IdeaFactory(author=bob, category=category, title="Offline notebooks")
    flagged = IdeaFactory(author=bob, category=category, title="Cheap watches, click here")
    return Cast(
        base_url=live_server.url,
        password=PASSWORD,
        member="alice",
        pm="pat",
        moderator="mo",
        category=category.slug,
        idea=idea.pk,
        flagged=flagged.pk,
    )


@pytest.fixture
def live_schema(live_server, tmp_path) -> Path:
    """The schema as the server serves it at /api/schema/, saved as openapi.json."""
    with urllib.request.urlopen(f"{live_server.url}/api/schema/?format=json", timeout=30) as r:
        schema = json.load(r)
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(schema, indent=1))
    return path


def operation_ids(schema_path: Path) -> set[str]:
    schema = json.loads(schema_path.read_text())
    return {
        operation["operationId"]
        for item in schema["paths"].values()
        for method, operation in item.items()
        if method in ("get", "put", "post", "patch", "delete")
    }
