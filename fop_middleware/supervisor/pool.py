"""Long-lived helper processes, a few per serving process, started lazily and replaced on death.

Helpers are started with :mod:`subprocess` (``posix_spawn``/``vfork``), never by forking
a process that runs threads, and each in a session of its own so that killing it kills
what it started (ffprobe). A pool remembers the pid that made it: a gunicorn worker
forked from a master that had a pool makes its own and leaves the master's helpers alone.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import typing as t
from multiprocessing.connection import Connection

logger = logging.getLogger("fop_middleware")

#: Jobs a helper runs before it is replaced, so that what a native library leaks or
#: fragments does not pile up for the life of the worker.
MAX_JOBS = 500


class Helper:
    """One helper process and the socket to it."""

    def __init__(self, memory_bytes: int) -> None:
        ours, theirs = socket.socketpair()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "fop_middleware.supervisor.helper", str(theirs.fileno()), str(memory_bytes)],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env=env,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.jobs = 0
        #: Set once it has imported a backend's libraries and said so.
        self.warm = False
        self.pid = self.proc.pid

    def kill(self) -> None:
        """Kill the helper and everything it started, and reap it."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.close()

    def close(self) -> None:
        """Close the socket (an idle helper exits on it) and reap the process."""
        self.conn.close()
        try:
            self.proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()

    def abandon(self) -> None:
        """Forget a helper inherited over ``fork()``: close our copy of its socket only."""
        self.conn.close()
        # Not this process's child: there is nothing to reap, and nothing to warn about
        # when its Popen is collected.
        self.proc.returncode = -signal.SIGKILL


class HelperPool:
    """Up to ``size`` helpers of this process; a caller waits for a free one.

    :param size: helpers at most, i.e. native extractions running at once.
    :param memory_bytes: address-space limit of each helper (``RLIMIT_AS``); 0: none.
    """

    def __init__(self, size: int, memory_bytes: int) -> None:
        self.size = size
        self.memory_bytes = memory_bytes
        self.pid = os.getpid()
        self._idle: list[Helper] = []
        self._running = 0
        self._cond = threading.Condition()
        self.started = 0

    def acquire(self, deadline: float, warm_with: bytes | None = None) -> Helper | None:
        """An idle helper, a new one, or None when none is free before ``deadline``.

        Taking the last idle helper starts a spare in the background (up to ``size``),
        importing ``warm_with``'s backend: the next request, say the one after a hang,
        then finds a helper ready instead of waiting for one to start.
        """
        with self._cond:
            while not self._idle and self._running >= self.size:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)
            self._running += 1
            helper = self._idle.pop() if self._idle else None
            spare = warm_with is not None and helper is not None and not self._idle and self._running < self.size
            if spare:
                self._running += 1
        if spare:
            self._start_replacement(t.cast(bytes, warm_with))
        if helper is not None:
            return helper
        try:
            helper = Helper(self.memory_bytes)
        except BaseException:
            self._done()
            raise
        self.started += 1
        return helper

    def release(self, helper: Helper, *, healthy: bool, warm_with: bytes | None = None) -> None:
        """Give ``helper`` back; one that failed or ran :data:`MAX_JOBS` jobs is killed.

        A killed helper's replacement starts at once, in the background, and imports
        ``warm_with``'s backend, so that the next request does not wait for it.
        """
        helper.jobs += 1
        if healthy and helper.jobs < MAX_JOBS and helper.proc.poll() is None:
            self._give_back(helper)
            return
        helper.kill()
        if warm_with is None or os.getpid() != self.pid:
            self._done()
            return
        self._start_replacement(warm_with)

    def _start_replacement(self, payload: bytes) -> None:
        """Start a helper in the background for a slot already counted as running."""
        threading.Thread(target=self._replace, args=(payload,), name="fop-helper-start", daemon=True).start()

    def _replace(self, payload: bytes) -> None:
        from . import warm

        try:
            helper = Helper(self.memory_bytes)
        except Exception:
            logger.exception("cannot start a helper process")
            self._done()
            return
        self.started += 1
        try:
            warm(helper, payload)
        except Exception:
            helper.kill()
            self._done()
            return
        self._give_back(helper)

    def _give_back(self, helper: Helper) -> None:
        with self._cond:
            self._idle.append(helper)
            self._running -= 1
            self._cond.notify()

    def _done(self) -> None:
        with self._cond:
            self._running -= 1
            self._cond.notify()

    def close(self) -> None:
        """Stop the idle helpers (busy ones are stopped when they are given back)."""
        with self._cond:
            idle, self._idle = self._idle, []
        for helper in idle:
            helper.close()

    def abandon(self) -> None:
        """Forget the helpers without locking: after ``fork()`` the lock may be held for good."""
        idle, self._idle = self._idle, []
        for helper in idle:
            helper.abandon()


_pools: dict[tuple[int, int], HelperPool] = {}
_pools_lock = threading.Lock()


def get_pool(size: int, memory_bytes: int) -> HelperPool:
    """This process's pool for these settings; a pool inherited over ``fork()`` is never reused."""
    key = (size, memory_bytes)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is not None and pool.pid == os.getpid():
            return pool
        if pool is not None:
            pool.abandon()
        pool = _pools[key] = HelperPool(size, memory_bytes)
        return pool


def _forget_pools() -> None:
    """In a forked child: the parent's helpers are not ours to use (gunicorn's pre-fork)."""
    global _pools_lock
    _pools_lock = threading.Lock()
    for pool in _pools.values():
        pool.abandon()
    _pools.clear()


def close_pools() -> None:
    """Stop every idle helper of this process (tests, and a clean interpreter exit)."""
    with _pools_lock:
        pools = [p for p in _pools.values() if p.pid == os.getpid()]
    for pool in pools:
        pool.close()


os.register_at_fork(after_in_child=_forget_pools)
atexit.register(close_pools)
