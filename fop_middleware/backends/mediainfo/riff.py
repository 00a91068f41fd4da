"""Container headers read directly where libavformat and MediaInfo read them differently.

An AVI stream header (``strh``) holds the exact rational FFmpeg times the stream with
(``dwScale``/``dwRate``); MediaInfo shows a rounded frame rate. A RealAudio file
(``.ra``) is a single short header, which MediaInfo does not read at all. Both are a few
hundred bytes at the start of the file.
"""

from __future__ import annotations

import dataclasses
import struct
import typing as t
from fractions import Fraction

from ...avinfo import names
from ...extractor import Source
from .codecs import fourcc_string
from .fields import disposition
from .mov import h264_extradata_fields

#: Bytes kept of a stream's first frame (a JPEG's headers).
FRAME_BYTES = 2048
#: The most read to find the AVI header list (``hdrl``): it comes first, before the data.
AVI_HEAD_BYTES = 64 * 1024


@dataclasses.dataclass
class AviStream:
    """One ``strh``: its kind, time base and length as ``avi_read_header()`` uses them."""

    kind: bytes
    scale: int
    rate: int
    length: int
    sample_size: int
    #: The codec's extra data after the ``strf`` header (BITMAPINFOHEADER, WAVEFORMATEX), if any.
    extradata: bytes | None = None
    #: The start of the stream's first frame, when it is in the bytes read.
    first_frame: bytes = b""
    #: ``st->duration`` of a stream counted in packets: the length, cut in proportion when
    #: the file is shorter than its RIFF header says ("File is truncated adjusting duration").
    duration: int = 0

    @property
    def time_base(self) -> Fraction | None:
        return Fraction(self.scale, self.rate) if self.scale > 0 and self.rate > 0 else None


def avi_streams(stream: t.BinaryIO) -> list[AviStream]:
    """The stream headers of an AVI file, in stream order; [] when there is no ``hdrl``."""
    stream.seek(0)
    head = stream.read(AVI_HEAD_BYTES)
    if head[:4] != b"RIFF" or head[8:12] not in (b"AVI ", b"AVIX", b"AVI\x19"):
        return []
    out: list[AviStream] = []
    _walk(head, 12, len(head), out)
    riff_end = struct.unpack_from("<I", head, 4)[0] + 8
    file_size = stream.seek(0, 2)
    for found in out:
        found.duration = found.length
        if found.length > 0 and 0 < file_size < riff_end:
            found.duration = (found.length * file_size + riff_end // 2) // riff_end  # av_rescale()
    return out


def _walk(data: bytes, start: int, end: int, out: list[AviStream]) -> None:
    """Collect the ``strh`` chunks inside the ``hdrl``/``strl`` lists of ``data[start:end]``."""
    at = start
    while at + 8 <= end:
        kind, size = struct.unpack_from("<4sI", data, at)
        body = at + 8
        if kind == b"LIST" and body + 4 <= end:
            if data[body:body + 4] in (b"hdrl", b"strl"):
                _walk(data, body + 4, min(body + size, end), out)
            elif data[body:body + 4] == b"movi":
                _first_frames(data, body + 4, min(body + size, end), out)
                return
        elif kind == b"strh" and body + 36 <= end:
            fcc = data[body:body + 4]
            scale, rate, _start, length = struct.unpack_from("<IIII", data, body + 20)
            (sample_size,) = struct.unpack_from("<I", data, body + 44) if body + 48 <= end else (0,)
            out.append(AviStream(fcc, scale, rate, length, sample_size))
        elif kind == b"strf" and out and body + size <= end:
            out[-1].extradata = _strf_extradata(out[-1].kind, data[body:body + size])
        at = body + size + (size & 1)


def _first_frames(data: bytes, start: int, end: int, out: list[AviStream]) -> None:
    """The first bytes of each stream's first chunk (``NNdc``/``NNdb``/``NNwb``) in ``movi``."""
    at = start
    while at + 8 <= end:
        kind, size = struct.unpack_from("<4sI", data, at)
        if kind == b"LIST":  # rec lists: their chunks are inside
            at += 12
            continue
        number = kind[:2]
        if number.isdigit() and int(number) < len(out) and not out[int(number)].first_frame and size:
            out[int(number)].first_frame = data[at + 8:at + 8 + min(size, FRAME_BYTES)]
        at += 8 + size + (size & 1)


def _strf_extradata(kind: bytes, strf: bytes) -> bytes | None:
    """What ``avi_read_header()`` / ``ff_get_wav_header()`` keep as extradata."""
    if kind == b"vids" and len(strf) > 40:
        return strf[40:]
    if kind == b"auds" and len(strf) >= 18:
        (tag,) = struct.unpack_from("<H", strf, 0)
        (extra,) = struct.unpack_from("<H", strf, 16)
        data = strf[18:18 + extra]
        if tag == 0xFFFE:  # WAVE_FORMAT_EXTENSIBLE: 22 bytes of its own first
            data = data[22:]
        return data or None
    return None


#: ``ff_rm_codec_tags``' audio part (libavformat/rm.c): RealAudio codec tag -> codec.
RA_CODECS = {b"lpcJ": "ra_144", b"28_8": "ra_288", b"cook": "cook", b"dnet": "ac3", b"sipr": "sipr",
             b"atrc": "atrac3", b"raac": "aac", b"racp": "aac", b"ralf": "ralf"}
#: What ``rm_read_metadata()`` reads, in its order.
RA_TAGS = ("title", "author", "copyright", "comment")


def realaudio(stream: t.BinaryIO) -> dict[str, t.Any] | None:
    """The one audio stream of a ``.ra`` file as ``rm_read_header_old()`` sees it, or None.

    Keys: ``codec`` (FFmpeg name or ""), ``tag`` (the codec tag, 4 bytes), ``sample_rate``,
    ``channels``, ``bit_rate`` (0 when the header has none) and ``tags``.
    """
    stream.seek(0)
    data = stream.read(512)
    if data[:4] != b".ra\xfd" or len(data) < 8:
        return None
    try:
        (version,) = struct.unpack_from(">H", data, 4)
        if version == 3:
            return _realaudio_v3(data)
        if version in (4, 5):
            return _realaudio_v4(data, version)
    except (struct.error, IndexError):
        return None
    return None


def _realaudio_v3(data: bytes) -> dict[str, t.Any]:
    """Version 3: always 8 kHz mono RealAudio 1.0 (14.4)."""
    (bytes_per_minute,) = struct.unpack_from(">H", data, 6 + 2 + 8)
    tags, _ = _ra_tags(data, 6 + 2 + 8 + 2 + 4)
    return {"codec": "ra_144", "tag": b"lpcJ", "sample_rate": 8000, "channels": 1,
            "bit_rate": 8 * bytes_per_minute // 60, "tags": tags}


def _realaudio_v4(data: bytes, version: int) -> dict[str, t.Any]:
    at = 6 + 2 + 4 + 4 + 2 + 4 + 2 + 4 + 4  # unused, .ra4, data size, version2, header size, flavor, frame size, ?
    (bytes_per_minute,) = struct.unpack_from(">I", data, at)
    at += 4 + 4 + 2 + 2 + 2 + 2  # bytes per minute, ?, sub packet h, frame size, sub packet size, ?
    if version == 5:
        at += 6
    (sample_rate,) = struct.unpack_from(">H", data, at)
    (channels,) = struct.unpack_from(">H", data, at + 6)
    at += 8
    if version == 5:
        tag = data[at + 4:at + 8]
        at += 8
    else:
        at += 1 + data[at]  # interleaver name
        tag = data[at + 1:at + 1 + data[at]]
        at += 1 + data[at]
    tags, _ = _ra_tags(data, at + 3)
    return {"codec": RA_CODECS.get(tag, ""), "tag": tag.ljust(4, b"\0")[:4], "sample_rate": sample_rate,
            "channels": channels, "bit_rate": 8 * bytes_per_minute // 60 if version == 4 else 0, "tags": tags}


def _ra_tags(data: bytes, at: int) -> tuple[dict[str, str], int]:
    """Title, author, copyright and comment, each a byte-length-prefixed string."""
    tags: dict[str, str] = {}
    for name in RA_TAGS:
        if at >= len(data):
            break
        length = data[at]
        value = data[at + 1:at + 1 + length].decode("utf-8", "replace")
        at += 1 + length
        if value:
            tags[name] = value
    return tags, at


def realaudio_answer(info: dict[str, t.Any], source: Source) -> dict[str, t.Any]:
    """ffprobe's answer for a ``.ra`` file: one audio stream, timed by nothing but its bit rate."""
    codec = info["codec"]
    stream: dict[str, t.Any] = {"index": 0}
    if codec:
        stream["codec_name"] = codec
        stream["codec_long_name"] = names.CODEC_LONG_NAMES.get(codec, "unknown")
    stream["codec_type"] = "audio"
    tag = int.from_bytes(info["tag"], "little")
    stream["codec_tag_string"], stream["codec_tag"] = fourcc_string(tag), f"0x{tag:04x}"
    if codec in names.SAMPLE_FORMATS:
        stream["sample_fmt"] = names.SAMPLE_FORMATS[codec]
    stream["sample_rate"] = str(info["sample_rate"])
    stream["channels"] = info["channels"]
    if codec == "ra_144":  # the only one whose layout the demuxer sets
        stream["channel_layout"] = "mono"
    stream["bits_per_sample"] = names.BITS_PER_SAMPLE.get(codec, 0)
    stream["r_frame_rate"], stream["avg_frame_rate"], stream["time_base"] = "0/0", "0/0", "1/90000"
    if info["bit_rate"]:
        stream["bit_rate"] = str(info["bit_rate"])
    stream["disposition"] = disposition()
    stream = names.with_codec_time_base(stream)
    fmt: dict[str, t.Any] = {"filename": source.name, "nb_streams": 1, "nb_programs": 0, "format_name": "rm",
                             "format_long_name": names.FORMAT_LONG_NAMES["rm"]}
    if source.size:
        fmt["size"] = str(source.size)
    if info["bit_rate"]:
        fmt["bit_rate"] = str(info["bit_rate"])
    fmt["probe_score"] = 100
    if info["tags"]:
        fmt["tags"] = dict(info["tags"])
    return {"streams": [stream], "format": fmt}


def avi_fields(out: dict[str, t.Any], header: AviStream) -> None:
    """Timing from the AVI stream header, as ``avi_read_header()`` sets it."""
    time_base = header.time_base
    if time_base is None:
        return
    out["time_base"] = f"{time_base.numerator}/{time_base.denominator}"
    out["start_pts"], out["start_time"] = 0, "0.000000"
    if out["codec_type"] == "video":
        rate = 1 / time_base
        out["r_frame_rate"] = out["avg_frame_rate"] = f"{rate.numerator}/{rate.denominator}"
    if header.sample_size == 0:  # counted in packets: the length is the duration
        out["duration_ts"] = header.duration
        out["duration"] = f"{float(header.duration * time_base):.6f}"
    else:
        out.pop("duration", None)
    out["nb_frames"] = str(header.length)
    if header.extradata:
        out["extradata_size"] = len(header.extradata)
        if out.get("codec_name") == "h264":
            out.update(h264_extradata_fields(header.extradata))


def aiff_frames(stream: t.BinaryIO) -> int | None:
    """``numSampleFrames`` of an AIFF/AIFF-C ``COMM`` chunk: the aiff demuxer's frame count."""
    stream.seek(0)
    head = stream.read(12)
    if head[:4] != b"FORM" or head[8:12] not in (b"AIFF", b"AIFC"):
        return None
    at = 12
    for _ in range(64):  # COMM comes early; a few chunks at most before it
        stream.seek(at)
        chunk = stream.read(14)
        if len(chunk) < 8:
            return None
        kind, size = struct.unpack(">4sI", chunk[:8])
        if kind == b"COMM":
            return struct.unpack(">I", chunk[10:14])[0] if len(chunk) == 14 else None
        at += 8 + size + (size & 1)
    return None


def wav_byte_rate(stream: t.BinaryIO) -> int | None:
    """``nAvgBytesPerSec`` of a WAVE file's ``fmt `` chunk, which ``ff_get_wav_header()``
    takes as the bit rate (times 8) of codecs other than PCM."""
    stream.seek(0)
    head = stream.read(4096)
    if head[:4] not in (b"RIFF", b"RF64") or head[8:12] != b"WAVE":
        return None
    at = 12
    while at + 16 <= len(head):
        kind, size = struct.unpack_from("<4sI", head, at)
        if kind == b"fmt " and at + 20 <= len(head):
            return int(struct.unpack_from("<I", head, at + 16)[0])
        at += 8 + size + (size & 1)
    return None
