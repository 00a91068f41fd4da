"""The helper process: runs one backend call at a time for the process that serves the site.

Started by :class:`~fop_middleware.supervisor.pool.Helper` as
``python -m fop_middleware.supervisor.helper FD MEMORY_BYTES``, it takes jobs from the
socket ``FD`` until that socket closes. A job is a pickled backend, the file's size,
name, time limit and read cap, and either the file's descriptor (passed with
``SCM_RIGHTS``) or nothing, in which case the file is read over the socket.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import resource
import signal
import sys
import time
import traceback
import typing as t
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle

from ..errors import ExtractorTimeout, FopError
from ..extractor import Source
from .view import BoundedView, DescriptorFile, ReadLimitExceeded

#: Seconds past its time limit after which a job kills its own helper, even when nobody is
#: left to do it (the serving process died while libmediainfo spun).
SELF_KILL_GRACE = 2.0


class RemoteFile(BoundedView):
    """The request's body read over the socket, for a body that has no descriptor."""

    def __init__(self, conn: Connection, size: int | None) -> None:
        super().__init__(t.cast("t.BinaryIO", None), size)
        self._conn = conn

    def fileno(self) -> int:
        raise OSError("a body read over the socket has no descriptor")

    def read(self, n: int | None = -1) -> bytes:
        self._conn.send(("read", self.tell(), -1 if n is None else n))
        data = t.cast(bytes, self._reply())
        self.seek(len(data), os.SEEK_CUR)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_END and self.size is None:
            self._conn.send(("size",))
            self.size = t.cast(int, self._reply())
        return super().seek(offset, whence)

    def _reply(self) -> object:
        kind, value = self._conn.recv()
        if kind == "error":
            raise t.cast(BaseException, value)
        return value


def limit_memory(limit: int) -> None:
    """Cap this process's address space: a parse that asks for more gets MemoryError or dies."""
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_job(conn: Connection, job: tuple[t.Any, ...]) -> tuple[str, object]:
    """Run one job; the reply is ``("ok", answer)``, ``("fop", error)`` or ``("crash", text)``."""
    _, backend_bytes, name, size, timeout, cap, has_fd = job
    stream: BoundedView
    if has_fd:
        # Buffered, as the serving process's own file is: parsers make many small reads.
        stream = BoundedView(t.cast("t.BinaryIO", io.BufferedReader(DescriptorFile(recv_handle(conn)))), size, cap)
    else:
        stream = RemoteFile(conn, size)
    deadline = time.monotonic() + timeout
    signal.setitimer(signal.ITIMER_REAL, timeout + SELF_KILL_GRACE)
    try:
        backend = pickle.loads(backend_bytes)
        source = Source(t.cast("t.BinaryIO", stream), name, None, size, timeout)
        reply: tuple[str, object] = ("ok", backend.extract(source))
    except FopError as e:
        reply = ("fop", e)
    except BaseException:
        reply = ("crash", traceback.format_exc())
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if has_fd:
            stream.stream.close()
    if stream.capped:
        return "fop", ReadLimitExceeded()
    if time.monotonic() > deadline:
        # An input cut short by the time limit can look like a complete file, or a bad one.
        return "fop", ExtractorTimeout()
    return reply


def serve(conn: Connection) -> None:
    """Answer jobs until the serving process closes the socket."""
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job[0] == "warm":
            # Import the backend's libraries before the first job's clock starts.
            pickle.loads(job[1])
            conn.send(("ready", None))
            continue
        reply = run_job(conn, job)
        try:
            conn.send(reply)
        except (pickle.PicklingError, TypeError, AttributeError):
            conn.send(("crash", traceback.format_exc()))


def main(argv: list[str]) -> int:
    fd, memory = int(argv[0]), int(argv[1])
    # SIGALRM ends the process (its default action), even inside C code: the job's own
    # watchdog. SIGINT belongs to the serving process's terminal, not to us.
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit_memory(memory)
    logging.basicConfig(level=logging.WARNING, format=f"fop-helper[{os.getpid()}] %(levelname)s %(name)s: %(message)s")
    serve(Connection(fd))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
