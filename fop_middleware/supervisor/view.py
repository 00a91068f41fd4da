"""What a backend may read of a file: never past its size at the request's start, never past a cap.

libmediainfo crashes when a file yields more bytes than the size it was told (a file that
grows while it is read), and a 10 GiB sparse file keeps a parser reading for half a
minute. Each backend therefore reads through a :class:`BoundedView`: the size is taken
once, when the request starts, and the view ends there; the bytes it hands out are
counted, and the read that would pass the operation's cap fails instead.
"""

from __future__ import annotations

import io
import os
import stat
import typing as t

from ..body import seek_target
from ..errors import BadRequest

#: Bytes a backend may read of one file, per operation, whatever the file. Measured over
#: ``../shared/corpus/media`` and the test suite's large files (README, "Supervision"):
#: the most any avinfo backend read of one file is a few MiB (ffprobe's 5 MB probe size,
#: libmediainfo's 2 MiB from each end of an MPEG-TS); EXIF lives in the first segments.
READ_CAPS = {"avinfo": 64 * 1024 * 1024, "exif": 16 * 1024 * 1024}


class ReadLimitExceeded(BadRequest):
    """400: the backend asked for more of the file than the operation's documented cap."""

    default_message = "the file needs more reading than this operation allows"


def is_regular(f: t.Any) -> bool:
    """Whether ``f`` has a descriptor of a regular file (not a device, pipe or socket)."""
    try:
        return stat.S_ISREG(os.fstat(f.fileno()).st_mode)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False


def is_special(f: t.Any) -> bool:
    """Whether ``f`` has a descriptor that is not a regular file: a device, FIFO or socket."""
    try:
        return not stat.S_ISREG(os.fstat(f.fileno()).st_mode)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False


def capped_chunks(f: t.Any, size: int, cap: int | None) -> t.Iterator[bytes]:
    """``f``'s bytes in chunks of ``size``; past ``cap`` bytes, :class:`ReadLimitExceeded`.

    For a file with no end to stop at (a device): even a seek to its end, which fills a
    spool, reads no more than the cap.
    """
    total = 0
    while chunk := f.read(size):
        total += len(chunk)
        if cap is not None and total > cap:
            raise ReadLimitExceeded()
        yield chunk


class _Positioned(io.RawIOBase):
    """A seekable, read-only raw file that keeps its own position; subclasses read and know the end."""

    _pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: t.Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        self._pos = seek_target(offset, whence, self._pos, self._end)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def _end(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement _end()")


class BoundedView(_Positioned):
    """A seekable read-only view of ``stream`` that ends at ``size`` and counts what it reads.

    :param stream: the request's file (or spool); its position is the view's own.
    :param size: the file's size at the request's start; None when unknown (a spool,
        which caps itself), then the stream's own end is the end.
    :param cap: bytes this view may hand out in all; the read that passes it raises
        :class:`ReadLimitExceeded` and sets :attr:`capped`.
    """

    def __init__(self, stream: t.BinaryIO, size: int | None, cap: int | None = None) -> None:
        super().__init__()
        self.stream = stream
        self.size = size
        self.cap = cap
        self.bytes_read = 0
        self.capped = False
        self._pos = 0

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def deadline(self) -> float | None:
        """The request's deadline when the stream is a spool that has one."""
        deadline = getattr(self.stream, "deadline", None)
        return deadline if isinstance(deadline, float) else None

    def complete_fileno(self) -> int | None:
        """The descriptor of a spool's own file once pulled whole, or None (see ``LazySpool``)."""
        complete = getattr(self.stream, "complete_fileno", None)
        return complete() if callable(complete) else None

    def read(self, n: int | None = -1) -> bytes:
        want = n if n is not None and n >= 0 else -1
        if self.size is not None:
            left = max(0, self.size - self._pos)
            want = left if want < 0 else min(want, left)
        if want == 0:
            return b""
        if want < 0 and self.cap is not None:
            want = self.cap - self.bytes_read + 1
        self.stream.seek(self._pos)
        data = self.stream.read(want)
        if self.cap is not None and self.bytes_read + len(data) > self.cap:
            self.capped = True
            raise ReadLimitExceeded()
        self._pos += len(data)
        self.bytes_read += len(data)
        return data

    def readall(self) -> bytes:
        return self.read(-1)

    def _end(self) -> int:
        return self.size if self.size is not None else self.stream.seek(0, os.SEEK_END)

    def close(self) -> None:
        """Leave the stream open: it is the caller's."""
        super().close()


class DescriptorFile(_Positioned):
    """A file read by ``pread`` on a descriptor handed over by another process.

    ``pread`` leaves the descriptor's shared offset alone, so the process that opened the
    file (and may still serve it) never sees its position move.
    """

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self._pos = 0

    def fileno(self) -> int:
        return self._fd

    def read(self, n: int | None = -1) -> bytes:
        if n is None or n < 0:
            n = max(0, os.fstat(self._fd).st_size - self._pos)
        data = os.pread(self._fd, n, self._pos)
        self._pos += len(data)
        return data

    def _end(self) -> int:
        return os.fstat(self._fd).st_size

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()
