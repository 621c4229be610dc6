"""openapi-python-client (a dev dependency) generates a Python client from the live schema;
every operation module imports, and the journey (conftest) runs through it."""

import contextlib
import importlib
import json
import pkgutil
import subprocess
import sys
from http import HTTPStatus

import pytest

from tests.api.clients.conftest import operation_ids
from tests.conftest import need

PACKAGE = "ideastorm_client"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client_package(live_schema, tmp_path):
    """The generated package, importable as `ideastorm_client` for the test's duration."""
    try:
        import openapi_python_client  # noqa: F401
    except ImportError:
        need(False, "openapi-python-client is not installed (make install)")
    config = tmp_path / "generator.yaml"
    config.write_text("post_hooks: []\n")  # no formatting pass: the code runs as generated
    result = subprocess.run(
        [
            sys.executable, "-m", "openapi_python_client", "generate",
            "--path", str(live_schema), "--output-path", str(tmp_path / PACKAGE),
            "--meta", "none", "--config", str(config), "--fail-on-warning",
        ],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, f"the generator refused the schema:\n{result.stdout}"
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture
def opened():
    """Closes the clients given to it at the end (an idle keep-alive connection would hold a
    live server thread, and its database session, past the test)."""
    with contextlib.ExitStack() as stack:
        yield stack.enter_context


def test_every_operation_module_imports(client_package, live_schema):
    api = importlib.import_module(f"{PACKAGE}.api")
    modules, failures = set(), {}
    for module in pkgutil.walk_packages(api.__path__, f"{PACKAGE}.api."):
        if module.ispkg:
            continue
        modules.add(module.name.rsplit(".", 1)[1])
        try:
            importlib.import_module(module.name)
        except Exception as exc:
            failures[module.name] = repr(exc)
    assert failures == {}
    assert modules == operation_ids(live_schema)


def test_the_journey_through_the_python_client(client_package, cast, opened):
    models = importlib.import_module(f"{PACKAGE}.models")

    def op(name: str):
        tag = name.split("_", 1)[0]
        return importlib.import_module(f"{PACKAGE}.api.{tag}.{name}")

    def ok(response, status=HTTPStatus.OK):
        assert response.status_code == status, response.content
        return response.parsed

    def log_in(username: str):
        anonymous = opened(client_package.Client(base_url=cast.base_url))
        body = models.TokenInputRequest(username=username, password=cast.password)
        token = ok(op("auth_token_create").sync_detailed(client=anonymous, body=body)).token
        return opened(
            client_package.AuthenticatedClient(base_url=cast.base_url, token=token, prefix="Token")
        )

    alice = log_in(cast.member)
    for sort in models.IdeasListSort:
        page = ok(op("ideas_list").sync_detailed(client=alice, sort=sort))
        assert cast.idea in [idea.id for idea in page.results], sort
        assert page.count == 2 and page.next_ is None  # `next`, renamed by the generator

    new = models.IdeaInputRequest(
        title="Sync notebooks between devices",
        description="Edit on the phone, carry on at the desk.",
        category=cast.category,
        tags=["offline", "sync"],
    )
    mine = ok(op("ideas_create").sync_detailed(client=alice, body=new), HTTPStatus.CREATED)
    assert sorted(mine.tags) == ["offline", "sync"]  # a list is sent once
    assert mine.category == cast.category and mine.author == cast.member

    vote = op("ideas_vote_update")
    state = ok(
        vote.sync_detailed(
            cast.idea, client=alice, body=models.VoteInputRequest(models.ValueEnum(1))
        )
    )
    assert (state.my_vote, state.promotes, state.demotes) == (1, 1, 0)
    state = ok(
        vote.sync_detailed(
            cast.idea, client=alice, body=models.VoteInputRequest(models.ValueEnum(-1))
        )
    )
    assert (state.my_vote, state.promotes, state.demotes) == (-1, 0, 1)
    state = ok(op("ideas_vote_destroy").sync_detailed(cast.idea, client=alice))
    assert (state.my_vote, state.score) == (None, 0)

    comment = models.CommentInputRequest(body="Yes, *please*.")
    posted = ok(
        op("ideas_comments_create").sync_detailed(cast.idea, client=alice, body=comment),
        HTTPStatus.CREATED,
    )
    assert posted.idea == cast.idea and "<em>please</em>" in posted.body_html
    flag = models.FlagInputRequest(reason=models.ReasonEnum.SPAM)
    ok(
        op("ideas_flags_create").sync_detailed(cast.flagged, client=alice, body=flag),
        HTTPStatus.CREATED,
    )
    assert ok(op("ideas_follow_update").sync_detailed(cast.idea, client=alice)).following

    pat = log_in(cast.pm)
    answer = models.IdeaStatusInputRequest(
        status=models.StatusEnum.PLANNED, response="Coming in the **spring** release."
    )
    answered = ok(op("ideas_status_create").sync_detailed(cast.idea, client=pat, body=answer))
    assert answered.status == models.StatusEnum.PLANNED
    assert "<strong>spring</strong>" in answered.response_html

    notifications = ok(op("notifications_list").sync_detailed(client=alice)).results
    told = [n for n in notifications if n.idea == cast.idea]
    assert len(told) == 1 and told[0].read_at is None
    read = models.NotificationsReadInputRequest(ids=[told[0].id])
    assert ok(op("notifications_read_create").sync_detailed(client=alice, body=read)).marked == 1
    assert ok(op("notifications_list").sync_detailed(client=alice)).results[0].read_at

    merge = models.IdeaMergeInputRequest(into=cast.idea, reason="The same wish.")
    merged = ok(
        op("ideas_merge_create").sync_detailed(mine.id, client=pat, body=merge),
        HTTPStatus.CREATED,
    )
    assert (merged.kept, merged.merged) == (cast.idea, mine.id)
    export = op("ideas_export_retrieve").sync_detailed(client=pat)
    assert export.status_code == HTTPStatus.OK, export.content
    assert cast.idea in [row["id"] for row in json.loads(export.content)]

    mo = log_in(cast.moderator)
    hide = models.ModerationInputRequest(reason="Spam.")
    hidden = ok(
        op("moderation_ideas_hide_create").sync_detailed(cast.flagged, client=mo, body=hide)
    )
    assert (hidden.state, hidden.open_flags) == (models.ModerationStateStateEnum.HIDDEN, 0)
    restored = ok(
        op("moderation_ideas_restore_create").sync_detailed(
            cast.flagged, client=mo, body=models.ModerationInputRequest(reason="A mistake.")
        )
    )
    assert restored.state == models.ModerationStateStateEnum.VISIBLE

    visitor = opened(client_package.Client(base_url=cast.base_url))
    page = ok(op("ideas_list").sync_detailed(client=visitor, sort=models.IdeasListSort.NEW))
    assert {idea.id for idea in page.results} == {cast.idea, cast.flagged}
