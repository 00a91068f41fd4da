"""Getting a seekable file out of a response body without reading more than the extractor asks."""

from __future__ import annotations

import io
import os
import stat
import tempfile
import threading
import time
import typing as t

from .errors import BodyLengthMismatch, ExtractorTimeout, FileTooLarge, FopError
from .pump import lease_pump

if t.TYPE_CHECKING:
    from typing import BinaryIO

#: Attributes under which WSGI file wrappers keep the file: wsgiref and gunicorn use
#: ``filelike``, werkzeug's ``FileWrapper`` and WebOb's ``FileIter`` use ``file``.
FILE_ATTRIBUTES = ("filelike", "file")

#: Bytes a spool keeps in memory before it moves to a temporary file.
DEFAULT_SPOOL_MEMORY = 1024 * 1024



def seek_target(offset: int, whence: int, pos: int, end: t.Callable[[], int]) -> int:
    """The position ``seek(offset, whence)`` moves to from ``pos``; ``end()`` is asked only for SEEK_END."""
    if whence == os.SEEK_SET:
        target = offset
    elif whence == os.SEEK_CUR:
        target = pos + offset
    elif whence == os.SEEK_END:
        target = end() + offset
    else:
        raise ValueError(f"invalid whence {whence!r}")
    if target < 0:
        raise OSError("negative seek position")
    return target

class FileWrapper:
    """The ``wsgi.file_wrapper`` handed to the wrapped app on a fop request.

    It keeps the file where :func:`file_behind` finds it, and iterates like any wrapper
    for a response that goes back unchanged (a redirect, say).
    """

    def __init__(self, filelike: t.Any, blksize: int = 8192) -> None:
        self.filelike = filelike
        self.blksize = blksize

    def __iter__(self) -> t.Iterator[bytes]:
        while data := self.filelike.read(self.blksize):
            yield data

    def close(self) -> None:
        close = getattr(self.filelike, "close", None)
        if close is not None:
            close()


def _is_seekable(f: t.Any) -> bool:
    try:
        return bool(f.seekable()) and callable(getattr(f, "read", None))
    except Exception:
        return False


def file_behind(body: t.Any) -> BinaryIO | None:
    """The seekable binary file a response body wraps, or None if it is not a file wrapper."""
    for attr in FILE_ATTRIBUTES:
        f = getattr(body, attr, None)
        if f is not None and _is_seekable(f) and not isinstance(f, io.TextIOBase):
            return t.cast("BinaryIO", f)
    return None


def path_of(f: t.Any) -> str | None:
    """The filesystem path of an open file, if it has one; for tools that need a path."""
    name = getattr(f, "name", None)
    if isinstance(name, str) and os.path.isabs(name) and os.path.isfile(name):
        return name
    return None


def size_of(f: BinaryIO) -> int | None:
    """The file's size without reading it."""
    try:
        return os.fstat(f.fileno()).st_size
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        pass
    try:
        here = f.tell()
        size = f.seek(0, os.SEEK_END)
        f.seek(here)
        return size
    except (OSError, ValueError):
        return None


class LazySpool(io.RawIOBase):
    """A seekable view of a chunk iterator that pulls chunks only as reads reach them.

    Pulled bytes go to a spool (memory first, a temporary file past ``memory_bytes``);
    reading or seeking past ``max_bytes`` raises :class:`FileTooLarge`. Closing the spool
    drops what it kept; closing the iterator is the caller's job.

    :param size: the body's declared length (its Content-Length): a seek to the end is
        answered from it without pulling, and a body that ends short of it or runs past
        it raises :class:`BodyLengthMismatch` once a read reaches the difference.
    :param deadline: a :func:`time.monotonic` time past which pulling raises
        :class:`ExtractorTimeout`; with it, pulls run on a :class:`~fop_middleware.pump.Pump`
        thread, so a body that stalls is abandoned instead of blocking the request.
    """

    def __init__(
        self,
        chunks: t.Iterable[bytes],
        *,
        max_bytes: int,
        memory_bytes: int = DEFAULT_SPOOL_MEMORY,
        size: int | None = None,
        deadline: float | None = None,
    ) -> None:
        super().__init__()
        self._chunks = iter(chunks)
        self._spool = tempfile.SpooledTemporaryFile(max_size=memory_bytes)
        self._filled = 0
        self._pos = 0
        self._exhausted = False
        self._lock = threading.Lock()
        self.max_bytes = max_bytes
        self.size = size
        self.deadline = deadline
        # A list (a Django HttpResponse's content) cannot stall: no thread for it.
        threaded = deadline is not None and not isinstance(chunks, (list, tuple))
        self._pump = lease_pump() if threaded else None
        #: The spool's own error once one is raised (too large, wrong length, timed out),
        #: so the caller can still answer it when a backend caught it and raised another.
        self.error: FopError | None = None

    @property
    def overflowed(self) -> bool:
        """Whether the cap was hit."""
        return isinstance(self.error, FileTooLarge)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def time_left(self) -> float | None:
        """Seconds until the deadline (None: no deadline)."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def _fill_to(self, target: int | None) -> None:
        """Pull chunks until ``target`` bytes are spooled (None: all of them)."""
        if self.size is not None and target is not None and target >= self.size:
            # A read reaching the declared end checks that the body ends there too.
            target = None
        if self._exhausted or (target is not None and self._filled >= target):
            return
        try:
            if self._pump is None:
                self._pull_to(target)
            else:
                self._pump.call(lambda: self._pull_to(target), t.cast(float, self.time_left()))
        except FopError as e:
            self.error = self.error or e
            raise

    def _pull_to(self, target: int | None) -> None:
        while not self._exhausted and (target is None or self._filled < target):
            if self.deadline is not None and time.monotonic() > self.deadline:
                raise ExtractorTimeout()
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self._exhausted = True
                if self.size is not None and self._filled != self.size:
                    raise BodyLengthMismatch() from None
                break
            if not chunk:
                continue
            end = self._filled + len(chunk)
            if self.size is not None and end > self.size:
                raise BodyLengthMismatch()
            if end > self.max_bytes:
                raise FileTooLarge()
            with self._lock:
                if self.closed:
                    return
                self._spool.seek(self._filled)
                self._spool.write(chunk)
                self._filled = end

    def readinto(self, buffer: t.Any) -> int:
        view = memoryview(buffer).cast("B")
        want = len(view)
        if self.size is not None:
            want = max(0, min(want, self.size - self._pos))
        if want == 0:
            return 0
        self._fill_to(self._pos + want)
        self._spool.seek(self._pos)
        # SpooledTemporaryFile has no readinto() before Python 3.11.
        data = self._spool.read(want)
        n = len(data)
        view[:n] = data
        self._pos += n
        return n

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        self._pos = seek_target(offset, whence, self._pos, self._end)
        return self._pos

    def _end(self) -> int:
        if self.size is None:
            self._fill_to(None)
            return self._filled
        return self.size

    def tell(self) -> int:
        return self._pos

    def complete_fileno(self) -> int:
        """Pull the whole body into the spool's temporary file and return its descriptor.

        For a tool that needs the whole file on disk (ffprobe): it reads the spool's own
        file, never a second copy. The descriptor stays the spool's.
        """
        self._fill_to(None)
        with self._lock:
            self._spool.rollover()
            self._spool.flush()
            return self._spool.fileno()

    def close(self) -> None:
        with self._lock:
            if not self.closed:
                self._spool.close()
            super().close()
        if self._pump is not None:
            self._pump.release()
            self._pump = None


def is_regular_file(f: t.Any) -> bool:
    """Whether ``f`` has a bounded size: a regular file, or an object with no descriptor.

    A character device (``/dev/zero``), a FIFO or a socket may be seekable and still never
    end; such a body is spooled under the caps like a stream, never read in place.
    """
    try:
        fd = f.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return True
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode)
    except (OSError, ValueError, TypeError):
        return False


def file_chunks(f: t.Any, size: int = 64 * 1024) -> t.Iterator[bytes]:
    """The file's bytes from where it stands, in chunks; for a file that is not regular."""
    while data := f.read(size):
        yield data
