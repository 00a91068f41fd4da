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


#: Theora's pixel format field -> the decoder's output.
THEORA_PIX_FMTS = {0: "yuv420p", 2: "yuv422p", 3: "yuv444p"}


def theora_headers(stream: t.BinaryIO) -> dict[str, dict[str, t.Any]]:
    """Theora identification headers at the start, by ``str(serial)``: the coded (macroblock)
    size and pixel format the decoder reports."""
    stream.seek(0)
    data = stream.read(TAIL_BYTES)
    out: dict[str, dict[str, t.Any]] = {}
    at = data.find(b"OggS")
    while 0 <= at and at + _PAGE.size <= len(data):
        _, _, _, _, serial, _, _, segments = _PAGE.unpack_from(data, at)
        body = at + _PAGE.size + segments
        header = data[body:body + 42]
        if header[:7] == b"\x80theora" and len(header) == 42:
            width, height = struct.unpack(">HH", header[10:14])
            fields: dict[str, t.Any] = {"coded_width": width * 16, "coded_height": height * 16}
            pix_fmt = THEORA_PIX_FMTS.get((struct.unpack(">H", header[40:42])[0] >> 3) & 3)
            if pix_fmt:
                fields["pix_fmt"] = pix_fmt
            out[str(serial)] = fields
        at = data.find(b"OggS", at + 4)
    return out
