"""Ogg stream durations as libavformat 5.1's ``ogg`` demuxer computes them, to the sample.

The demuxer takes each stream's last granule position, read from the end of the file
(Opus included: 5.1 does not take the pre-skip off it); MediaInfo rounds to the
millisecond. Only the last :data:`TAIL_BYTES` are read.
"""

from __future__ import annotations

import struct
import typing as t

TAIL_BYTES = 64 * 1024
_PAGE = struct.Struct("<4sBBqIIIB")


def last_granules(stream: t.BinaryIO, size: int) -> dict[int, int]:
    """Serial number -> the last granule position of each logical stream near the end."""
    stream.seek(max(0, size - TAIL_BYTES))
    data = stream.read(TAIL_BYTES)
    last: dict[int, int] = {}
    at = data.find(b"OggS")
    while 0 <= at and at + _PAGE.size <= len(data):
        _, version, _, granule, serial, _, _, _ = _PAGE.unpack_from(data, at)
        if version == 0 and granule >= 0:
            last[serial] = granule
        at = data.find(b"OggS", at + 4)
    return last
