"""A Redis cache that fails open: when Redis is down or frozen, reads miss and writes are
dropped, so a cache outage slows the site down instead of breaking it. After a failure the
cache stays away from Redis for a few seconds, so a frozen Redis costs one socket timeout per
process, not one per request."""

import logging
import secrets
import threading
import time
from functools import cached_property

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

from core.metrics import cache_counted

logger = logging.getLogger(__name__)
RETRY_AFTER = 10.0  # seconds without trying Redis after a failure
# FailOpenRedisCache.count_in_windows. KEYS: the counters; ARGV: each one's window and limit.
COUNT_IN_WINDOWS = """
local counts = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, ARGV[2 * i - 1]) end
  counts[i] = count
  if count > tonumber(ARGV[2 * i]) then break end
end
return counts
"""

# What a read that found nothing returns inside, so a stored None still counts as a hit.
_MISSING = object()

_down_until: dict[str, float] = {}
_lock = threading.Lock()


def _fail_open(default_result=None):
    def decorate(method):
        def wrapper(self, *args, **kwargs):
            fallback = default_result(*args, **kwargs) if callable(default_result) else None
            if _down_until.get(self._server_key, 0.0) > time.monotonic():
                return fallback
            try:
                return method(self, *args, **kwargs)
            except (RedisError, OSError) as exc:
                with _lock:
                    _down_until[self._server_key] = time.monotonic() + RETRY_AFTER
                logger.warning("cache %s failed open: %s", method.__name__, exc)
                return fallback

        wrapper.__name__ = method.__name__
        return wrapper

    return decorate


class ReusingRedisCacheClient(RedisCacheClient):
    """Django builds a new redis.Redis object for every cache call (a quarter of a millisecond
    here); this keeps one per connection pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    @property
    def _server_key(self) -> str:
        return ",".join(self._servers)

    _get = _fail_open(lambda key, default=None, version=None: default)(RedisCache.get)
    _get_many = _fail_open(lambda *a, **k: {})(RedisCache.get_many)
    set = _fail_open()(RedisCache.set)
    add = _fail_open(lambda *a, **k: False)(RedisCache.add)
    touch = _fail_open(lambda *a, **k: False)(RedisCache.touch)
    delete = _fail_open(lambda *a, **k: False)(RedisCache.delete)
    set_many = _fail_open(lambda *a, **k: [])(RedisCache.set_many)
    delete_many = _fail_open()(RedisCache.delete_many)
    has_key = _fail_open(lambda *a, **k: False)(RedisCache.has_key)
    incr = _fail_open(lambda *a, **k: None)(RedisCache.incr)
    clear = _fail_open(lambda *a, **k: False)(RedisCache.clear)

    def get(self, key, default=None, version=None):
        """A read, counted as a hit or a miss for /metrics (core.metrics); Redis down: a miss."""
        value = self._get(key, _MISSING, version)
        if value is _MISSING:
            cache_counted(0, 1)
            return default
        cache_counted(1, 0)
        return value

    def get_many(self, keys, version=None):
        keys = list(keys)
        found = self._get_many(keys, version)
        cache_counted(len(found), len(set(keys)) - len(found))
        return found

    @_fail_open()
    def count_in_windows(self, counters: list[tuple[str, int, int]]) -> list[int]:
        """Add one to each counter, (key, window in seconds, limit), in order, and return the
        new counts; a counter over its limit stops the count, so the ones after it are left
        alone. One round trip, atomic: a counter starts at its first count and expires with its
        window."""
        keys = [self.make_and_validate_key(key) for key, _window, _limit in counters]
        args = [n for _key, window, limit in counters for n in (window, limit)]
        return self._count_script(keys=keys, args=args)

    @cached_property
    def _count_script(self):
        return self._cache.get_client(write=True).register_script(COUNT_IN_WINDOWS)

    @_fail_open()
    def bump(self, key: str, timeout: int) -> None:
        """Increase a counter in one round trip (Django's incr takes two). A counter that had
        expired restarts at a random value, never near the numbers it held before."""
        key = self.make_and_validate_key(key)
        client = self._cache.get_client(key, write=True)
        if client.incr(key) == 1:
            client.set(key, secrets.randbelow(2**62), ex=timeout)
