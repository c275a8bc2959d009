"""The Redis cache backend with one client object per connection pool.

Django's RedisCacheClient builds a new redis.Redis for every cache call (`get_client`), and each
construction copies redis-py's table of ~170 response callbacks: a dashboard page makes six cache
calls, ~1 ms of its 20 ms budget (issue 17, cold province page). redis.Redis is thread-safe over its
pool, and the pool reconnects after a fork (it checks the process id), so one per pool suffices.
"""
from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _Client(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            # The pool of that server (Django's _get_connection_pool makes it once, by the same index).
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client

    # Bytes the caller serialised itself (the dashboards' pickled selections), stored as they are: get() and set()
    # would pickle them again and check the key's characters for memcached, ~0.08 ms of each of the half-dozen
    # calls a dashboard page makes. A key written by set_bytes is read by get_bytes only.
    def get_bytes(self, key: str) -> bytes | None:
        key = self.make_key(key)
        return self._cache.get_client(key).get(key)

    def set_bytes(self, key: str, value: bytes, timeout: int) -> None:
        key = self.make_key(key)
        self._cache.get_client(key, write=True).set(key, value, ex=timeout)
