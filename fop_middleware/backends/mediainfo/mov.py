"""What the ``mov`` demuxer reads from an MP4/QuickTime index that MediaInfo does not show.

Each track's media time scale (ffprobe's ``time_base``), and the small per-track facts
libavformat turns into stream tags: the handler name, the sample description's vendor
and compressor name, the media creation time; and the ``ftyp`` minor version. Only box
headers and the few small boxes holding these are read (never the sample tables), with
a bounded number of seeks.
"""

from __future__ import annotations

import dataclasses
import datetime
import struct
import typing as t

from ...avinfo import h264
from .codecs import fourcc_string

#: Bytes read of a video track's first frame: a JPEG's headers.
FRAME_BYTES = 2048
#: Boxes looked at, at most (a fragmented file has a ``moof`` per fragment at the top level).
MAX_BOXES = 2000
#: Bytes of a sample description read: the entry and the start of its codec configuration.
STSD_BYTES = 4096
#: Where a sample entry's child boxes start: video entries, and sound entries by version.
VIDEO_CHILDREN = 86
SOUND_CHILDREN = {0: 36, 1: 52, 2: 72}
#: Codec configuration boxes whose payload is the decoder's extradata as libavformat keeps it.
CONFIG_PAYLOADS = (b"avcC", b"hvcC", b"av1C", b"dvcC")
#: ... and those it keeps whole, header included.
CONFIG_BOXES = (b"alac",)
#: Seconds from 1904-01-01 (QuickTime's epoch) to 1970-01-01.
MAC_EPOCH = 2082844800
#: ``mov_mdhd_language_map[0]``: QuickTime language code 0 is English.
MAC_LANGUAGES = {0: "eng"}


@dataclasses.dataclass
class MovTrack:
    track_id: int = 0
    time_scale: int = 0
    handler: bytes = b""
    handler_name: str = ""
    language: str | None = None
    creation_time: str | None = None
    vendor: bytes | None = None
    compressor: str = ""
    sample_count: int = 0
    #: Where the first chunk of samples is (an MJPEG track's first frame starts there).
    first_chunk: int | None = None
    first_frame: bytes = b""
    #: The codec configuration: its box type, and the extradata size libavformat keeps.
    config: bytes = b""
    config_kind: bytes = b""
    extradata_size: int | None = None
    #: Entry counts of the sample tables ``mov_read_trak()`` checks.
    counts: dict[bytes, int] = dataclasses.field(default_factory=dict)

    @property
    def timeless(self) -> bool:
        """No sample table of its own, or one 5.1 rejects ("missing mandatory atoms, broken
        header"): the stream keeps libavformat's default 1/90000 time base, and no packet."""
        chunks = self.counts.get(b"stco", 0) or self.counts.get(b"co64", 0)
        samples = self.counts.get(b"stsz", 0) or self.counts.get(b"stz2", 0)
        if chunks:
            return not self.counts.get(b"stts") or not self.counts.get(b"stsc") or not samples
        return True


@dataclasses.dataclass
class MovInfo:
    minor_version: int | None = None
    creation_time: str | None = None
    #: The movie header's duration in seconds, which tracks without timing of their own get.
    duration: float | None = None
    tracks: list[MovTrack] = dataclasses.field(default_factory=list)
    #: Bytes of media data (``mdat`` payloads): none means no packet for ffprobe to time.
    data_size: int = 0
    #: A ``moov`` was found: the mov demuxer opens the file, with or without a track.
    has_movie: bool = False


def read_mov(stream: t.BinaryIO, size: int) -> MovInfo:
    """The facts above for an MP4/QuickTime file (empty when it has no ``moov``)."""
    info = MovInfo()
    budget = [MAX_BOXES]
    for kind, payload, end in _boxes(stream, 0, size, budget):
        if kind == b"ftyp" and end - payload >= 8:
            info.minor_version = struct.unpack(">I", _read(stream, payload + 4, 4))[0]
        elif kind == b"mdat":
            info.data_size += end - payload
        elif kind == b"moov":
            info.has_movie = True
            _moov(stream, payload, end, info, budget)
    for track in info.tracks:
        if track.handler == b"vide" and track.first_chunk is not None:
            start = _read(stream, track.first_chunk, FRAME_BYTES)
            track.first_frame = start if start[:2] == b"\xff\xd8" else b""  # a JPEG's headers
    return info


def _boxes(stream: t.BinaryIO, start: int, end: int, budget: list[int]) -> t.Iterator[tuple[bytes, int, int]]:
    """(type, payload start, end) of each box in [start, end), within the box budget."""
    at = start
    while at + 8 <= end and budget[0] > 0:
        budget[0] -= 1
        head = _read(stream, at, 16)
        if len(head) < 8:
            return
        box_size, kind = struct.unpack(">I4s", head[:8])
        payload = at + 8
        if box_size == 1 and len(head) == 16:
            box_size, payload = struct.unpack(">Q", head[8:])[0], at + 16
        elif box_size == 0:
            box_size = end - at
        if box_size < payload - at:
            return
        yield kind, payload, min(at + box_size, end)
        at += box_size


def _read(stream: t.BinaryIO, at: int, n: int) -> bytes:
    stream.seek(at)
    return stream.read(n)


def _moov(stream: t.BinaryIO, start: int, end: int, info: MovInfo, budget: list[int]) -> None:
    for kind, payload, box_end in _boxes(stream, start, end, budget):
        if kind == b"mvhd":
            data = _read(stream, payload, 32)
            info.creation_time = _creation_time(data)
            scale, duration = (struct.unpack(">IQ", data[20:32]) if data[:1] == b"\x01" and len(data) >= 32
                               else struct.unpack(">II", data[12:20]) if len(data) >= 20 else (0, 0))
            info.duration = duration / scale if scale else None
        elif kind == b"trak":
            track = MovTrack()
            _container(stream, payload, box_end, track, budget)
            info.tracks.append(track)


def _container(stream: t.BinaryIO, start: int, end: int, track: MovTrack, budget: list[int]) -> None:
    """Walk ``trak`` > ``mdia`` > ``minf`` > ``stbl`` for the boxes read here."""
    for kind, payload, box_end in _boxes(stream, start, end, budget):
        if kind in (b"mdia", b"minf", b"stbl"):
            _container(stream, payload, box_end, track, budget)
        elif kind == b"tkhd":
            data = _read(stream, payload, 24)
            if len(data) >= 24:
                track.track_id = struct.unpack(">I", data[20:24] if data[0] == 1 else data[12:16])[0]
        elif kind in (b"stco", b"co64", b"stts", b"stsc"):
            data = _read(stream, payload, 16)
            track.counts[kind] = struct.unpack(">I", data[4:8])[0] if len(data) >= 8 else 0
            if kind in (b"stco", b"co64") and track.counts[kind] and len(data) >= (12 if kind == b"stco" else 16):
                track.first_chunk = struct.unpack(">I" if kind == b"stco" else ">Q", data[8:12] if kind == b"stco" else data[8:16])[0]
        elif kind in (b"stsz", b"stz2"):
            data = _read(stream, payload, 12)
            if len(data) == 12:
                size, count = struct.unpack(">II", data[4:12])
                track.sample_count = count
                track.counts[kind] = count or size  # a constant sample size stands for the table
        elif kind == b"mdhd":
            _mdhd(_read(stream, payload, 36), track)
        elif kind == b"hdlr" and not track.handler:
            _hdlr(_read(stream, payload, min(box_end - payload, 256)), track)
        elif kind == b"stsd":
            _stsd(_read(stream, payload, min(box_end - payload, STSD_BYTES)), track)


def _creation_time(data: bytes) -> str | None:
    """``mov_metadata_creation_time()``: a non-zero creation time, as ISO 8601 UTC."""
    if len(data) < 12:
        return None
    seconds = struct.unpack(">Q", data[4:12])[0] if data[0] == 1 else struct.unpack(">I", data[4:8])[0]
    if not seconds:
        return None
    if seconds >= MAC_EPOCH:
        seconds -= MAC_EPOCH
    try:
        moment = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=seconds)
    except OverflowError:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def _mdhd(data: bytes, track: MovTrack) -> None:
    if len(data) < 24:
        return
    track.creation_time = _creation_time(data)
    if data[0] == 1 and len(data) >= 34:
        track.time_scale = struct.unpack(">I", data[20:24])[0]
        code = struct.unpack(">H", data[32:34])[0]
    else:
        track.time_scale = struct.unpack(">I", data[12:16])[0]
        code = struct.unpack(">H", data[20:22])[0]
    track.language = _language(code)


def _language(code: int) -> str | None:
    """``ff_mov_lang_to_iso639()``: packed ISO 639-2/T, or an old QuickTime code."""
    if code >= 0x400 and code != 0x7FFF:
        return "".join(chr(((code >> shift) & 0x1F) + 0x60) for shift in (10, 5, 0))
    return MAC_LANGUAGES.get(code)


def _hdlr(data: bytes, track: MovTrack) -> None:
    """Handler type and name; QuickTime names may be Pascal strings."""
    if len(data) < 24:
        return
    track.handler = data[8:12]
    name = data[24:]
    if name[:1] and name[0] == len(name) - 1:
        name = name[1:]
    track.handler_name = name.split(b"\0", 1)[0].decode("utf-8", "replace")


def _stsd(data: bytes, track: MovTrack) -> None:
    """Vendor and compressor name of the first sample description (video and sound)."""
    if len(data) < 8 + 8 + 16 or track.handler not in (b"vide", b"soun"):
        return
    entry = data[8:]
    track.vendor = entry[20:24]
    if track.handler == b"vide" and len(entry) > 50 and len(entry) >= 51 + min(entry[50], 31):
        length = min(entry[50], 31)
        track.compressor = entry[51:51 + length].split(b"\0", 1)[0].decode("mac_roman")
    entry_size = struct.unpack(">I", entry[:4])[0]
    start = VIDEO_CHILDREN if track.handler == b"vide" else SOUND_CHILDREN.get(struct.unpack(">H", entry[16:18])[0], 36)
    _config(entry[:min(entry_size, len(entry))], start, track)


def _config(data: bytes, at: int, track: MovTrack) -> None:
    """Find the codec configuration among a sample entry's boxes (inside ``wave`` too)."""
    while at + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, at)
        if size < 8:
            return
        body = data[at + 8:at + size]
        if kind == b"wave":
            _config(data[:at + size], at + 8, track)
        elif kind in CONFIG_PAYLOADS:
            track.config_kind, track.config, track.extradata_size = kind, body, size - 8
        elif kind in CONFIG_BOXES:
            track.config_kind, track.config, track.extradata_size = kind, body, size
        elif kind == b"esds":
            track.config_kind, track.extradata_size = kind, _esds_extradata(body)
        if track.config_kind:
            return
        at += size


def _esds_extradata(body: bytes) -> int | None:
    """The DecoderSpecificInfo length of an ``esds`` (MPEG-4 descriptors), or None."""
    at = 4
    while at < len(body):
        tag = body[at]
        at += 1
        length = 0
        for _ in range(4):
            if at >= len(body):
                return None
            length = length << 7 | body[at] & 0x7F
            at += 1
            if not body[at - 1] & 0x80:
                break
        if tag == 0x03:  # ES descriptor: skip its fixed part, then read the ones inside
            flags = body[at + 2] if at + 2 < len(body) else 0
            at += 3 + (2 if flags & 0x80 else 0) + (2 if flags & 0x20 else 0)
            if flags & 0x40 and at < len(body):
                at += 1 + body[at]
        elif tag == 0x04:
            at += 13
        elif tag == 0x05:
            return length
        else:
            at += length
    return None


def mov_tags(found: MovTrack, title: str = "") -> dict[str, str]:
    """A track's tags, named and ordered as the mov demuxer sets them."""
    tags: dict[str, str] = {}
    if found.creation_time:
        tags["creation_time"] = found.creation_time
    if found.language:
        tags["language"] = found.language
    if found.handler_name:
        tags["handler_name"] = found.handler_name
    if found.vendor is not None:
        tags["vendor_id"] = fourcc_string(int.from_bytes(found.vendor, "little"))
    if found.compressor:
        tags["encoder"] = found.compressor
    if title:
        tags["title"] = title
    return tags


def with_movie_tags(tags: dict[str, str], info: MovInfo) -> dict[str, str]:
    """Container tags with the ``ftyp`` minor version and the movie creation time, in ffprobe's order."""
    out: dict[str, str] = {}
    for key in ("major_brand",):
        if key in tags:
            out[key] = tags[key]
    if info.minor_version is not None and "major_brand" in tags:
        out["minor_version"] = str(info.minor_version)
    for key in ("compatible_brands",):
        if key in tags:
            out[key] = tags[key]
    if info.creation_time:
        out["creation_time"] = info.creation_time
    out.update((k, v) for k, v in tags.items() if k not in out)
    return out


def codec_fields(found: MovTrack) -> dict[str, t.Any]:
    """What the decoder takes from the codec configuration: extradata size and, for H.264
    (avcC), its private options and the reorder depth of the SPS (``has_b_frames``)."""
    out = avc_config_fields(found.config) if found.config_kind == b"avcC" else {}
    if found.extradata_size is not None:
        out["extradata_size"] = found.extradata_size
    return out


def avc_config_fields(config: bytes) -> dict[str, t.Any]:
    """The H.264 decoder's private options and SPS reorder depth from an avcC record."""
    out: dict[str, t.Any] = {}
    if len(config) >= 8 and config[0] == 1:
        out["is_avc"], out["nal_length_size"] = "true", str((config[4] & 3) + 1)
        if config[5] & 0x1F:
            length = struct.unpack(">H", config[6:8])[0]
            sps = h264.parse_sps(config[8:8 + length]) if len(config) >= 8 + length else None
            if sps and "reorder_frames" in sps:
                out["has_b_frames"] = sps["reorder_frames"]
    return out


def h264_extradata_fields(extradata: bytes) -> dict[str, t.Any]:
    """:func:`avc_config_fields` for avcC extradata; for Annex B (start codes), not avcC and
    the reorder depth of its SPS."""
    if extradata[:1] == b"\x01":
        return avc_config_fields(extradata)
    out: dict[str, t.Any] = {"is_avc": "false", "nal_length_size": "0"}
    sps = h264.find_sps(extradata + b"\0\0\1")
    if sps and "reorder_frames" in sps:
        out["has_b_frames"] = sps["reorder_frames"]
    return out
