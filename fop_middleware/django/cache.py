"""``FOP_CACHE = "alias"``: answers kept in one of the project's ``CACHES``."""

from __future__ import annotations

import typing as t

from django.core.cache import caches

from ..cache import MEMORY, StorePort

#: ``FOP_CACHE`` left out of the settings.
UNSET = object()


class DjangoCacheStore(StorePort):
    """A store on ``caches[alias]``, looked up per call since Django keeps one client per thread.

    Give the cache short socket time-outs (``OPTIONS``), since a request waits for them
    before answering without the cache.

    :param alias: a key of ``settings.CACHES``.
    """

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def get(self, key: str) -> bytes | None:
        value = caches[self.alias].get(key)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes) -> None:
        caches[self.alias].set(key, value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DjangoCacheStore) and other.alias == self.alias

    def __hash__(self) -> int:
        return hash(self.alias)

    def __repr__(self) -> str:
        return f"<DjangoCacheStore {self.alias!r}>"


def cache_option(setting: t.Any) -> t.Any:
    """The core's ``cache=`` for ``FOP_CACHE``: an alias becomes its store, unset the in-process LRU."""
    if setting is UNSET:
        return MEMORY
    return DjangoCacheStore(setting) if isinstance(setting, str) else setting
