"""The default store: an in-process LRU bounded in entries and in bytes."""

from __future__ import annotations

import collections
import threading

from .base import StorePort

#: A 720p video's ?avinfo is ~3 KB, so 4096 answers fit well inside the byte bound.
DEFAULT_MAX_ENTRIES = 4096
DEFAULT_MAX_BYTES = 32 * 1024 * 1024


class LRUStore(StorePort):
    """Keep the most recently used answers of this process; thread-safe.

    :param max_entries: how many answers are kept at most.
    :param max_bytes: how many bytes of keys and answers are kept at most; a single
        answer larger than this is not kept.

    Usage::

        FopMiddleware(app, cache=LRUStore(max_entries=10_000, max_bytes=64 << 20))
    """

    shared = False

    def __init__(self, *, max_entries: int = DEFAULT_MAX_ENTRIES, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        for name, value in (("max_entries", max_entries), ("max_bytes", max_bytes)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive int, not {value!r}")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: collections.OrderedDict[str, bytes] = collections.OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        size = len(key) + len(value)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= len(key) + len(old)
            self._entries[key] = value
            self.bytes += size
            while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
                dropped_key, dropped = self._entries.popitem(last=False)
                self.bytes -= len(dropped_key) + len(dropped)

    def __repr__(self) -> str:
        return f"<LRUStore {len(self._entries)}/{self.max_entries} entries, {self.bytes}/{self.max_bytes} bytes>"
