"""A per-process bound on concurrent extractions, so heavy ``?avinfo`` work cannot starve plain requests.

Each extraction holds a worker thread and CPU (a pyav probe, a spool being pulled, an
ffprobe child). Past :attr:`ExtractionLimiter.slots` at once, a request waits at most
``wait`` seconds for a slot, then answers ``503`` with ``Retry-After`` instead of queueing
behind the others while the server's threads, and the plain GETs they would serve, wait.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import typing as t

from .errors import ServiceBusy

if t.TYPE_CHECKING:
    from collections.abc import Iterator

#: The cap when nothing says how many threads the worker runs: a process gains nothing
#: from more extractions at once than it has cores, and four keeps a large machine's
#: worker from running dozens of probes while its plain requests wait.
DEFAULT_MAX_SLOTS = 4

#: Seconds a request waits for a slot before its 503.
DEFAULT_WAIT = 1.0


def default_slots(threads: int | None = None) -> int:
    """How many extractions may run at once in a worker with ``threads`` threads.

    One thread is kept for plain requests when there are several, and never more than the
    cores (or :data:`DEFAULT_MAX_SLOTS` when the thread count is unknown).
    """
    cores = os.cpu_count() or 1
    if threads is None:
        return max(1, min(DEFAULT_MAX_SLOTS, cores))
    return max(1, min(threads - 1, cores))


class ExtractionLimiter:
    """At most ``slots`` extractions at once in this process; the others wait, then get a 503.

    :param slots: extractions allowed at once.
    :param wait: seconds a request waits for a slot.

    Usage::

        limiter = ExtractionLimiter(2, wait=1.0)
        with limiter.slot():
            answer = extract(...)
    """

    def __init__(self, slots: int, wait: float = DEFAULT_WAIT) -> None:
        if not isinstance(slots, int) or isinstance(slots, bool) or slots < 1:
            raise ValueError(f"max_extractions must be a positive int, not {slots!r}")
        if not isinstance(wait, (int, float)) or isinstance(wait, bool) or wait < 0:
            raise ValueError(f"extraction_wait must be a non-negative number of seconds, not {wait!r}")
        self.slots = slots
        self.wait = float(wait)
        self._semaphore = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self.busy = 0

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the ``with`` block, or raise :class:`ServiceBusy` after the wait."""
        if not self._semaphore.acquire(timeout=self.wait):
            raise ServiceBusy(max(1, math.ceil(self.wait)))
        with self._lock:
            self.busy += 1
        try:
            yield
        finally:
            with self._lock:
                self.busy -= 1
            self._semaphore.release()
