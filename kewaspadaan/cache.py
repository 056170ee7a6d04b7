"""A Redis cache that degrades to a miss when Redis is unreachable.

The portal must keep taking reports when Redis is down (issue 7): the cache only speeds
things up (map shapes, the rescore coalescing flag), so a failed call is logged and treated
as "not cached" instead of failing the request. Short socket timeouts keep a dead Redis from
holding a request for long."""

from __future__ import annotations

import logging

import redis
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    def _quietly(self, name: str, default, *args, **kwargs):
        try:
            return getattr(super(), name)(*args, **kwargs)
        except ERRORS as exc:
            log.warning("cache %s skipped: Redis unreachable (%s)", name, exc)
            return default

    def get(self, key, default=None, version=None):
        return self._quietly("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._quietly("get_many", {}, keys, version)

    def add(self, key, value, timeout=None, version=None):
        return self._quietly("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=None, version=None):
        return self._quietly("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return self._quietly("set_many", list(data), data, timeout, version)

    def delete(self, key, version=None):
        return self._quietly("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._quietly("delete_many", None, keys, version)

    def touch(self, key, timeout=None, version=None):
        return self._quietly("touch", False, key, timeout, version)

    def has_key(self, key, version=None):
        return self._quietly("has_key", False, key, version)

    def clear(self):
        return self._quietly("clear", None)
