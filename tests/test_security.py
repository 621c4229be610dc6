"""The security baseline: headers (a Content-Security-Policy with no inline script), a clean
`check --deploy` with DJANGO_HTTPS=true, a new session key at log-in, a CSRF token in every
POST form."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import CommentFactory, IdeaFactory

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.IGNORECASE | re.DOTALL)
METHOD_POST = re.compile(r"""method\s*=\s*["']?post""", re.IGNORECASE)
CSRF_INPUT = re.compile(r"<input[^>]*name=\"csrfmiddlewaretoken\"", re.IGNORECASE)


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client):
    response = client.get(reverse("home"))
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert (policy["form-action"], policy["base-uri"]) == (["'self'"], ["'self'"])
    assert policy["img-src"] == ["'self'", "data:"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin"}
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_api_docs_load_their_script_from_a_file(client):
    html = client.get(reverse("api-docs")).content.decode()
    assert re.search(r"<script>\s*\S", html) is None
    assert "<style>" not in html
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_check_deploy_is_clean_with_https_on():
    # Not the browser tests' async escape hatch, which check --deploy rightly refuses.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_HTTPS": "true",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_logging_in_gives_a_new_session_key(client, alice):
    session = client.session
    session["seen_the_board"] = True
    session.save()
    before = session.session_key
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    after = client.session.session_key
    assert after and after != before
    assert client.session["seen_the_board"] is True
    assert not client.session.exists(before)


def post_forms(html: str) -> list[str]:
    return [body for attrs, body in FORM.findall(html) if METHOD_POST.search(attrs)]


@pytest.fixture
def board(alice, bob, category):
    idea = IdeaFactory(author=alice, category=category)
    CommentFactory(idea=idea, author=bob)
    IdeaFactory(author=bob, category=category)
    return idea


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "pat", "mo"])
def test_every_post_form_carries_a_csrf_token(client, request, board, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    pages = [
        reverse("home"),
        reverse("idea-list"),
        board.get_absolute_url(),
        reverse("idea-new"),
        reverse("account-settings"),
        reverse("profile", args=[user.username]),
        "/pm/",
        "/moderation/",
    ]
    checked = 0
    for url in pages:
        response = client.get(url)
        if response.status_code in {403, 404}:
            continue  # not this role's page
        assert response.status_code == 200, url
        for body in post_forms(response.content.decode()):
            assert CSRF_INPUT.search(body), f"a POST form on {url} has no CSRF token"
            checked += 1
    # The idea page alone has the vote, comment, flag and log-out forms.
    assert checked >= 5
