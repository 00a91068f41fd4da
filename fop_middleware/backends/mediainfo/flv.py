"""The streams of an FLV file as FFmpeg's ``flv`` demuxer finds them: from its first tags.

FLV has no stream table: libavformat makes a stream when it meets the first tag of a kind
(audio, video, or a script tag that is not the header's ``onMetaData``, which becomes a
subtitle or data stream), so the stream order is the order of those first tags. The
``onMetaData`` script gives the duration, frame rate, data rates and the container tags
ffprobe prints. Only the tag headers and a few bytes of each are read, in the first
:data:`SCAN_BYTES` of the file.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import struct
import typing as t
from fractions import Fraction

from ...avinfo.ffmt import av_d2q
from .mov import avc_config_fields

#: How far into the file tags are looked at.
SCAN_BYTES = 256 * 1024
#: Tags looked at, at most.
MAX_TAGS = 400
#: Bytes of an audio or video tag read: enough for a decoder configuration record.
CONFIG_BYTES = 4096
#: Nesting the AMF parser follows (``amf_parse_object()`` allows the same).
MAX_DEPTH = 16

#: FLV video codec ids -> FFmpeg codec names (``flv_set_video_codec()``, 5.1).
VIDEO_CODECS = {2: "flv1", 3: "flashsv", 4: "vp6f", 5: "vp6a", 6: "flashsv2", 7: "h264"}
#: FLV sound formats -> FFmpeg codec names (``flv_set_audio_codec()``); PCM depends on its size.
AUDIO_CODECS = {1: "adpcm_swf", 2: "mp3", 4: "nellymoser", 5: "nellymoser", 6: "nellymoser",
                7: "pcm_alaw", 8: "pcm_mulaw", 10: "aac", 11: "speex", 14: "mp3"}
#: Sound formats whose rate the flags do not give (``flv_set_audio_codec()``).
FIXED_RATES = {4: 16000, 5: 8000, 11: 16000}
#: onMetaData keys the demuxer uses itself rather than exporting as tags.
STREAM_KEYS = {"duration", "filesize", "width", "height", "videodatarate", "framerate", "videocodecid",
               "audiodatarate", "audiosamplerate", "audiosamplesize", "stereo", "audiocodecid", "datastream"}
#: Script names whose body ``flv_read_metabody()`` parses as metadata.
METADATA_NAMES = {"onMetaData", "onCuePoint", "|RtmpSampleAccess"}


@dataclasses.dataclass
class FlvStream:
    """A stream in the order the demuxer created it."""

    kind: str  # "audio", "video", "subtitle" or "data"
    codec: str
    start: int | None = None  # first timestamp, in ms
    width: int = 0
    height: int = 0
    extradata_size: int | None = None
    channels: int = 0
    sample_rate: int = 0
    config: bytes = b""  # an AVC decoder configuration record


@dataclasses.dataclass
class FlvInfo:
    streams: list[FlvStream] = dataclasses.field(default_factory=list)
    duration: float | None = None
    end: int = 0  # the last tag's timestamp, in ms
    frame_rate: Fraction | None = None
    audio_bit_rate: int = 0
    video_bit_rate: int = 0
    tags: dict[str, str] = dataclasses.field(default_factory=dict)


def read_flv(stream: t.BinaryIO) -> FlvInfo | None:
    """Streams and metadata of an FLV file, or None when it is not one."""
    stream.seek(0)
    head = stream.read(9)
    if len(head) < 9 or head[:3] != b"FLV":
        return None
    info = FlvInfo()
    at = struct.unpack(">I", head[5:9])[0] + 4
    for _ in range(MAX_TAGS):
        if at > SCAN_BYTES:
            break
        stream.seek(at)
        header = stream.read(11)
        if len(header) < 11:
            break
        kind = header[0] & 0x1F
        size = int.from_bytes(header[1:4], "big")
        dts = int.from_bytes(header[4:7], "big") | header[7] << 24
        body = stream.read(min(size, 64 * 1024 if kind == 18 else CONFIG_BYTES))
        _tag(info, kind, dts, body, size)
        at += 11 + size + 4
    info.end = last_timestamp(stream)
    return info


def last_timestamp(stream: t.BinaryIO) -> int:
    """The timestamp (ms) of the last tag with one, found from the end as 5.1's
    ``flv_read_packet()`` does when ``onMetaData`` gives no duration; 0 when none.

    Each tag is followed by its size, so the tags can be walked backwards.
    """
    end = stream.seek(0, 2)
    for _ in range(MAX_TAGS):
        stream.seek(max(end - 4, 0))
        size = int.from_bytes(stream.read(4), "big")
        if not 0 < size < end:
            return 0
        stream.seek(end - 3 - size)
        head = stream.read(7)
        if len(head) < 7 or int.from_bytes(head[:3], "big") + 11 != size:
            return 0
        timestamp = int.from_bytes(head[3:6], "big") | head[6] << 24
        if timestamp:
            return timestamp
        if end < 8 or end - 8 < size:
            return 0
        end -= size + 4
    return 0


def _tag(info: FlvInfo, kind: int, dts: int, body: bytes, size: int) -> None:
    if kind == 8 and body:
        found = _stream(info, "audio", AUDIO_CODECS.get(body[0] >> 4) or _pcm(body[0]))
        found.sample_rate = FIXED_RATES.get(body[0] >> 4, 0)
        if found.codec == "aac" and body[1:2] == b"\0":
            if len(body) >= 4 and not found.channels:  # AudioSpecificConfig: the decoder's layout
                found.channels = (int.from_bytes(body[2:4], "big") >> 3) & 0x0F
                found.extradata_size = size - 2
            return  # the decoder configuration, not a frame: no timestamp
        if found.start is None:
            found.start = dts
    elif kind == 9 and body:
        found = _stream(info, "video", VIDEO_CODECS.get(body[0] & 0x0F, ""))
        if found.codec in ("vp6f", "vp6a") and not found.width:
            found.extradata_size = 1
            found.width, found.height = _vp6_size(body)
        if found.codec == "h264" and len(body) >= 5:
            if body[1] == 0:
                if not found.config:
                    found.config, found.extradata_size = body[5:], size - 5
                return
            dts += int.from_bytes(body[2:5], "big", signed=True)  # composition offset
        if found.start is None:
            found.start = dts
    elif kind == 18:
        _script(info, dts, body, size)


def _stream(info: FlvInfo, kind: str, codec: str) -> FlvStream:
    """The stream of ``kind``, made at its first tag."""
    for known in info.streams:
        if known.kind == kind:
            return known
    new = FlvStream(kind, codec)
    info.streams.append(new)
    return new


def _pcm(flags: int) -> str:
    """Sound formats 0 and 3: PCM, 8-bit unsigned or 16-bit little-endian."""
    if flags >> 4 in (0, 3):
        return "pcm_s16le" if flags & 0x02 else "pcm_u8"
    return ""


def _vp6_size(body: bytes) -> tuple[int, int]:
    """Picture size from a VP6 key frame header, cropped by FLV's adjustment byte."""
    if len(body) < 8 or body[2] & 0x80:  # not a key frame
        return 0, 0
    frame = body[2:]
    separated = frame[0] & 1
    profile = (frame[1] >> 1) & 3
    at = 2 + (2 if separated or not profile else 0)
    if len(frame) < at + 2:
        return 0, 0
    rows, cols = frame[at], frame[at + 1]
    return cols * 16 - (body[1] >> 4), rows * 16 - (body[1] & 0x0F)


def _script(info: FlvInfo, dts: int, body: bytes, size: int) -> None:
    reader = _Amf(body)
    try:
        if size <= 13 + 1 + 4:  # too short for a script: flv_read_packet() keeps it as text
            kind = "subtitle"
        elif reader.byte() != 2:
            kind = "data"
        else:
            name = reader.string()
            if name in METADATA_NAMES:
                reader.value(info, None, 0)
                kind = "" if dts == 0 else "subtitle"
            elif name in ("onTextData", "onCaption", "onCaptionInfo"):
                kind = "subtitle"
            else:
                kind = "data"
    except (IndexError, struct.error, UnicodeDecodeError, RecursionError):
        kind = ""
    if kind:
        found = _stream(info, kind, "text" if kind == "subtitle" else "")
        if found.start is None:
            found.start = dts


class _Amf:
    """AMF0 values, as ``amf_parse_object()`` (libavformat/flvdec.c) turns them into metadata."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def byte(self) -> int:
        value = self.data[self.at]
        self.at += 1
        return value

    def string(self, wide: bool = False) -> str:
        size = struct.unpack_from(">I" if wide else ">H", self.data, self.at)[0]
        self.at += 4 if wide else 2
        if self.at + size > len(self.data):
            raise IndexError("AMF string past the tag")
        value = self.data[self.at:self.at + size].decode("utf-8", "replace")
        self.at += size
        return value

    def number(self) -> float:
        (value,) = struct.unpack_from(">d", self.data, self.at)
        self.at += 8
        return float(value)

    def value(self, info: FlvInfo, key: str | None, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise RecursionError("AMF nesting")
        kind = self.byte()
        if kind == 0:
            self._metadata(info, key, depth, self.number(), kind)
        elif kind == 1:
            self._metadata(info, key, depth, float(self.byte()), kind)
        elif kind in (2, 12):
            self._metadata(info, key, depth, self.string(kind == 12), kind)
        elif kind in (3, 8):  # object, ECMA array: named values up to the end marker
            if kind == 8:
                self.at += 4
            while True:
                name = self.string()
                if not name and self.data[self.at] == 9:
                    self.at += 1
                    return
                if key == "keyframes" and depth == 1:
                    self.value(FlvInfo(), name, depth + 1)  # the seek index: not metadata
                else:
                    self.value(info, name, depth + 1)
        elif kind == 10:  # strict array
            (count,) = struct.unpack_from(">I", self.data, self.at)
            self.at += 4
            for _ in range(count):
                self.value(info, None, depth + 1)
        elif kind == 11:
            milliseconds = self.number()
            self.at += 2
            self._metadata(info, key, depth, milliseconds, kind)
        elif kind not in (5, 6, 9, 13):  # null, undefined, end, unsupported
            raise IndexError(f"AMF type {kind}")

    def _metadata(self, info: FlvInfo, key: str | None, depth: int, value: t.Any, kind: int) -> None:
        if not key:
            return
        if depth == 1 and isinstance(value, float):
            if key == "duration":
                info.duration = value
            elif key == "framerate":
                info.frame_rate = Fraction(*av_d2q(value, 1000)) if value > 0 else None
            elif key == "audiodatarate" and value * 1024 >= 0:
                info.audio_bit_rate = int(value * 1024)
            elif key == "videodatarate" and value * 1024 >= 0:
                info.video_bit_rate = int(value * 1024)
        if key in STREAM_KEYS:
            return
        if kind == 1:
            info.tags[key] = "true" if value > 0 else "false"
        elif kind == 0:
            info.tags[key] = f"{value:.0f}"
        elif kind == 11:
            moment = datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=int(value))
            info.tags[key] = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        else:
            info.tags[key] = str(value)


def flv_duration(info: FlvInfo) -> float | None:
    """The format's duration: ``onMetaData``'s cut to whole microseconds
    (``flv_read_metabody()``), else, when that is zero or absent, the last tag's timestamp."""
    if info.duration is not None and math.isfinite(info.duration) and int(info.duration * 1_000_000):
        return int(info.duration * 1_000_000) / 1_000_000
    return info.end / 1000 if info.end else None


def flv_fields(out: dict[str, t.Any], found: FlvStream, info: FlvInfo | None) -> None:
    """What the FLV tags and ``onMetaData`` give: first timestamps, data rates, VP6 sizes."""
    if found.start is not None:
        out["start_pts"], out["start_time"] = found.start, f"{found.start / 1000:.6f}"
    if found.width and found.height and "width" not in out:
        out["width"], out["height"] = found.width, found.height
        out["coded_width"], out["coded_height"] = found.width, found.height
    if found.sample_rate:
        out["sample_rate"] = str(found.sample_rate)
    if found.channels and out.get("channels") not in (None, found.channels):
        out["channels"] = found.channels
        layout = {1: "mono", 2: "stereo"}.get(found.channels)
        if layout:
            out["channel_layout"] = layout
        else:
            out.pop("channel_layout", None)
    if found.config:
        out.update(avc_config_fields(found.config))
    if found.extradata_size is not None:
        out["extradata_size"] = found.extradata_size
    if info is None:
        return
    rate = {"audio": info.audio_bit_rate, "video": info.video_bit_rate}.get(out["codec_type"], 0)
    if rate:
        out["bit_rate"] = str(rate)
    if out["codec_type"] == "video" and info.frame_rate:
        out["avg_frame_rate"] = f"{info.frame_rate.numerator}/{info.frame_rate.denominator}"
        out.setdefault("r_frame_rate", out["avg_frame_rate"])
