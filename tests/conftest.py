"""Shared fixtures: the cast (alice, bob, pat the PM, mo the moderator, a visitor) and the
services a test may need. A missing service skips the test with the reason, except under
REQUIRE_SERVICES=1, where it fails."""

import copy
import os
import shutil
import socket
import uuid

import pytest
from django.conf import settings
from django.db import connection

from accounts.services import role_set
from board import selectors as board_selectors
from board.models import BoardSettings
from tests.factories import CategoryFactory, UserFactory
from tests.web_quality import capture as page_capture

PASSWORD = "correct-horse-battery"
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = "/usr/bin/chromium"

# Pages name static files as the source tree has them, served from the finders: hashed names
# need collectstatic's manifest, which tests/test_static_files.py builds to check them.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
settings.WHITENOISE_USE_FINDERS = True

# `make test` keeps every page the tests render for the Nu HTML Checker (tests/web_quality).
if page_capture.folder() is not None:
    page_capture.install()


def pytest_collection_modifyitems(config, items):
    """Tests of the SQLite default's own path (marked sqlite) are left out of a run on another
    database, not skipped: `make test` runs them in a pass of their own on SQLite."""
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return
    kept = [item for item in items if item.get_closest_marker("sqlite") is None]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def need(available: bool, reason: str) -> None:
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def postgres(db):
    need(connection.vendor == "postgresql", "PostgreSQL is not configured (set DATABASE_URL)")


def _redis_reachable() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_url():
    need(_redis_reachable(), "Redis is not configured or not reachable (set REDIS_URL)")
    return settings.REDIS_URL


RABBITMQ_URL = os.environ.get("IDEASTORM_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


@pytest.fixture(scope="session")
def rabbitmq_url():
    """RabbitMQ, the other broker IdeaStorm supports (IDEASTORM_BROKER_URL)."""
    from kombu.utils.url import urlparse

    parts = urlparse(RABBITMQ_URL)
    try:
        socket.create_connection((parts.hostname, parts.port or 5672), timeout=1).close()
    except OSError:
        need(False, f"RabbitMQ is not reachable at {RABBITMQ_URL} (IDEASTORM_TEST_RABBITMQ_URL)")
    return RABBITMQ_URL


@pytest.fixture(scope="session")
def chromium_path():
    try:
        import playwright  # noqa: F401
    except ImportError:
        need(False, "Playwright for Python is not installed")
    need(
        shutil.which(CHROMIUM) is not None,
        f"{CHROMIUM} is missing (apt-get install -y chromium)",
    )
    return CHROMIUM


@pytest.fixture
def category(db):
    return CategoryFactory(name="Notebooks", slug="notebooks")


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.fixture
def pat(db):
    user = UserFactory(username="pat")
    role_set(user=user, role="pm")
    return user


@pytest.fixture
def mo(db):
    user = UserFactory(username="mo")
    role_set(user=user, role="moderator")
    return user


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    # Redis outlives each test's database rollback: give every test keys of its own.
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:12]}"
    caches["default"]["TIMEOUT"] = 600
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def _fresh_board_settings():
    # The board's settings are memoised per process (board.selectors): each test starts from
    # the defaults, already read (as a running site has them), so pinned query counts stay
    # what a request costs; a change through board.services is read back at once.
    board_selectors._memo = (float("inf"), board_selectors._snapshot(BoardSettings()))
    yield
    board_selectors._memo = None


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path_factory):
    # Uploads (the board's logo) never land in the working tree's var/media.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness buys nothing in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
