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
