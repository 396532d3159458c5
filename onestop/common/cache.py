"""Django's Redis cache backend, with its client object made once instead of once a call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` over the same
connection pool for every cache operation, and each ``redis.Redis`` copies its table of
about 170 response callbacks when built: a measurable share of a request that reads its
session, counts its rate and reads a kept answer (three or four cache calls). A
``redis.Redis`` is safe to share between threads (each command borrows a connection from the
pool), so one a pool is kept and reused. Everything else is Django's backend, unchanged:
``CACHES = {"default": {"BACKEND": "onestop.common.cache.RedisCache", "LOCATION": url}}``.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    """Django's client, keeping one ``redis.Redis`` per connection pool."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(django_redis.RedisCache):
    """Django's Redis cache over :class:`RedisCacheClient`."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
