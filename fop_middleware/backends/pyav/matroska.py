"""What Matroska track entries tell 5.1's demuxer and PyAV does not expose.

5.1's ``mkv_parse_video_color()`` turned a track's ``Colour`` element into "Content light
level" and "Mastering display" side data, and its timestamps were shifted by the
track's ``CodecDelay``. Only element headers are read on the way to ``Tracks`` (before
the first ``Cluster``), then that element.
"""

from __future__ import annotations

import dataclasses
import struct
import typing as t

from ...avinfo import ffmt

if t.TYPE_CHECKING:
    from typing import BinaryIO

EBML, SEGMENT, TRACKS, CLUSTER = 0x1A45DFA3, 0x18538067, 0x1654AE6B, 0x1F43B675
TRACK_ENTRY, TRACK_TYPE, CODEC_DELAY, VIDEO, COLOUR = 0xAE, 0x83, 0x56AA, 0xE0, 0x55B0
MAX_CLL, MAX_FALL, MASTERING = 0x55BC, 0x55BD, 0x55D0
#: MasteringMetadata children in 5.1's print order: R, G, B, white point x/y, then luminance.
PRIMARIES = (0x55D1, 0x55D2, 0x55D3, 0x55D4, 0x55D5, 0x55D6, 0x55D7, 0x55D8)
LUMINANCE_MAX, LUMINANCE_MIN = 0x55D9, 0x55DA
#: The most read of a ``Tracks`` element, and of element headers before giving up.
MAX_TRACKS = 1 << 20
MAX_ELEMENTS = 64
INT_MAX = 2**31 - 1


def _vint(data: bytes, pos: int, keep_marker: bool) -> tuple[int, int] | None:
    """(value, length) of the EBML variable-size integer at ``pos``."""
    if pos >= len(data) or not data[pos]:
        return None
    length = 9 - data[pos].bit_length()
    if pos + length > len(data):
        return None
    value = int.from_bytes(data[pos:pos + length], "big")
    if not keep_marker:
        value &= (1 << (7 * length)) - 1
        if value == (1 << (7 * length)) - 1:
            value = -1  # unknown size
    return value, length


def _children(data: bytes) -> t.Iterator[tuple[int, bytes]]:
    pos = 0
    while pos < len(data):
        ident = _vint(data, pos, True)
        if ident is None:
            return
        size = _vint(data, pos + ident[1], False)
        if size is None or size[0] < 0:
            return
        start = pos + ident[1] + size[1]
        yield ident[0], data[start:start + size[0]]
        pos = start + size[0]


def _number(payload: bytes, floating: bool) -> float:
    if floating:
        return float(struct.unpack(">f" if len(payload) == 4 else ">d", payload)[0]) if len(payload) in (4, 8) else 0.0
    return int.from_bytes(payload, "big")


def _tracks_element(stream: BinaryIO) -> bytes | None:
    """The payload of the Segment's ``Tracks``, found by reading element headers only."""
    stream.seek(0)
    pos, segment_end, seen = 0, None, 0
    while seen < MAX_ELEMENTS:
        seen += 1
        stream.seek(pos)
        head = stream.read(12)
        ident = _vint(head, 0, True)
        size = _vint(head, ident[1], False) if ident else None
        if ident is None or size is None:
            return None
        start = pos + ident[1] + size[1]
        if ident[0] == SEGMENT:
            pos, segment_end = start, (start + size[0] if size[0] >= 0 else None)
            continue
        if ident[0] == TRACKS:
            if size[0] < 0 or size[0] > MAX_TRACKS:
                return None
            stream.seek(start)
            return stream.read(size[0])
        if ident[0] == CLUSTER or size[0] < 0 or (segment_end is not None and start >= segment_end):
            return None
        pos = start + size[0]
    return None


@dataclasses.dataclass
class Track:
    """What one ``TrackEntry`` says: its type, ``CodecDelay`` (ns) and Colour side data."""

    kind: int
    codec_delay: int
    side_data: list[dict[str, t.Any]]


def read_tracks(stream: BinaryIO) -> list[Track]:
    """The Segment's track entries, in order (empty when ``Tracks`` cannot be read)."""
    out: list[Track] = []
    for ident, entry in _children(_tracks_element(stream) or b""):
        if ident != TRACK_ENTRY:
            continue
        fields = dict(_children(entry))
        colour = dict(_children(dict(_children(fields.get(VIDEO, b""))).get(COLOUR, b"")))
        out.append(Track(
            kind=int(_number(fields.get(TRACK_TYPE, b""), False)),
            codec_delay=int(_number(fields.get(CODEC_DELAY, b""), False)),
            side_data=_colour_side_data(colour),
        ))
    return out


def _colour_side_data(colour: dict[int, bytes]) -> list[dict[str, t.Any]]:
    side_data: list[dict[str, t.Any]] = []
    max_cll = int(_number(colour.get(MAX_CLL, b""), False))
    max_fall = int(_number(colour.get(MAX_FALL, b""), False))
    if max_cll and max_fall:
        side_data.append({"side_data_type": "Content light level metadata", "max_content": max_cll, "max_average": max_fall})
    meta = dict(_children(colour.get(MASTERING, b"")))
    primaries = [_number(meta.get(key, b""), True) for key in PRIMARIES]
    has_primaries = all(v > 0 for v in primaries)
    lum_max = _number(meta.get(LUMINANCE_MAX, b""), True)
    lum_min = _number(meta.get(LUMINANCE_MIN, b""), True)
    has_luminance = LUMINANCE_MIN in meta and lum_max > lum_min >= 0
    if not (has_primaries or has_luminance):
        return side_data
    mastering: dict[str, t.Any] = {"side_data_type": "Mastering display metadata"}
    if has_primaries:
        names = ("red_x", "red_y", "green_x", "green_y", "blue_x", "blue_y", "white_point_x", "white_point_y")
        for name, value in zip(names, primaries):
            mastering[name] = ffmt.q(ffmt.av_d2q(value, INT_MAX))
    if has_luminance:
        mastering["min_luminance"] = ffmt.q(ffmt.av_d2q(lum_min, INT_MAX))
        mastering["max_luminance"] = ffmt.q(ffmt.av_d2q(lum_max, INT_MAX))
    side_data.append(mastering)
    return side_data
