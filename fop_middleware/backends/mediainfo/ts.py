"""The start of an MPEG transport stream as libavformat's ``mpegts`` demuxer sees it.

MediaInfo leaves out what FFmpeg takes from the H.264 sequence parameter set (the frame
rate of a stream without a fixed rate) and does not recognise a transport stream of only
a few packets, which ffprobe still reads. This reads the program tables, the first
timestamp of each elementary stream and the first H.264 SPS, in the first
:data:`SCAN_BYTES` of the file.
"""

from __future__ import annotations

import dataclasses
import typing as t
from fractions import Fraction

from ...avinfo import h264, names, tsprobe
from ...extractor import Source
from .codecs import fourcc_string
from .fields import add_fixed_fields, disposition, ordered

SCAN_BYTES = 1024 * 1024
CHUNK = 192 * 256
#: Bytes of a video stream's first PES payloads searched for its SPS.
SPS_SEARCH_BYTES = 64 * 1024
SYNC = 0x47

#: PMT stream types (ISO 13818-1, ``ff_mpegts_...`` tables) -> FFmpeg codec and kind.
STREAM_TYPES = {
    0x01: ("mpeg2video", "video"), 0x02: ("mpeg2video", "video"), 0x03: ("mp3", "audio"),
    0x04: ("mp3", "audio"), 0x0F: ("aac", "audio"), 0x10: ("mpeg4", "video"), 0x11: ("aac_latm", "audio"),
    0x1B: ("h264", "video"), 0x24: ("hevc", "video"), 0x42: ("cavs", "video"), 0xD1: ("dirac", "video"),
    0xEA: ("vc1", "video"), 0x81: ("ac3", "audio"), 0x87: ("eac3", "audio"), 0x82: ("dts", "audio"),
    0x83: ("truehd", "audio"), 0x84: ("eac3", "audio"), 0x85: ("dts", "audio"), 0x86: ("dts", "audio"),
    0x90: ("hdmv_pgs_subtitle", "subtitle"),
}
#: Registration descriptor formats that decide the codec (``REGD_types`` of mpegts.c).
REGISTRATIONS = {
    b"AC-3": ("ac3", "audio"), b"EAC3": ("eac3", "audio"), b"HEVC": ("hevc", "video"), b"Opus": ("opus", "audio"),
    b"DTS1": ("dts", "audio"), b"DTS2": ("dts", "audio"), b"DTS3": ("dts", "audio"), b"VC-1": ("vc1", "video"),
    b"BSSD": ("s302m", "audio"), b"drac": ("dirac", "video"), b"KLVA": ("klv", "data"), b"ID3 ": ("timed_id3", "data"),
}
#: Descriptor tags of private PES streams (type 6) that decide the codec (DVB).
PRIVATE_DESCRIPTORS = {0x6A: ("ac3", "audio"), 0x7A: ("eac3", "audio"), 0x7B: ("dts", "audio"),
                       0x56: ("dvb_teletext", "subtitle"), 0x59: ("dvb_subtitle", "subtitle")}

#: H.264 profiles whose SPS carries chroma format and bit depths.
@dataclasses.dataclass
class TsStream:
    pid: int
    stream_type: int
    registration: bytes = b""
    first_pts: int | None = None
    last_pts: int | None = None  # the largest, in fact
    packets: int = 0
    sps: dict[str, t.Any] | None = None
    payload: bytearray = dataclasses.field(default_factory=bytearray)

    private: tuple[str, str] | None = None

    @property
    def codec(self) -> tuple[str, str]:
        if self.stream_type in STREAM_TYPES:
            return STREAM_TYPES[self.stream_type]
        if self.registration in REGISTRATIONS:
            return REGISTRATIONS[self.registration]
        if self.stream_type == 0x06:
            return self.private or ("bin_data", "data")
        return "", "data"


@dataclasses.dataclass
class TsInfo:
    packet_size: int
    programs: int = 0
    streams: list[TsStream] = dataclasses.field(default_factory=list)


def packet_layout(head: bytes) -> tuple[int, int] | None:
    """(packet size, offset of the sync byte in a packet): TS (188), BDAV M2TS (192), 204."""
    for size, offset in ((188, 0), (192, 4), (204, 0)):
        count = min(3, (len(head) - offset + size - 188) // size)
        if count >= 2 and all(head[offset + i * size] == SYNC for i in range(count)):
            return size, offset
    return None


def scan_ts(stream: t.BinaryIO, whole: bool = False) -> TsInfo | None:
    """Programs, streams, first timestamps and H.264 SPS of a transport stream, or None.

    Reading stops once every stream has its first timestamp (and SPS); with ``whole``,
    at :data:`SCAN_BYTES`, counting each stream's PES packets and last timestamp.
    """
    stream.seek(0)
    data = stream.read(CHUNK)
    layout = packet_layout(data)
    if layout is None:
        return None
    size, offset = layout
    info = TsInfo(size)
    pmt_pids: set[int] = set()
    by_pid: dict[int, TsStream] = {}
    for packet in _packets(stream, data, size, offset):
        pid = (packet[1] & 0x1F) << 8 | packet[2]
        start = bool(packet[1] & 0x40)
        control = (packet[3] >> 4) & 3
        body = 4 + (1 + packet[4] if control & 2 else 0)
        if not control & 1 or body >= 188:
            continue
        payload = packet[body:]
        if pid == 0 and start and not pmt_pids:
            pmt_pids = _pat(payload)
            info.programs = len(pmt_pids)
        elif pid in pmt_pids and start and not info.streams:
            for found in _pmt(payload):
                by_pid[found.pid] = found
                info.streams.append(found)
        elif pid in by_pid:
            _pes(by_pid[pid], payload, start)
        if not whole and info.streams and all(
                s.first_pts is not None and (s.sps or s.codec[0] != "h264") for s in info.streams):
            break
    return info if info.streams else None


def _packets(stream: t.BinaryIO, data: bytes, size: int, offset: int) -> t.Iterator[bytes]:
    """188-byte packets, read a chunk at a time up to :data:`SCAN_BYTES`."""
    read = len(data)
    at = offset
    while True:
        while at + 188 <= len(data):
            if data[at] == SYNC:
                yield data[at:at + 188]
            at += size
        if read >= SCAN_BYTES:
            return
        more = stream.read(CHUNK)
        if not more:
            return
        read += len(more)
        data, at = data[at:] + more, 0


def _section(payload: bytes) -> bytes:
    """The PSI section a payload starts (after its pointer field), without the CRC."""
    section = payload[1 + payload[0]:]
    length = (section[1] & 0x0F) << 8 | section[2] if len(section) >= 3 else 0
    return section[:3 + length - 4]


def _pat(payload: bytes) -> set[int]:
    section = _section(payload)
    pids = set()
    for at in range(8, len(section) - 3, 4):
        number = section[at] << 8 | section[at + 1]
        if number:
            pids.add((section[at + 2] & 0x1F) << 8 | section[at + 3])
    return pids


def _pmt(payload: bytes) -> list[TsStream]:
    section = _section(payload)
    if len(section) < 12:
        return []
    info_length = (section[10] & 0x0F) << 8 | section[11]
    at = 12 + info_length
    out = []
    while at + 5 <= len(section):
        stream_type = section[at]
        pid = (section[at + 1] & 0x1F) << 8 | section[at + 2]
        length = (section[at + 3] & 0x0F) << 8 | section[at + 4]
        found = TsStream(pid, stream_type)
        descriptors = section[at + 5:at + 5 + length]
        d = 0
        while d + 2 <= len(descriptors):
            tag, size = descriptors[d], descriptors[d + 1]
            if tag == 0x05 and size >= 4:
                found.registration = descriptors[d + 2:d + 6]
            elif tag in PRIVATE_DESCRIPTORS and found.private is None:
                found.private = PRIVATE_DESCRIPTORS[tag]
            d += 2 + size
        out.append(found)
        at += 5 + length
    return out


def _pes(found: TsStream, payload: bytes, start: bool) -> None:
    if start and payload[:3] == b"\0\0\1" and len(payload) >= 9:
        header_end = 9 + payload[8]
        found.packets += 1
        if payload[7] & 0x80 and len(payload) >= 14:
            p = payload[9:14]
            pts = ((p[0] >> 1) & 7) << 30 | p[1] << 22 | (p[2] >> 1) << 15 | p[3] << 7 | p[4] >> 1
            found.last_pts = max(pts, found.last_pts or 0)
            if found.first_pts is None:
                found.first_pts = pts
        payload = payload[header_end:]
    elif not found.payload:
        return
    if found.codec[0] == "h264" and found.sps is None and len(found.payload) < SPS_SEARCH_BYTES:
        found.payload += payload
        found.sps = h264.find_sps(bytes(found.payload))


def ts_answer(info: TsInfo, source: Source) -> dict[str, t.Any]:
    """ffprobe's answer for a transport stream too short for MediaInfo: the program table's
    streams, timed by their PES timestamps (audio parameters are left out: no frame is read)."""
    streams = []
    ends = []
    for index, found in enumerate(info.streams):
        codec, kind = found.codec
        out: dict[str, t.Any] = {"index": index}
        if codec:
            out["codec_name"], out["codec_long_name"] = codec, names.CODEC_LONG_NAMES.get(codec, "unknown")
        out["codec_type"] = kind
        tag = int.from_bytes(found.registration, "little") if len(found.registration) == 4 else found.stream_type
        out["codec_tag_string"], out["codec_tag"] = fourcc_string(tag), f"0x{tag:04x}"
        out["id"] = f"0x{found.pid:x}"
        frame: Fraction | None = None
        if found.sps:
            _sps_fields(out, found.sps)
            frame = 1 / found.sps["frame_rate"] if found.sps.get("frame_rate") else None
        out.setdefault("r_frame_rate", "0/0")
        out["avg_frame_rate"] = "0/0"
        out["time_base"] = "1/90000"
        if found.first_pts is not None:
            out["start_pts"], out["start_time"] = found.first_pts, f"{found.first_pts / 90000:.6f}"
            end = (found.last_pts or found.first_pts) + (round(frame * 90000) if frame else 0)
            ends.append((found.first_pts, end))
            if frame and end > found.first_pts:
                out["duration_ts"] = end - found.first_pts
                out["duration"] = f"{(end - found.first_pts) / 90000:.6f}"
        add_fixed_fields(out, {})
        out["disposition"] = disposition()
        streams.append(ordered(names.with_codec_time_base(out)))
    fmt: dict[str, t.Any] = {"filename": source.name, "nb_streams": len(streams), "nb_programs": info.programs,
                             "format_name": "mpegts", "format_long_name": names.FORMAT_LONG_NAMES["mpegts"]}
    if ends:
        first = min(start for start, _ in ends)
        fmt["start_time"] = f"{first / 90000:.6f}"
        span = max(end for _, end in ends) - first
        if span > 0:
            fmt["duration"] = f"{span / 90000:.6f}"
    if source.size:
        fmt["size"] = str(source.size)
        if "duration" in fmt:
            fmt["bit_rate"] = str(int(source.size * 8 * 90000 / span))
    fmt["probe_score"] = tsprobe.probe_score(source.stream, source.name)
    return {"streams": streams, "format": fmt}


def _sps_fields(out: dict[str, t.Any], sps: dict[str, t.Any]) -> None:
    if sps.get("profile"):
        out["profile"] = sps["profile"]
    out["width"] = out["coded_width"] = sps["width"]
    out["height"] = out["coded_height"] = sps["height"]
    plane = {1: "420", 2: "422", 3: "444"}.get(sps["chroma_format"])
    depth = sps["bit_depth"]
    if plane:
        out["pix_fmt"] = f"yuv{plane}p" + ("" if depth == 8 else f"{depth}le")
    elif sps["chroma_format"] == 0:
        out["pix_fmt"] = "gray" + ("" if depth == 8 else f"{depth}le")
    out["level"] = sps["level"]
    if sps.get("frame_rate"):
        rate = sps["frame_rate"]
        out["r_frame_rate"] = f"{rate.numerator}/{rate.denominator}"
    out["bits_per_raw_sample"] = str(depth)
    out["is_avc"], out["nal_length_size"] = "false", "0"
    if "reorder_frames" in sps:
        out["has_b_frames"] = sps["reorder_frames"]
