"""The few MP4/QuickTime track facts ffprobe 5.1 prints and PyAV's FFmpeg does not hand out.

FFmpeg 5.1's mov demuxer put each sample entry's vendor in the stream tags
(``vendor_id``) and the track header's matrix in a display-matrix side data. Only box
headers are read on the way to ``tkhd`` and ``stsd``: seeks, not reads, skip the media data.
"""

from __future__ import annotations

import dataclasses
import math
import struct
import typing as t

if t.TYPE_CHECKING:
    from typing import BinaryIO

#: Boxes whose payload is only more boxes, on the path moov/trak/mdia/minf/stbl.
_CONTAINERS = {b"trak", b"mdia", b"minf", b"stbl"}
#: A moov larger than this is not worth walking for two tags (it is read box by box anyway).
_MAX_MOOV = 64 << 20
_IDENTITY = (65536, 0, 0, 0, 65536, 0, 0, 0, 1 << 30)
#: The most read of a track's sample descriptions (codec configuration boxes included).
_MAX_ENTRY = 1 << 16
#: The largest sample size table read to sum a data track's bytes.
_MAX_TABLE = 1 << 20


@dataclasses.dataclass
class Track:
    """What one ``trak`` says, in the order the demuxer makes streams of them."""

    handler: bytes = b""
    vendor: int | None = None
    matrix: tuple[int, ...] | None = None
    #: Entry counts of the sample tables that 5.1's ``mov_read_trak()`` checks.
    counts: dict[bytes, int] = dataclasses.field(default_factory=dict)
    sample_size: int = 0
    #: The first sample entry: its format (the codec tag), size and first bytes.
    entry_format: bytes = b""
    entry_size: int = 0
    entry: bytes = b""
    #: Bytes of all samples (``stsz``), for the bit rate 5.1 gave data tracks.
    data_size: int = 0

    @property
    def dovi(self) -> dict[str, t.Any] | None:
        """The ``dvcC``/``dvvC`` box as 5.1's "DOVI configuration record" side data."""
        for kind in (b"dvcC", b"dvvC", b"dvwC"):
            at = self.entry.find(kind)
            if at >= 4 and len(self.entry) >= at + 8:
                return dovi_side_data(self.entry[at + 4:at + 4 + 24])
        return None

    @property
    def hdr_side_data(self) -> list[dict[str, t.Any]]:
        """Mastering display (``mdcv``, ``SmDm``) and light level (``clli``, ``CoLL``) boxes."""
        out: list[dict[str, t.Any]] = []
        for kind, header, order, chroma_den, max_den, min_den in (
            (b"mdcv", 0, (1, 2, 0), 50000, 10000, 10000),
            (b"SmDm", 4, (0, 1, 2), 1 << 16, 1 << 8, 1 << 14),
        ):
            body = self._box(kind, header, 24)
            if body is not None:
                out.append(mastering_side_data(body, order, chroma_den, max_den, min_den))
                break
        for kind, header in ((b"clli", 0), (b"CoLL", 4)):
            body = self._box(kind, header, 4)
            if body is not None:
                out.append({
                    "side_data_type": "Content light level metadata",
                    "max_content": int.from_bytes(body[0:2], "big"),
                    "max_average": int.from_bytes(body[2:4], "big"),
                })
                break
        return out

    def _box(self, kind: bytes, header: int, size: int) -> bytes | None:
        """The payload of a box in the sample entry, past ``header`` bytes (version, flags)."""
        at = self.entry.find(kind)
        if at < 4:
            return None
        body = self.entry[at + 4 + header:at + 4 + header + size]
        return body if len(body) == size else None

    @property
    def audio_service_type(self) -> int | None:
        """``bsmod`` of an AC-3 ``dac3`` or E-AC-3 ``dec3`` box, as 5.1's demuxer exported it."""
        for kind, shift, mask, skip in ((b"dac3", 14, 0x7, 0), (b"dec3", 12, 0x1F, 2)):
            at = self.entry.find(kind)
            if at >= 4 and len(self.entry) >= at + 4 + skip + 3:
                info = int.from_bytes(self.entry[at + 4 + skip:at + 7 + skip], "big")
                return (info >> shift) & mask
        return None

    @property
    def timeless(self) -> bool:
        """No sample of its own, or 5.1 gave up on its tables: it gets the movie's duration."""
        return self.broken or not any(self.counts.get(k) for k in (b"stco", b"co64", b"stsz", b"stz2"))

    @property
    def broken(self) -> bool:
        """5.1's "missing mandatory atoms, broken header": the track got no timing of its own."""
        chunks = self.counts.get(b"stco", 0) or self.counts.get(b"co64", 0)
        samples = self.counts.get(b"stsz", 0) or self.counts.get(b"stz2", 0)
        if chunks:
            return not self.counts.get(b"stts") or not self.counts.get(b"stsc") or not (self.sample_size or samples)
        return bool(samples)


@dataclasses.dataclass
class Movie:
    """The ``mvhd`` time scale and duration, and the tracks in order."""

    time_scale: int = 0
    duration: int = 0
    tracks: list[Track] = dataclasses.field(default_factory=list)
    #: An ``mvex`` box: a fragmented file, whose ``mvhd`` duration 5.1 did not use.
    fragmented: bool = False


def _boxes(stream: BinaryIO, start: int, end: int) -> t.Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) for each box in [start, end)."""
    pos = start
    while pos + 8 <= end:
        stream.seek(pos)
        head = stream.read(16)
        if len(head) < 8:
            return
        size, kind = struct.unpack(">I4s", head[:8])
        payload = pos + 8
        if size == 1 and len(head) == 16:
            size = struct.unpack(">Q", head[8:16])[0]
            payload = pos + 16
        elif size == 0:
            size = end - pos
        if size < payload - pos:
            return
        yield kind, payload, min(pos + size, end)
        pos += size


def _read(stream: BinaryIO, pos: int, n: int) -> bytes:
    stream.seek(pos)
    return stream.read(n)


def _walk_trak(stream: BinaryIO, start: int, end: int, track: Track) -> None:
    for kind, payload, box_end in _boxes(stream, start, end):
        if kind in _CONTAINERS:
            _walk_trak(stream, payload, box_end, track)
        elif kind == b"tkhd":
            data = _read(stream, payload, min(box_end - payload, 92))
            matrix_at = 40 if data[:1] == b"\x00" else 52
            if len(data) >= matrix_at + 36:
                matrix = struct.unpack(">9i", data[matrix_at:matrix_at + 36])
                track.matrix = None if matrix == _IDENTITY else matrix
        elif kind in (b"stco", b"co64", b"stts", b"stsc", b"stz2"):
            track.counts[kind] = int.from_bytes(_read(stream, payload + 4, 4), "big")
        elif kind == b"stsz":
            data = _read(stream, payload + 4, 8)
            track.sample_size = int.from_bytes(data[:4], "big")
            track.counts[kind] = count = int.from_bytes(data[4:8], "big")
            if track.sample_size:
                track.data_size = track.sample_size * count
            elif track.handler not in (b"vide", b"soun") and count * 4 <= _MAX_TABLE:
                table = _read(stream, payload + 12, count * 4)
                track.data_size = sum(struct.unpack(f">{len(table) // 4}I", table[: len(table) // 4 * 4]))
        elif kind == b"hdlr":
            track.handler = _read(stream, payload + 8, 4)
        elif kind == b"stsd":
            # full box (4) + entry count (4), then the first entry: size, format,
            # 6 reserved, data reference index, version, revision, vendor.
            data = _read(stream, payload, min(box_end - payload, _MAX_ENTRY))
            if len(data) >= 16:
                track.entry_size = int.from_bytes(data[8:12], "big")
                track.entry_format = data[12:16]
                track.entry = data[8:]
            if len(data) >= 32 and track.handler in (b"vide", b"soun"):
                track.vendor = struct.unpack("<I", data[28:32])[0]


def read_movie(stream: BinaryIO, size: int) -> Movie:
    """The movie header and tracks of an MP4/QuickTime file (empty without a ``moov``)."""
    movie = Movie()
    for kind, payload, box_end in _boxes(stream, 0, size):
        if kind != b"moov":
            continue
        if box_end - payload > _MAX_MOOV:
            return movie
        for sub, sub_payload, sub_end in _boxes(stream, payload, box_end):
            if sub == b"trak":
                track = Track()
                _walk_trak(stream, sub_payload, sub_end, track)
                movie.tracks.append(track)
            elif sub == b"mvex":
                movie.fragmented = True
            elif sub == b"mvhd":
                data = _read(stream, sub_payload, 32)
                if data[:1] == b"\x01" and len(data) >= 32:
                    movie.time_scale, movie.duration = struct.unpack(">IQ", data[20:32])
                elif len(data) >= 20:
                    movie.time_scale, movie.duration = struct.unpack(">II", data[12:20])
        return movie
    return movie


def rotation(matrix: t.Sequence[int]) -> float:
    """``av_display_rotation_get()``: the counter-clockwise angle of a display matrix."""
    scale0 = math.hypot(matrix[0] / 65536, matrix[3] / 65536)
    scale1 = math.hypot(matrix[1] / 65536, matrix[4] / 65536)
    if scale0 == 0.0 or scale1 == 0.0:
        return math.nan
    return -math.degrees(math.atan2((matrix[1] / 65536) / scale1, (matrix[0] / 65536) / scale0))


def display_matrix_side_data(matrix: t.Sequence[int]) -> dict[str, t.Any]:
    """The ``side_data_list`` entry ffprobe prints for a display matrix."""
    lines = ["\n"]
    for row in range(3):
        cells = "".join(" %11d" % v for v in matrix[row * 3:row * 3 + 3])
        lines.append("%08x: %s\n" % (row, cells))
    angle = rotation(matrix)
    return {
        "side_data_type": "Display Matrix",
        "displaymatrix": "".join(lines),
        "rotation": 0 if angle != angle else int(angle),
    }


def dovi_side_data(box: bytes) -> dict[str, t.Any]:
    """``ff_isom_parse_dvcc_dvvc()`` then ffprobe's print of ``AV_PKT_DATA_DOVI_CONF``."""
    bits = int.from_bytes(box[2:5].ljust(3, b"\x00"), "big")
    return {
        "side_data_type": "DOVI configuration record",
        "dv_version_major": box[0],
        "dv_version_minor": box[1],
        "dv_profile": bits >> 17,
        "dv_level": (bits >> 11) & 0x3F,
        "rpu_present_flag": (bits >> 10) & 1,
        "el_present_flag": (bits >> 9) & 1,
        "bl_present_flag": (bits >> 8) & 1,
        "dv_bl_signal_compatibility_id": (bits >> 4) & 0xF if len(box) >= 5 else 0,
    }


def mastering_side_data(
    body: bytes, order: tuple[int, int, int], chroma_den: int, max_den: int, min_den: int
) -> dict[str, t.Any]:
    """5.1's ``mov_read_mdcv()``/``mov_read_smdm()`` then ffprobe's print (unreduced ratios)."""
    values = struct.unpack(">8H2I", body[:24])
    primaries: list[tuple[int, int]] = [(0, 0)] * 3
    for i, j in enumerate(order):
        primaries[j] = (values[2 * i], values[2 * i + 1])
    out: dict[str, t.Any] = {"side_data_type": "Mastering display metadata"}
    for (x, y), colour in zip(primaries, ("red", "green", "blue")):
        out[f"{colour}_x"] = f"{x}/{chroma_den}"
        out[f"{colour}_y"] = f"{y}/{chroma_den}"
    out["white_point_x"] = f"{values[6]}/{chroma_den}"
    out["white_point_y"] = f"{values[7]}/{chroma_den}"
    out["min_luminance"] = f"{values[9]}/{min_den}"
    out["max_luminance"] = f"{values[8]}/{max_den}"
    return out
