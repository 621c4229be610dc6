"""Rate limits (core.ratelimit): over the limit, pages answer 429 with the reason and the
API answers 429 JSON with Retry-After; IDEAS_RATE_LIMITS=off lifts them; a cache outage lets
every request through (fail open), never a 500."""

from unittest import mock

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core import ratelimit
from ideastorm import cache as cache_module
from tests.factories import IdeaFactory

HTMX = {"HX-Request": "true"}
IDEA = {"description": "One plug for everything.", "category": "notebooks"}


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


@pytest.fixture
def low_limits(settings):
    """The same scopes with small numbers, so a test reaches them in a few requests."""
    settings.IDEAS_RATE_LIMIT_RATES = {
        **settings.IDEAS_RATE_LIMIT_RATES,
        "vote": (3, 60),
        "vote-ip": (4, 60),
        "flag": (2, 3600),
    }


def submit_idea(client, n: int):
    return client.post(reverse("idea-new"), {"title": f"Power cables, take {n}", **IDEA})


def vote(client, idea, value: str = "1", **kwargs):
    return client.post(reverse("idea-vote", args=[idea.pk]), {"value": value}, **kwargs)


@pytest.mark.django_db
def test_sixth_idea_in_an_hour_gets_429_page_with_the_reason(alice_client, category):
    for n in range(5):
        assert submit_idea(alice_client, n).status_code == 302
    response = submit_idea(alice_client, 5)
    assert response.status_code == 429
    html = response.content.decode()
    assert "You&#x27;re posting ideas faster than we allow: at most 5 an hour." in html
    assert "Try again in" in html
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert "429.html" in [template.name for template in response.templates]


@pytest.mark.django_db
def test_a_bad_submission_does_not_count_against_the_limit(alice_client, category):
    for _ in range(6):
        assert alice_client.post(reverse("idea-new"), {"title": "", **IDEA}).status_code == 400
    assert submit_idea(alice_client, 0).status_code == 302


@pytest.mark.django_db
def test_sixth_idea_through_the_api_gets_429_json_with_retry_after(api, category):
    for n in range(5):
        body = {"title": f"Cables {n}", **IDEA}
        assert api.post("/api/ideas/", body, format="json").status_code == 201
    response = api.post("/api/ideas/", {"title": "Cables 5", **IDEA}, format="json")
    assert response.status_code == 429
    assert response.json()["detail"].startswith(
        "You're posting ideas faster than we allow: at most 5 an hour. Try again in "
    )
    assert 1 <= int(response["Retry-After"]) <= 3600


@pytest.mark.django_db
def test_sixth_comment_in_a_minute_gets_429_on_the_page_and_in_the_api(alice_client, api):
    idea = IdeaFactory()
    url = reverse("comment-create", args=[idea.pk])
    for n in range(5):
        assert alice_client.post(url, {"body": f"Comment {n}"}).status_code == 302
    response = alice_client.post(url, {"body": "One more"})
    assert response.status_code == 429
    assert "at most 5 a minute" in response.content.decode()
    # The API shares the member's counter.
    response = api.post(f"/api/ideas/{idea.pk}/comments/", {"body": "Via API"}, format="json")
    assert response.status_code == 429
    assert "You're commenting faster than we allow" in response.json()["detail"]
    assert "Retry-After" in response


@pytest.mark.django_db
def test_votes_over_the_member_limit_get_429_and_htmx_gets_the_message_at_the_top(
    alice_client, low_limits
):
    idea = IdeaFactory()
    for value in ["1", "0", "-1"]:
        assert vote(alice_client, idea, value, headers=HTMX).status_code == 200
    response = vote(alice_client, idea, "1", headers=HTMX)
    assert response.status_code == 429
    assert response["HX-Retarget"] == "#page-alert" and response["HX-Reswap"] == "innerHTML"
    html = response.content.decode()
    assert 'role="alert"' in html and "at most 3 a minute" in html
    assert "<html" not in html
    assert vote(alice_client, idea, "1").status_code == 429


@pytest.mark.django_db
def test_api_votes_over_the_member_limit_get_429_json(api, low_limits):
    idea = IdeaFactory()
    url = f"/api/ideas/{idea.pk}/vote/"
    for value in [1, -1, 1]:
        assert api.put(url, {"value": value}, format="json").status_code == 200
    response = api.delete(url)
    assert response.status_code == 429
    assert response.json() == {"detail": mock.ANY, "code": "throttled"}
    assert "You're voting faster than we allow: at most 3 a minute." in response.json()["detail"]
    assert 1 <= int(response["Retry-After"]) <= 60


@pytest.mark.django_db
def test_votes_from_one_address_are_limited_across_members(client, alice, bob, low_limits):
    ideas = IdeaFactory.create_batch(3)
    client.force_login(alice)
    for idea in ideas:
        assert vote(client, idea).status_code == 302
    client.force_login(bob)
    assert vote(client, ideas[0]).status_code == 302
    response = vote(client, ideas[1])
    assert response.status_code == 429
    assert "Too many votes are coming from your network" in response.content.decode()
    # Another address is not held back by this one.
    assert vote(client, ideas[1], REMOTE_ADDR="10.1.2.3").status_code == 302


@pytest.mark.django_db
def test_sixth_signup_from_one_address_in_an_hour_gets_429(client):
    for n in range(6):
        client.logout()
        response = client.post(
            reverse("signup"),
            {
                "username": f"newcomer{n}",
                "email": f"newcomer{n}@example.com",
                "password1": "a-long-passphrase-42",
                "password2": "a-long-passphrase-42",
            },
        )
        assert response.status_code == (302 if n < 5 else 429)
    assert "Too many accounts are being created from your network" in response.content.decode()


@pytest.mark.django_db
def test_flags_over_the_limit_get_429_in_the_api(api, low_limits):
    ideas = IdeaFactory.create_batch(3)
    for idea in ideas[:2]:
        response = api.post(f"/api/ideas/{idea.pk}/flags/", {"reason": "spam"}, format="json")
        assert response.status_code == 201
    response = api.post(f"/api/ideas/{ideas[2].pk}/flags/", {"reason": "spam"}, format="json")
    assert response.status_code == 429
    assert "You're flagging faster than we allow: at most 2 an hour." in response.json()["detail"]


@pytest.mark.django_db
def test_a_new_window_starts_a_new_count(alice_client, low_limits):
    idea = IdeaFactory()
    with mock.patch("core.ratelimit.time.time", return_value=6_000_000.0):
        for value in ["1", "0", "1"]:
            assert vote(alice_client, idea, value).status_code == 302
        assert vote(alice_client, idea, "0").status_code == 429
    with mock.patch("core.ratelimit.time.time", return_value=6_000_060.0):
        assert vote(alice_client, idea, "0").status_code == 302


def test_the_message_says_how_long_to_wait():
    exceeded = ratelimit.Exceeded(scope="idea", rate=5, period=3600, retry_after=700)
    assert exceeded.message == (
        "You're posting ideas faster than we allow: at most 5 an hour. Try again in 12 minutes."
    )
    exceeded = ratelimit.Exceeded(scope="vote", rate=30, period=60, retry_after=1)
    assert exceeded.message.endswith("at most 30 a minute. Try again in 1 second.")


@pytest.mark.django_db
def test_rate_limits_off_lifts_every_limit_without_touching_the_cache(
    settings, alice_client, api, category
):
    settings.IDEAS_RATE_LIMITS = False
    idea = IdeaFactory()
    with mock.patch.object(ratelimit, "cache") as cache:
        for n in range(7):
            assert submit_idea(alice_client, n).status_code == 302
        for _ in range(35):
            assert (
                api.put(f"/api/ideas/{idea.pk}/vote/", {"value": 1}, format="json").status_code
                == 200
            )
            assert vote(alice_client, idea, "1").status_code == 302
    assert cache.method_calls == []


@pytest.fixture
def dead_redis_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "ideastorm.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
        }
    }
    yield
    cache_module._down_until.clear()


@pytest.mark.django_db
def test_with_redis_down_the_site_serves_and_votes_go_through(
    client, alice_client, dead_redis_cache, low_limits
):
    idea = IdeaFactory()
    assert client.get(reverse("home")).status_code == 200
    assert client.get(idea.get_absolute_url()).status_code == 200
    for value in ["1", "0"] * 4:
        assert vote(alice_client, idea, value, headers=HTMX).status_code == 200


@pytest.mark.django_db
def test_a_cache_that_raises_lets_votes_through(alice_client, api, low_limits):
    idea = IdeaFactory()
    broken = mock.Mock(spec=["add", "incr"])  # a cache without the one-round-trip count
    broken.add.side_effect = ConnectionError("cache down")
    with mock.patch.object(ratelimit, "cache", broken):
        for _ in range(5):
            assert vote(alice_client, idea, "1").status_code == 302
            assert (
                api.put(f"/api/ideas/{idea.pk}/vote/", {"value": 1}, format="json").status_code
                == 200
            )


@pytest.fixture
def redis_commands():
    """The packets of commands this process sends to Redis: a pipeline is one."""
    from redis.connection import Connection

    sent = []
    original = Connection.send_packed_command

    def spy(self, command, check_health=True):
        parts = [command] if isinstance(command, (bytes, str)) else command
        sent.append(b"".join(p.encode() if isinstance(p, str) else bytes(p) for p in parts))
        return original(self, command, check_health)

    with mock.patch.object(Connection, "send_packed_command", spy):
        yield sent


@pytest.mark.django_db
def test_counters_go_to_redis_in_one_round_trip_and_expire_with_their_window(redis_commands):
    from django.core.cache import cache

    cache.count_in_windows([("warm-up", 60, 10)])  # the handshake and the script's loading
    redis_commands.clear()
    assert cache.count_in_windows([("a", 60, 10), ("b", 3600, 10)]) == [1, 1]
    assert cache.count_in_windows([("a", 60, 10), ("b", 3600, 10)]) == [2, 2]
    assert len(redis_commands) == 2
    client = cache._cache.get_client()
    assert 0 < client.ttl(cache.make_and_validate_key("a")) <= 60
    assert 3000 < client.ttl(cache.make_and_validate_key("b")) <= 3600


def test_a_counter_over_its_limit_stops_the_count_of_the_ones_after_it():
    from django.core.cache import cache

    assert cache.count_in_windows([("a", 60, 1), ("b", 60, 5)]) == [1, 1]
    assert cache.count_in_windows([("a", 60, 1), ("b", 60, 5)]) == [2]
    assert cache.count_in_windows([("b", 60, 5)]) == [2]


@pytest.mark.django_db
def test_a_vote_counts_both_of_its_limits_in_one_redis_round_trip(api, low_limits, redis_commands):
    from django.core.cache import cache

    idea = IdeaFactory()
    cache.count_in_windows([("warm-up", 60, 10)])
    redis_commands.clear()
    assert api.put(f"/api/ideas/{idea.pk}/vote/", {"value": 1}, format="json").status_code == 200
    # The page cache's version bump runs after commit, which a test transaction never reaches.
    assert len(redis_commands) == 1
    member_key = cache.make_and_validate_key(f"ratelimit:vote:{api.handler._force_user.pk}:")
    assert any(member_key.encode() in packet for packet in redis_commands)


@pytest.mark.django_db
@pytest.mark.parametrize("backend", ["redis", "locmem"])
def test_a_member_over_their_limit_does_not_use_up_their_networks(
    backend, client, alice, bob, low_limits, settings
):
    if backend == "locmem":  # the cache.add and cache.incr path of any other cache
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    idea = IdeaFactory()
    client.force_login(alice)
    with mock.patch("core.ratelimit.time.time", return_value=6_000_000.0):
        for value in ["1", "0", "1"]:
            assert vote(client, idea, value).status_code == 302
        for _ in range(5):
            assert vote(client, idea, "0").status_code == 429
        client.force_login(bob)
        # The network's limit is 4 a minute: alice's 3 counted votes leave room for one more.
        assert vote(client, idea, "1").status_code == 302
        response = vote(client, idea, "0")
    assert response.status_code == 429
    assert "Too many votes are coming from your network" in response.content.decode()


def test_the_first_limit_gone_over_is_the_one_reported(settings):
    settings.IDEAS_RATE_LIMIT_RATES = {
        **settings.IDEAS_RATE_LIMIT_RATES,
        "vote": (2, 60),
        "vote-ip": (1, 60),
    }
    with mock.patch("core.ratelimit.time.time", return_value=6_000_000.0):
        assert ratelimit.hits(("vote", 7), ("vote-ip", "10.0.0.1")) is None
        exceeded = ratelimit.hits(("vote", 7), ("vote-ip", "10.0.0.1"))
        assert exceeded.scope == "vote-ip"
        exceeded = ratelimit.hits(("vote", 7), ("vote-ip", "10.0.0.2"))
        assert exceeded.scope == "vote"


def test_a_failed_count_is_logged_without_the_address(caplog):
    broken = mock.Mock(spec=["add", "incr"])
    broken.add.side_effect = ConnectionError("cache down")
    with mock.patch.object(ratelimit, "cache", broken):
        assert ratelimit.hits(("vote", 7), ("vote-ip", "203.0.113.9")) is None
    assert "vote-ip" in caplog.text and "203.0.113.9" not in caplog.text
