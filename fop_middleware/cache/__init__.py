"""Answers cached by the identity of the file, so a repeated ?avinfo skips the extraction.

The wrapped app still runs on every request (its auth decides as before); only the backend's
work is skipped. Stores: :class:`LRUStore` (the default, per process), :class:`CachelibStore`
(any ``cachelib`` cache, or ``redis://`` URLs) and, in Django, the project's ``CACHES``.
"""

from __future__ import annotations

import importlib.metadata
import typing as t

from .answers import AnswerCache
from .base import StorePort
from .cachelib import REDIS_SCHEMES, CachelibStore, redis_store
from .lru import LRUStore

__all__ = ["AnswerCache", "CachelibStore", "LRUStore", "StorePort", "answer_cache", "build_store"]

#: The ``cache=`` value for the default in-process LRU.
MEMORY = "memory"


def _project_version() -> str:
    try:
        return importlib.metadata.version("fop-middleware")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


#: Part of every key: a new release may answer differently.
PROJECT_VERSION = _project_version()


def build_store(option: t.Any) -> StorePort | None:
    """The store a ``cache=`` option names: ``"memory"``, a ``redis://`` URL, a store, a ``cachelib`` cache, or None.

    :raises TypeError: a value of another kind.
    :raises ValueError: an unknown string, or a URL whose client library is missing.
    """
    if option is None:
        return None
    if isinstance(option, StorePort):
        return option
    if isinstance(option, str):
        if option == MEMORY:
            return LRUStore()
        if option.startswith(REDIS_SCHEMES):
            return redis_store(option)
        raise ValueError(f"cache must be 'memory', a redis:// URL, a store or None, not {option!r}")
    if callable(getattr(option, "get", None)) and callable(getattr(option, "set", None)):
        return CachelibStore(option)
    raise TypeError(f"cache must be 'memory', a redis:// URL, a store or a cachelib cache, not {option!r}")


def answer_cache(option: t.Any) -> AnswerCache | None:
    """The :class:`AnswerCache` for a ``cache=`` option, keyed also by the installed version."""
    store = build_store(option)
    return None if store is None else AnswerCache(store, context=[PROJECT_VERSION])
