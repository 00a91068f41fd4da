"""Find the EXIF block as libexif's ``ExifLoader`` does (``exif-loader.c``, 0.6.24).

``exif_data_new_from_file`` feeds the file to a byte-wise state machine that knows JPEG
markers, raw ``Exif\\0\\0`` blobs and Fuji RAF. Its quirks decide which files have EXIF
for a libexif user, so they are kept: it scans the file in 12-byte windows, stops at the
first APP1 whose visible start looks like ``Exif\\0\\0`` (bytes past the window are not
compared, so an APP1 near a window's end is always taken), gives up on any marker it does
not list (APP3, APP12, SOF2...), and copies the segment's declared length from just after
the length field. Here the windows are read from the stream and skipped data is seeked over.
"""

from __future__ import annotations

import typing as t

from .loader import EXIF_HEADER
from .streams import read_at

if t.TYPE_CHECKING:
    from typing import BinaryIO

WINDOW = 12

# Loader states (ExifLoaderState).
READ, SIZE_24, SIZE_16, SIZE_08, SIZE_00, SKIP, FOUND = range(7)
# Data formats (ExifLoaderDataFormat).
UNKNOWN, EXIF, JPEG, FUJI_RAW = range(4)

APP1 = 0xE1
#: Markers whose segment the loader skips; any other byte but 0xFF and SOI ends the scan.
SKIPPED_MARKERS = frozenset({0xC0, 0xC4, 0xDB, 0xE0, 0xE2, 0xE4, 0xE5, 0xEB, 0xED, 0xEE, 0xFE})
IGNORED_BYTES = frozenset({0xFF, 0xD8})


class _Reader:
    """Positional reads through one cached chunk, so the windows cost no extra syscalls."""

    CHUNK = 4096

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.start = 0
        self.buf = b""

    def read(self, pos: int, size: int) -> bytes:
        end = pos + size
        if self.start <= pos and end <= self.start + len(self.buf):
            return self.buf[pos - self.start : end - self.start]
        if size <= self.CHUNK:
            self.start, self.buf = pos, read_at(self.stream, pos, self.CHUNK)
            return self.buf[:size]
        return read_at(self.stream, pos, size)


def loader_block(stream: BinaryIO) -> bytes | None:
    """The bytes ``exif_loader_get_buf`` would hold for this file, or None."""
    reader = _Reader(stream)
    state, fmt, size, pos = READ, UNKNOWN, 0, 0
    while True:
        b = reader.read(pos, WINDOW)
        if len(b) < WINDOW:
            return None
        if fmt == UNKNOWN:
            if b[:8] == b"FUJIFILM":
                fmt, state, size = FUJI_RAW, SKIP, 84
            elif b[2:8] == EXIF_HEADER:
                fmt, state = EXIF, SIZE_08
        i = 0
        while i < WINDOW:
            if state == FOUND:
                return reader.read(pos + i, size) if size else None
            if state == SKIP:
                if size == 0:
                    state = READ
                    continue
                size -= 1
                if size == 0:
                    state = READ
            elif state == SIZE_24:
                size |= b[i] << 24
                state = SIZE_16
            elif state == SIZE_16:
                size |= b[i] << 16
                state = SIZE_08
            elif state == SIZE_08:
                size |= b[i] << 8
                state = SIZE_00
            elif state == SIZE_00:
                size |= b[i]
                if fmt == JPEG:
                    state, size = SKIP, max(size - 2, 0)
                elif fmt == FUJI_RAW:
                    fmt, state = EXIF, SKIP
                    size = size - 86 if size >= 86 else 0
                elif fmt == EXIF:
                    state = FOUND
            else:
                byte = b[i]
                if byte == APP1:
                    shown = max(0, min(6, WINDOW - i - 3))
                    fmt = EXIF if b[i + 3 : i + 3 + shown] == EXIF_HEADER[:shown] else JPEG
                    state, size = SIZE_08, 0
                elif byte in SKIPPED_MARKERS:
                    fmt, state, size = JPEG, SIZE_08, 0
                elif byte not in IGNORED_BYTES:
                    return None
            i += 1
        pos += WINDOW
        if state == SKIP:
            pos += size
            size = 0
            state = SIZE_24 if fmt == FUJI_RAW else READ
        elif state == FOUND:
            return reader.read(pos, size) if size else None
