"""A cap on the bytes, and a deadline on the time, the pure-Python EXIF reader may spend on a file.

Every loop of the reader (libexif's JPEG marker scan, the box and chunk walks) reads from
its stream at least once per 4 KiB it covers, so checking at each read bounds them all:
a JPEG of 163,837 COM segments made the scan read 655 MB and run 13 s past a 0.5 s timeout.
"""

from __future__ import annotations

import os
import time
import typing as t

from ..errors import ExtractorTimeout, ReadCapExceeded

if t.TYPE_CHECKING:
    from typing import BinaryIO

#: The most any real file needed over the project's image corpus was 18 KB (a DNG); one
#: APP1 segment or TIFF block is at most 64 KiB. Past this, the file is refused.
MAX_READ_BYTES = 512 * 1024


class BudgetedStream:
    """``stream`` for reading and seeking, raising once ``max_bytes`` are read or ``timeout`` s passed.

    :param stream: the source's stream; not closed here.
    :param max_bytes: bytes that may be read in all; asking for more raises
        :class:`~fop_middleware.errors.ReadCapExceeded` (a 400).
    :param timeout: seconds from now; a read or seek past them raises
        :class:`~fop_middleware.errors.ExtractorTimeout` (a 599).
    """

    def __init__(self, stream: BinaryIO, *, max_bytes: int = MAX_READ_BYTES, timeout: float) -> None:
        self.stream = stream
        self.max_bytes = max_bytes
        self.deadline = time.monotonic() + timeout
        self.bytes_read = 0

    def _check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise ExtractorTimeout()

    def read(self, size: int = -1) -> bytes:
        self._check_time()
        if size is None or size < 0 or self.bytes_read + size > self.max_bytes:
            raise ReadCapExceeded(self.max_bytes, "exif")
        data = self.stream.read(size) or b""
        self.bytes_read += len(data)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        self._check_time()
        return self.stream.seek(offset, whence)

    def tell(self) -> int:
        return self.stream.tell()
