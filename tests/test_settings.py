"""Start-up refuses bad configuration with a message naming the variable."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


def manage_check(**env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_DEBUG": "true", **env}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("value", ["0", "-3", "soon", "nan", "inf"])
def test_half_life_that_is_not_a_positive_number_stops_start_up(value):
    result = manage_check(IDEAS_HALF_LIFE_DAYS=value)
    assert result.returncode != 0
    assert "IDEAS_HALF_LIFE_DAYS must be a positive number of days" in result.stderr


def test_a_fractional_half_life_is_accepted():
    assert manage_check(IDEAS_HALF_LIFE_DAYS="0.5").returncode == 0


def test_debug_off_with_the_dev_secret_key_is_refused():
    result = manage_check(DJANGO_DEBUG="false", DJANGO_SECRET_KEY=settings.DEV_SECRET_KEY)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_a_bad_boolean_names_the_variable():
    result = manage_check(DJANGO_HTTPS="maybe")
    assert "DJANGO_HTTPS must be true or false" in result.stderr


def cache_prefix(**env) -> str:
    environment = {**os.environ, "DJANGO_DEBUG": "true", "REDIS_URL": "redis://127.0.0.1:6379/0"}
    environment.pop("IDEASTORM_CACHE_PREFIX", None)
    script = "from django.conf import settings; print(settings.CACHES['default']['KEY_PREFIX'])"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=settings.BASE_DIR,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_two_boards_sharing_a_redis_database_get_different_cache_prefixes():
    one = cache_prefix(DATABASE_URL="postgres://postgres@127.0.0.1:5432/board_one")
    other = cache_prefix(DATABASE_URL="postgres://postgres@127.0.0.1:5432/board_two")
    assert one and other and one != other
    assert cache_prefix(DATABASE_URL="postgres://postgres@127.0.0.1:5432/board_one") == one
    named = cache_prefix(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/board_one", IDEASTORM_CACHE_PREFIX="acme"
    )
    assert named == "acme"


def test_each_kind_of_task_goes_to_its_own_queue():
    """A slow webhook receiver or a burst of email never waits in front of the ranking jobs."""
    from ideastorm.celery import BEAT_SCHEDULE, app

    def queue(task: str) -> str:
        return app.amqp.router.route({}, task)["queue"].name

    names = settings.CELERY_QUEUE_NAMES
    assert queue("votes.tasks.reconcile_rankings") == names["periodic"]
    assert queue("notifications.tasks.email_notifications") == names["email"]
    assert queue("webhooks.tasks.deliver") == names["webhooks"]
    assert queue("moderation.tasks.detect_vote_stuffing") == names["stuffing"]
    # Every task the app has, and every scheduled one, lands on a queue a worker consumes.
    consumed = set(app.amqp.queues)
    tasks = {name for name in app.tasks if not name.startswith("celery.")}
    tasks |= {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {queue(task) for task in tasks} == set(names.values()) <= consumed


def test_a_bad_lease_length_names_the_variable():
    result = manage_check(IDEASTORM_BEAT_LEASE_SECONDS="0")
    assert "IDEASTORM_BEAT_LEASE_SECONDS must be a positive number of seconds" in result.stderr
