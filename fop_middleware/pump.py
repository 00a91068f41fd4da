"""Pulling a response body on a thread of its own, so that a body that stalls can be abandoned.

A WSGI body is an iterator, and ``next()`` on it cannot be interrupted: a generator that
sleeps, or waits on a storage backend that never answers, would hold the request (and
every backend reading through the spool) forever. A :class:`Pump` runs each pull on its
own daemon thread and waits for it only until the request's deadline; past it the caller
gets :class:`~fop_middleware.errors.ExtractorTimeout` and the thread is left to finish on
its own. Idle pumps are kept for the next request: starting a thread costs more than the
whole spooled request otherwise does.
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

#: Idle pumps kept per process; more are started when needed and end when released.
MAX_IDLE_PUMPS = 8

_local = threading.local()
_idle: list[Pump] = []
_idle_lock = threading.Lock()


class Pump:
    """One daemon thread that runs jobs (pulls of one body) one at a time, with a deadline.

    Get one with :func:`lease_pump` and give it back with :meth:`release`. Jobs run in a
    copy of the leasing thread's context, so a body that reads context variables (Flask's
    ``stream_with_context``) sees what it would in the request thread, and
    :func:`close_body` closes the body in that same context, where the body set its
    variables. An abandoned pump is never leased again; closes handed to it run on its
    thread after the stalled pull returns, since a generator cannot be closed while it runs.
    """

    def __init__(self, name: str = "fop-body") -> None:
        self.context = contextvars.copy_context()
        self._jobs: queue.SimpleQueue[t.Callable[[], None] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._deferred: list[t.Callable[[], object]] = []
        self._busy = False
        self._finished = False
        self.abandoned = False
        threading.Thread(target=self._work, name=name, daemon=True).start()

    def call(self, fn: t.Callable[[], T], timeout: float) -> T:
        """``fn()``'s result or exception, or :class:`ExtractorTimeout` after ``timeout`` seconds."""
        if self.abandoned:
            raise ExtractorTimeout()
        done: queue.SimpleQueue[tuple[bool, t.Any]] = queue.SimpleQueue()
        context = self.context

        def job() -> None:
            try:
                done.put((True, context.run(fn)))
            except BaseException as e:  # handed to the caller, who re-raises it
                done.put((False, e))

        with self._lock:
            self._busy = True
        self._jobs.put(job)
        try:
            ok, value = done.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            self.abandoned = True
            self._jobs.put(None)
            raise ExtractorTimeout() from None
        if not ok:
            raise value
        return t.cast(T, value)

    def release(self) -> None:
        """Give the pump back for another request, or let its thread end."""
        if self.abandoned:
            return
        with _idle_lock:
            if len(_idle) < MAX_IDLE_PUMPS:
                _idle.append(self)
                return
        self._jobs.put(None)

    def defer(self, close: t.Callable[[], object]) -> bool:
        """Run ``close`` on this thread once its stalled job returns; False if it is idle."""
        with self._lock:
            if not self._busy or self._finished:
                return False
            self._deferred.append(close)
            return True

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
                self.context.run(close)
            except Exception:
                logger.warning("closing an abandoned response body failed", exc_info=True)


class _Lease:
    """What :func:`close_body` needs of this thread's request: its pump and its context."""

    __slots__ = ("pump", "context")

    def __init__(self, pump: Pump, context: contextvars.Context) -> None:
        self.pump = pump
        self.context = context


def lease_pump() -> Pump:
    """An idle pump (or a new one) for this thread's request, running in its context."""
    with _idle_lock:
        pump = _idle.pop() if _idle else None
    if pump is None:
        pump = Pump()
    else:
        pump.context = contextvars.copy_context()
    _local.lease = _Lease(pump, pump.context)
    return pump


def next_within(iterator: t.Iterator[bytes], timeout: float) -> bytes:
    """The iterator's first chunk (``b""`` at its end), or :class:`ExtractorTimeout` after ``timeout``.

    For an app that calls ``start_response`` only when its body is first iterated: that
    first pull is timed like the rest.
    """
    pump = lease_pump()
    try:
        return pump.call(lambda: next(iterator, b""), timeout)
    finally:
        pump.release()


def close_body(close: t.Callable[[], object]) -> None:
    """Call ``close`` (a response body's ``close``) where the body was pulled.

    Adapters close what the wrapped app returned through this. When this thread's request
    pulled its body on a :class:`Pump`, the close runs in the pump's context (a Flask
    streaming body resets its context variables there); after a timeout the body's
    generator may still be running on the abandoned pump, and closing it now would raise
    ``ValueError: generator already executing``, so the pump closes it when it returns.
    """
    lease: _Lease | None = getattr(_local, "lease", None)
    if lease is None:
        close()
    elif not (lease.pump.abandoned and lease.pump.defer(close)):
        lease.context.run(close)


def forget_pump() -> None:
    """Start a request with no pump left from this thread's previous one."""
    _local.lease = None
