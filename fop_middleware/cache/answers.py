"""Look an answer up by the file's identity before extracting, keep new ones, survive a failing store."""

from __future__ import annotations

import json
import logging
import marshal
import threading
import time
import typing as t

from ..errors import BadRequest, FileTooLarge, FopError
from .base import StorePort
from .keys import answer_key, file_identity, header_identity

if t.TYPE_CHECKING:
    from typing import BinaryIO

logger = logging.getLogger("fop_middleware")

#: A store fault is logged at most this often, in seconds.
LOG_INTERVAL = 60.0
#: After a fault the store is left alone this long, so a hung server costs one time-out, not one per request.
RETRY_AFTER = 5.0
#: How long a request waits for another thread of this process extracting the same file
#: before it extracts too; backends have their own time limit, this only bounds the wait.
FOLLOW_WAIT = 60.0

_ANSWER = b"A"
_ERROR = b"E"
#: In-process values only: marshal loads a 3 KB answer ~4x faster than json, but is never
#: read from a store another host can write.
_MARSHALLED = b"M"


class CachedError(BadRequest):
    """A verdict on a file (a 400) read back from the cache."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def is_cacheable(error: BaseException) -> bool:
    """Whether ``error`` is the file's fault and would come again: a 4xx, but not a size cap of this config."""
    return isinstance(error, FopError) and 400 <= error.status < 500 and not isinstance(error, FileTooLarge)


class AnswerCache:
    """Look answers up by file identity before extracting, and keep new ones.

    :param store: where the answers live; its faults become misses, logged once per minute.
    :param context: what else decides an answer (the project's version); the operation and
        backend order come with each key.
    """

    def __init__(self, store: StorePort, *, context: t.Sequence[t.Any] = (), retry_after: float = RETRY_AFTER) -> None:
        self.store = store
        self.context = list(context)
        self.retry_after = retry_after
        self._down_until = 0.0
        self._logged_at: float | None = None
        self._lock = threading.Lock()
        self._inflight: dict[str, threading.Event] = {}

    def key(
        self,
        op: str,
        order: t.Sequence[str],
        name: str,
        path: str | None,
        headers: t.Sequence[tuple[str, str]],
        file: BinaryIO | None,
        query: str = "",
    ) -> str | None:
        """The key of this response's answer, or None when the body has no identity.

        ``query`` is what the app saw of the query string; it names a body only through its
        headers, since a file is the same whatever the query (signed URLs share its entry).
        """
        identity = file_identity(file, path, shared=self.store.shared) or header_identity(headers, path, query)
        if identity is None:
            return None
        # ``name`` is in the answer (ffprobe's format.filename), so it is part of the key.
        return answer_key([*self.context, op, list(order), name], identity)

    def fetch(self, key: str | None, compute: t.Callable[[], dict[str, t.Any]]) -> dict[str, t.Any]:
        """The cached answer under ``key``, or ``compute()``'s, kept when it is cacheable.

        A cached 400 is raised again as a :class:`CachedError`. Threads of this process that
        miss the same key while one of them extracts wait for its answer instead of
        extracting the file again.
        """
        if key is None:
            return compute()
        answer = self._lookup(key)
        if answer is not None:
            return answer
        with self._lock:
            running = self._inflight.get(key)
            if running is None:
                self._inflight[key] = threading.Event()
        if running is not None:
            running.wait(FOLLOW_WAIT)
            answer = self._lookup(key)
            return answer if answer is not None else self._compute_and_keep(key, compute)
        try:
            return self._compute_and_keep(key, compute)
        finally:
            with self._lock:
                self._inflight.pop(key).set()

    def _lookup(self, key: str) -> dict[str, t.Any] | None:
        raw = self._get(key)
        return None if raw is None else _decode(raw, trusted=not self.store.shared)

    def _compute_and_keep(self, key: str, compute: t.Callable[[], dict[str, t.Any]]) -> dict[str, t.Any]:
        try:
            answer = compute()
        except FopError as e:
            if is_cacheable(e):
                self._set(key, _ERROR + json.dumps([e.status, e.message]).encode("utf-8"))
            raise
        try:
            value = _encode(answer, shared=self.store.shared)
        except (TypeError, ValueError):
            logger.warning("answer for %s is not JSON-ready; not cached", key, exc_info=True)
            return answer
        self._set(key, value)
        return answer

    def _get(self, key: str) -> bytes | None:
        if time.monotonic() < self._down_until:
            return None
        try:
            return self.store.get(key)
        except Exception as e:
            self._fault("get", e)
            return None

    def _set(self, key: str, value: bytes) -> None:
        if time.monotonic() < self._down_until:
            return
        try:
            self.store.set(key, value)
        except Exception as e:
            self._fault("set", e)

    def _fault(self, call: str, error: Exception) -> None:
        now = time.monotonic()
        self._down_until = now + self.retry_after
        with self._lock:
            if self._logged_at is not None and now - self._logged_at < LOG_INTERVAL:
                return
            self._logged_at = now
        logger.warning("answer cache %r failed on %s (answering without it): %s: %s", self.store, call, type(error).__name__, error)


def _encode(answer: dict[str, t.Any], *, shared: bool) -> bytes:
    if shared:
        return _ANSWER + json.dumps(answer, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return _MARSHALLED + marshal.dumps(answer)


def _decode(raw: bytes, *, trusted: bool) -> dict[str, t.Any] | None:
    """The answer in ``raw``; raises the cached error; None for a value this version did not write."""
    kind, payload = raw[:1], raw[1:]
    try:
        if kind == _MARSHALLED:
            value = marshal.loads(payload) if trusted else None
        else:
            value = json.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if kind in (_MARSHALLED, _ANSWER) and isinstance(value, dict):
        return value
    if kind == _ERROR and isinstance(value, list) and len(value) == 2:
        raise CachedError(int(value[0]), str(value[1]))
    return None
