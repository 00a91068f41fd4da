"""Stores for fleets: any ``cachelib`` cache, or a Redis server named by URL."""

from __future__ import annotations

import typing as t

from .base import StorePort

#: Short socket time-outs: a slow Redis costs a request this much, never a failure.
REDIS_TIMEOUT = 0.1
#: Entries are keyed by the file's identity and never go stale; a day bounds what they hold.
REDIS_TTL = 24 * 3600
KEY_PREFIX = "fop:"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class CachelibStore(StorePort):
    """Answers kept in a ``cachelib`` cache (``RedisCache``, ``MemcachedCache``, ``FileSystemCache``).

    :param cache: the ``cachelib.BaseCache`` instance; its own time-out applies to entries.

    Usage::

        from cachelib import RedisCache
        FopMiddleware(app, cache=RedisCache(host="redis", key_prefix="fop:"))
    """

    def __init__(self, cache: t.Any) -> None:
        if not callable(getattr(cache, "get", None)) or not callable(getattr(cache, "set", None)):
            raise TypeError(f"{cache!r} has no get() and set()")
        self.cache = cache

    def get(self, key: str) -> bytes | None:
        value = self.cache.get(key)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes) -> None:
        self.cache.set(key, value)

    def __repr__(self) -> str:
        return f"<CachelibStore {type(self.cache).__name__}>"


def redis_store(url: str, *, timeout: float = REDIS_TIMEOUT) -> CachelibStore:
    """A :class:`CachelibStore` on the Redis server at ``url``, with short socket time-outs.

    :raises ValueError: ``cachelib`` or ``redis`` is not installed, or the URL is malformed.
    """
    try:
        import redis
        from cachelib import RedisCache
    except ImportError as e:
        raise ValueError("a redis:// cache needs `pip install 'fop-middleware[redis]'`") from e
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    return CachelibStore(RedisCache(host=client, default_timeout=REDIS_TTL, key_prefix=KEY_PREFIX))
