"""Pulling a response body on a thread of its own, so that a body that stalls can be abandoned.

A WSGI body is an iterator, and ``next()`` on it cannot be interrupted: a generator that
sleeps, or waits on a storage backend that never answers, would hold the request (and
every backend reading through the spool) forever. The :class:`Pump` runs each pull on
its own daemon thread and waits for it only until the request's deadline; past it the
caller gets :class:`~fop_middleware.errors.ExtractorTimeout` and the thread is left to
finish on its own.
"""

from __future__ import annotations

import contextvars
import logging
import queue
import threading
import typing as t

from .errors import ExtractorTimeout

logger = logging.getLogger("fop_middleware")

T = t.TypeVar("T")

_local = threading.local()


class Pump:
    """One daemon thread that runs jobs (pulls of one body) one at a time, with a deadline.

    Jobs run in a copy of the creating thread's context, so a body that reads context
    variables (Flask's ``stream_with_context``) sees what it would in the request thread,
    and :func:`close_body` closes the body in that same context, where the body set its
    variables. Once abandoned, those closes run on this thread after the stalled pull
    returns, since a generator cannot be closed while it runs.
    """

    def __init__(self, name: str = "fop-body") -> None:
        self._context = contextvars.copy_context()
        self._jobs: queue.SimpleQueue[t.Callable[[], None] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._deferred: list[t.Callable[[], object]] = []
        self._busy = False
        self._finished = False
        self.abandoned = False
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()
        _local.pump = self

    def call(self, fn: t.Callable[[], T], timeout: float) -> T:
        """``fn()``'s result or exception, or :class:`ExtractorTimeout` after ``timeout`` seconds."""
        if self.abandoned:
            raise ExtractorTimeout()
        done: queue.SimpleQueue[tuple[bool, t.Any]] = queue.SimpleQueue()

        def job() -> None:
            try:
                done.put((True, self._context.run(fn)))
            except BaseException as e:  # handed to the caller, who re-raises it
                done.put((False, e))

        with self._lock:
            self._busy = True
        self._jobs.put(job)
        try:
            ok, value = done.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            self._abandon()
            raise ExtractorTimeout() from None
        if not ok:
            raise value
        return t.cast(T, value)

    def stop(self) -> None:
        """Let the thread end once it is idle."""
        self._jobs.put(None)

    def defer(self, close: t.Callable[[], object]) -> bool:
        """Run ``close`` on this thread once its stalled job returns; False if it is idle."""
        with self._lock:
            if not self._busy or self._finished:
                return False
            self._deferred.append(close)
            return True

    def close_in_context(self, close: t.Callable[[], object]) -> None:
        """Run ``close`` now, or on this thread once a stalled job returns; in the jobs' context."""
        if not self.defer(close):
            self._context.run(close)

    def _abandon(self) -> None:
        self.abandoned = True
        self.stop()

    def _work(self) -> None:
        try:
            while (job := self._jobs.get()) is not None:
                job()
                with self._lock:
                    self._busy = False
                    deferred, self._deferred = self._deferred, []
                self._run_deferred(deferred)
        finally:
            with self._lock:
                self._finished = True
                deferred, self._deferred = self._deferred, []
            self._run_deferred(deferred)

    def _run_deferred(self, deferred: list[t.Callable[[], object]]) -> None:
        for close in deferred:
            try:
                self._context.run(close)
            except Exception:
                logger.warning("closing an abandoned response body failed", exc_info=True)


def close_body(close: t.Callable[[], object]) -> None:
    """Call ``close`` (a response body's ``close``) where the body was pulled.

    Adapters close what the wrapped app returned through this. When this thread's request
    pulled its body on a :class:`Pump`, the close runs in the pump's context (a Flask
    streaming body resets its context variables there); after a timeout the body's
    generator may still be running on the abandoned pump, and closing it now would raise
    ``ValueError: generator already executing``, so the pump closes it when it returns.
    """
    pump: Pump | None = getattr(_local, "pump", None)
    if pump is None:
        close()
    else:
        pump.close_in_context(close)


def forget_pump() -> None:
    """Start a request with no pump left from this thread's previous one."""
    _local.pump = None
