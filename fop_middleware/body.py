"""Getting a seekable file out of a response body without reading more than the extractor asks."""

from __future__ import annotations

import io
import os
import tempfile
import typing as t

from .errors import FileTooLarge

if t.TYPE_CHECKING:
    from typing import BinaryIO

#: Attributes under which WSGI file wrappers keep the file: wsgiref and gunicorn use
#: ``filelike``, werkzeug's ``FileWrapper`` and WebOb's ``FileIter`` use ``file``.
FILE_ATTRIBUTES = ("filelike", "file")

#: Bytes a spool keeps in memory before it moves to a temporary file.
DEFAULT_SPOOL_MEMORY = 1024 * 1024


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
    """

    def __init__(self, chunks: t.Iterable[bytes], *, max_bytes: int, memory_bytes: int = DEFAULT_SPOOL_MEMORY) -> None:
        super().__init__()
        self._chunks = iter(chunks)
        self._spool = tempfile.SpooledTemporaryFile(max_size=memory_bytes)
        self._filled = 0
        self._pos = 0
        self._exhausted = False
        self.max_bytes = max_bytes
        #: Set once the cap is hit, so the caller can still answer "too large" when a
        #: backend caught the :class:`FileTooLarge` and raised something else.
        self.overflowed = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def _fill_to(self, target: int | None) -> None:
        """Pull chunks until ``target`` bytes are spooled (None: all of them)."""
        while not self._exhausted and (target is None or self._filled < target):
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self._exhausted = True
                break
            if not chunk:
                continue
            if self._filled + len(chunk) > self.max_bytes:
                self.overflowed = True
                raise FileTooLarge()
            self._spool.seek(self._filled)
            self._spool.write(chunk)
            self._filled += len(chunk)

    def readinto(self, buffer: t.Any) -> int:
        view = memoryview(buffer).cast("B")
        self._fill_to(self._pos + len(view))
        self._spool.seek(self._pos)
        # SpooledTemporaryFile has no readinto() before Python 3.11.
        data = self._spool.read(len(view))
        n = len(data)
        view[:n] = data
        self._pos += n
        return n

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            pos = offset
        elif whence == os.SEEK_CUR:
            pos = self._pos + offset
        elif whence == os.SEEK_END:
            self._fill_to(None)
            pos = self._filled + offset
        else:
            raise ValueError(f"invalid whence {whence!r}")
        if pos < 0:
            raise OSError("negative seek position")
        self._pos = pos
        return pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        if not self.closed:
            self._spool.close()
        super().close()
