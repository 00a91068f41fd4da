"""Running a backend where a hostile file cannot take the serving process down.

A backend whose class says ``isolation = "process"`` (the ones that run native code:
``ffprobe``, ``pyav``, ``mediainfo``) runs in a helper process of a small per-process
pool (:mod:`.pool`), which gets the open file's descriptor, never its name. The helper
has an address-space limit; past the time limit (plus :data:`KILL_GRACE`) it is killed,
whatever C code it is stuck in, and the request gets a 599 while the serving process
goes on. Every backend, in a helper or in-process, reads through a
:class:`~.view.BoundedView`: never past the file's size at the request's start, never
more than the operation's cap (:data:`~.view.READ_CAPS`).

A body without a descriptor (a spooled response) is read over the helper's socket, one
read at a time, rather than copied to a temporary file first: the spool then fills only
as far as the parser reads, as it does in-process.
"""

from __future__ import annotations

import dataclasses
import logging
import pickle
import subprocess
import time
import typing as t
from multiprocessing.reduction import send_handle

from ..errors import ExtractorFailure, ExtractorTimeout, FopError
from ..extractor import Extractor, Source
from .pool import Helper, close_pools, get_pool
from .view import READ_CAPS, BoundedView, ReadLimitExceeded, is_regular

logger = logging.getLogger("fop_middleware")

ISOLATIONS = ("process", "inline")

#: Helpers per serving process: native extractions that run at once in one worker.
DEFAULT_HELPERS = 4

#: Address space of a helper. PyAV and libmediainfo loaded take ~150 MB of it; one
#: 4 KB file once drove libmediainfo to 3.2 GB.
DEFAULT_HELPER_MEMORY = 1024 * 1024 * 1024

#: Seconds a helper gets past the time limit before it is killed. The backend itself
#: stops at the limit when it can (and its answer is then refused as late).
KILL_GRACE = 0.25

#: Seconds past a hang's length a request waits for a busy pool's next free helper.
HELPER_WAIT = 2.0

#: Seconds a new helper may take to start and import its backend's libraries; not
#: counted in the request's time limit.
STARTUP_TIMEOUT = 15.0

__all__ = [
    "DEFAULT_HELPERS",
    "DEFAULT_HELPER_MEMORY",
    "ISOLATIONS",
    "READ_CAPS",
    "HelperDied",
    "ReadLimitExceeded",
    "close_pools",
    "extract",
]


class HelperDied(RuntimeError):
    """The helper died under a backend (a segfault, the memory limit): the backend crashed."""


class BackendCrashed(ExtractorFailure):
    """599: the backend raised a Python exception in its helper, which lives on."""


@dataclasses.dataclass(frozen=True)
class Limits:
    """How a backend call is run: where, with how many helpers, and how much memory each."""

    isolation: str = "process"
    helpers: int = DEFAULT_HELPERS
    helper_memory_bytes: int = DEFAULT_HELPER_MEMORY


def extract(op: str, backend: Extractor, source: Source, limits: Limits = Limits()) -> dict[str, t.Any]:
    """``backend.extract(source)`` under the limits; a late answer is a timeout, never a 200."""
    cap = READ_CAPS.get(op)
    isolated = limits.isolation == "process" and getattr(backend, "isolation", "inline") == "process"
    if isolated:
        try:
            payload = pickle.dumps(backend)
        except Exception:
            logger.warning("backend %r cannot be pickled; running it in-process", backend.name, exc_info=True)
        else:
            return _in_helper(backend, payload, source, cap, limits)
    return _inline(backend, source, cap)


def _inline(backend: Extractor, source: Source, cap: int | None) -> dict[str, t.Any]:
    view = BoundedView(source.stream, source.size, cap)
    deadline = time.monotonic() + source.timeout
    try:
        answer = backend.extract(dataclasses.replace(source, stream=t.cast("t.BinaryIO", view)))
    except Exception as e:
        if view.capped and not isinstance(e, ReadLimitExceeded):
            raise ReadLimitExceeded() from e
        if time.monotonic() > deadline and not isinstance(e, ExtractorTimeout):
            raise ExtractorTimeout() from e
        raise
    if view.capped:
        raise ReadLimitExceeded()
    if time.monotonic() > deadline:
        logger.error("%s backend %r answered after %.1f s on %r", backend.operation, backend.name, source.timeout, source.name)
        raise ExtractorTimeout()
    return answer


def _in_helper(backend: Extractor, payload: bytes, source: Source, cap: int | None, limits: Limits) -> dict[str, t.Any]:
    pool = get_pool(limits.helpers, limits.helper_memory_bytes)
    # A free helper may be a hang's length (plus its replacement's start) away.
    helper = pool.acquire(time.monotonic() + source.timeout + KILL_GRACE + HELPER_WAIT, payload)
    if helper is None:
        logger.error("no free helper for %r within %.1f s", source.name, source.timeout)
        raise ExtractorTimeout()
    healthy = False
    try:
        if not helper.warm:
            warm(helper, payload)
        answer = _run_job(helper, backend, payload, source, cap)
        healthy = True
        return answer
    except FopError as e:
        # A helper that timed out, died or failed in native code is killed on release
        # (a native library may be left in any state); a Python exception keeps it.
        healthy = isinstance(e, BackendCrashed) or not isinstance(e, ExtractorFailure)
        raise
    finally:
        pool.release(helper, healthy=healthy, warm_with=payload)


def warm(helper: Helper, payload: bytes) -> None:
    """Have a new helper import ``payload``'s backend; a 599 if it does not start in time."""
    try:
        helper.conn.send(("warm", payload))
        if helper.conn.poll(STARTUP_TIMEOUT) and helper.conn.recv()[0] == "ready":
            helper.warm = True
            return
    except (EOFError, OSError):
        pass
    logger.error("helper %d did not start within %.0f s", helper.pid, STARTUP_TIMEOUT)
    raise ExtractorFailure()


def _run_job(helper: Helper, backend: Extractor, payload: bytes, source: Source, cap: int | None) -> dict[str, t.Any]:
    conn = helper.conn
    deadline = time.monotonic() + source.timeout
    fd_mode = is_regular(source.stream)
    view = None if fd_mode else BoundedView(source.stream, source.size, cap)
    try:
        conn.send(("job", payload, source.name, source.size, source.timeout, cap, fd_mode))
        if fd_mode:
            send_handle(conn, source.stream.fileno(), helper.pid)
        while True:
            left = deadline + KILL_GRACE - time.monotonic()
            if left <= 0 or not conn.poll(left):
                logger.error("%s backend %r ran past %.1f s on %r; helper %d killed", backend.operation, backend.name, source.timeout, source.name, helper.pid)
                raise ExtractorTimeout()
            message = conn.recv()
            if message[0] == "read":
                conn.send(_serve_read(view, message[1], message[2]))
            elif message[0] == "size":
                conn.send(_serve_size(view))
            else:
                break
    except (EOFError, OSError) as e:
        try:
            code: int | str = helper.proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            code = "unknown"
        logger.error("%s backend %r killed its helper (exit %s) on %r", backend.operation, backend.name, code, source.name)
        raise HelperDied(f"helper exited with {code}") from e
    kind, value = message
    if view is not None and view.capped:
        raise ReadLimitExceeded()
    if kind == "ok":
        return t.cast("dict[str, t.Any]", value)
    if kind == "fop":
        raise t.cast(FopError, value)
    logger.error("%s backend %r crashed in its helper on %r:\n%s", backend.operation, backend.name, source.name, value)
    raise BackendCrashed()


def _serve_read(view: BoundedView | None, pos: int, n: int) -> tuple[str, object]:
    assert view is not None
    try:
        view.seek(pos)
        return "data", view.read(n)
    except ReadLimitExceeded as e:
        view.capped = True
        return "error", e
    except FopError as e:
        return "error", e
    except Exception as e:
        logger.warning("reading the body for a helper failed", exc_info=True)
        return "error", OSError(str(e))


def _serve_size(view: BoundedView | None) -> tuple[str, object]:
    assert view is not None
    try:
        return "data", view.seek(0, 2)
    except ReadLimitExceeded as e:
        view.capped = True
        return "error", e
    except FopError as e:
        return "error", e
    except Exception as e:
        return "error", OSError(str(e))
