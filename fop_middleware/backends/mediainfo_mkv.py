"""The Matroska track entries' codec private data and codec delay, which MediaInfo does not show.

libavformat keeps a track's ``CodecPrivate`` as the decoder's extradata (``extradata_size``;
for H.264 the avcC record gives the decoder's options and reorder depth) and shifts a
track with a ``CodecDelay`` (Opus pre-skip) to start before zero. The ``Tracks`` element
comes near the start of the file; only :data:`HEAD_BYTES` are read.
"""

from __future__ import annotations

import dataclasses
import typing as t

HEAD_BYTES = 256 * 1024

SEGMENT, TRACKS, TRACK_ENTRY = 0x18538067, 0x1654AE6B, 0xAE
CODEC_ID, CODEC_PRIVATE, CODEC_DELAY = 0x86, 0x63A2, 0x56AA
#: Level-1 elements that may come before ``Tracks`` and are skipped whole.
_MASTERS = {SEGMENT, TRACKS, TRACK_ENTRY}


@dataclasses.dataclass
class MkvTrack:
    codec_id: str = ""
    private: bytes | None = None
    codec_delay: int = 0  # nanoseconds

    @property
    def extradata_size(self) -> int | None:
        """What ``matroska_parse_tracks()`` keeps of the private data."""
        if self.private is None:
            return None
        if self.codec_id == "A_FLAC":  # the STREAMINFO block only
            return 34 if len(self.private) >= 42 else len(self.private)
        if self.codec_id.startswith(("V_MS/", "A_MS/")):
            return None  # BITMAPINFOHEADER / WAVEFORMATEX: what follows depends on the codec
        return len(self.private)


def _vint(data: bytes, at: int, strip: bool) -> tuple[int, int]:
    """An EBML variable-length integer at ``at``: (value, length); ID form keeps the marker."""
    first = data[at]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or at + length > len(data):
        raise ValueError("bad EBML number")
    value = first & (0xFF >> length) if strip else first
    for byte in data[at + 1:at + length]:
        value = value << 8 | byte
    return value, length


def _walk(data: bytes, start: int, end: int, tracks: list[MkvTrack], entry: MkvTrack | None) -> bool:
    """Collect track entries in ``data[start:end]``; True once ``Tracks`` has been read."""
    at = start
    while at < end:
        element, id_length = _vint(data, at, strip=False)
        size, size_length = _vint(data, at + id_length, strip=True)
        body = at + id_length + size_length
        unknown = size == (1 << (7 * size_length)) - 1
        if element in _MASTERS:
            if element == TRACK_ENTRY:
                new = MkvTrack()
                tracks.append(new)
                _walk(data, body, min(body + size, end), tracks, new)
            elif _walk(data, body, end if unknown else min(body + size, end), tracks, entry) or element == TRACKS:
                return True
        elif entry is not None and body + size <= end:
            value = data[body:body + size]
            if element == CODEC_ID:
                entry.codec_id = value.decode("ascii", "replace")
            elif element == CODEC_PRIVATE:
                entry.private = value
            elif element == CODEC_DELAY:
                entry.codec_delay = int.from_bytes(value, "big")
        if unknown:
            return False
        at = body + size
    return False


def track_entries(stream: t.BinaryIO) -> list[MkvTrack]:
    """The track entries in file order; [] when ``Tracks`` is not whole in the first bytes."""
    tracks: list[MkvTrack] = []
    stream.seek(0)
    data = stream.read(HEAD_BYTES)
    try:
        return tracks if _walk(data, 0, len(data), tracks, None) else []
    except (ValueError, IndexError):
        return []
