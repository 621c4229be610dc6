"""A Redis cache that fails open: when Redis is down or frozen, reads miss and writes are
dropped, so a cache outage slows the site down instead of breaking it."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _fail_open(default_result=None):
    def decorate(method):
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except (RedisError, OSError) as exc:
                logger.warning("cache %s failed open: %s", method.__name__, exc)
                return default_result(*args, **kwargs) if callable(default_result) else None

        wrapper.__name__ = method.__name__
        return wrapper

    return decorate


class FailOpenRedisCache(RedisCache):
    get = _fail_open(lambda key, default=None, version=None: default)(RedisCache.get)
    set = _fail_open()(RedisCache.set)
    add = _fail_open(lambda *a, **k: False)(RedisCache.add)
    touch = _fail_open(lambda *a, **k: False)(RedisCache.touch)
    delete = _fail_open(lambda *a, **k: False)(RedisCache.delete)
    get_many = _fail_open(lambda *a, **k: {})(RedisCache.get_many)
    set_many = _fail_open(lambda *a, **k: [])(RedisCache.set_many)
    delete_many = _fail_open()(RedisCache.delete_many)
    has_key = _fail_open(lambda *a, **k: False)(RedisCache.has_key)
    incr = _fail_open(lambda *a, **k: None)(RedisCache.incr)
    clear = _fail_open(lambda *a, **k: False)(RedisCache.clear)
