"""A dead or frozen Redis never makes a request fail or hang: votes touch only the database,
the cache fails open, and /healthz reports the broker as down (503) within its timeout."""

import socket
import threading
import time

import pytest
from django.core.cache import caches
from django.urls import reverse

from ideas.models import Idea
from ideastorm import cache as cache_module
from ideastorm.cache import FailOpenRedisCache
from tests.factories import IdeaFactory
from votes.tasks import reconcile_rankings


@pytest.fixture
def frozen_redis():
    """A TCP server that accepts connections and never answers: a hung Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture(params=["dead", "frozen"])
def broken_broker(request, frozen_redis):
    from ideastorm.celery import app

    url = frozen_redis if request.param == "frozen" else "redis://127.0.0.1:1/0"
    original = app.conf.broker_url, app.conf.broker_transport_options
    app.conf.broker_url = url
    app.conf.broker_transport_options = {"socket_timeout": 1, "socket_connect_timeout": 1}
    yield url
    app.conf.broker_url, app.conf.broker_transport_options = original


@pytest.mark.django_db
def test_votes_are_counted_and_health_says_503_while_the_broker_is_down(
    client, alice, broken_broker
):
    reconcile_rankings.apply()
    idea = IdeaFactory()
    client.force_login(alice)
    started = time.monotonic()
    response = client.post(reverse("idea-vote", args=[idea.pk]), {"value": "1"})
    vote_seconds = time.monotonic() - started
    assert response.status_code == 302
    assert Idea.objects.get(pk=idea.pk).score == 1
    assert vote_seconds < 5, "the vote waited on the broker"

    started = time.monotonic()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["broker"]["ok"] is False
    assert health.json()["database"]["ok"] is True
    assert time.monotonic() - started < 10, "/healthz hung on the broker"


@pytest.fixture(autouse=True)
def _forget_outages():
    cache_module._down_until.clear()
    yield
    cache_module._down_until.clear()


def test_the_redis_cache_fails_open_when_redis_is_frozen(frozen_redis):
    cache = FailOpenRedisCache(
        frozen_redis, {"OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}}
    )
    started = time.monotonic()
    assert cache.get("anything", "fallback") == "fallback"
    cache.set("key", "value")
    assert cache.add("key", "value") is False
    assert cache.get_many(["a", "b"]) == {}
    assert time.monotonic() - started < 10


def test_the_default_cache_is_usable(db):
    caches["default"].set("ping", "pong")
    assert caches["default"].get("ping") == "pong"


def test_after_one_timeout_the_cache_stops_asking_a_frozen_redis(frozen_redis):
    cache = FailOpenRedisCache(
        frozen_redis, {"OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}}
    )
    cache.get("first")  # waits for the socket timeout once
    started = time.monotonic()
    for _ in range(20):
        assert cache.get("again", "fallback") == "fallback"
    assert time.monotonic() - started < 0.5
