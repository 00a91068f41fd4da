"""Facts decoders read from codec headers when ffprobe opens them.

ffprobe 5.1 opens a decoder per stream and prints the decoder's exported options
(``is_avc``, ``nal_length_size`` for H.264; ``quarter_sample``, ``divx_packed`` for
MPEG-4 part 2) and what the decoder saw in the headers. PyAV does not expose a decoder's
private options, so the same bits are read here from the extradata.
"""

from __future__ import annotations

import re
import typing as t

from .ffmt import CHROMA_LOCATIONS

_DIVX_PACKED = re.compile(rb"DivX\d+(?:Build\d+|b\d+)p")


class BitReader:
    """MSB-first bit reader with Exp-Golomb codes, over an RBSP (emulation bytes removed)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def bits(self, n: int) -> int:
        value = 0
        for _ in range(n):
            byte = self.pos >> 3
            if byte >= len(self.data):
                raise EOFError("bitstream ended")
            value = (value << 1) | ((self.data[byte] >> (7 - (self.pos & 7))) & 1)
            self.pos += 1
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bits(1) == 0:
            zeros += 1
            if zeros > 31:
                raise ValueError("bad Exp-Golomb code")
        return (1 << zeros) - 1 + self.bits(zeros)

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k & 1 else -(k // 2)


def unescape(nal: bytes) -> bytes:
    """NAL payload to RBSP: drop the 0x03 of each 00 00 03."""
    return nal.replace(b"\x00\x00\x03", b"\x00\x00")


def h264_private(extradata: bytes | None) -> dict[str, str]:
    """The H.264 decoder's exported options, as ``av_opt_get`` prints them."""
    if extradata and len(extradata) >= 7 and extradata[0] == 1:
        return {"is_avc": "true", "nal_length_size": str((extradata[4] & 3) + 1)}
    return {"is_avc": "false", "nal_length_size": "0"}


def mpeg4_private(extradata: bytes | None) -> dict[str, str]:
    """The MPEG-4 part 2 decoder's exported options (``divx_packed`` from DivX user data)."""
    packed = bool(extradata and _DIVX_PACKED.search(extradata))
    return {"quarter_sample": "false", "divx_packed": "true" if packed else "false"}


def skip_scaling_list(r: BitReader, size: int) -> None:
    """Skip an H.264 scaling list (``decode_scaling_list()``)."""
    last = nxt = 8
    for _ in range(size):
        if nxt:
            nxt = (last + r.se() + 256) % 256
        last = nxt or last


def skip_vui_to_chroma_location(r: BitReader) -> bool:
    """Skip the VUI fields H.264 and HEVC share up to ``chroma_loc_info_present_flag``; return it."""
    if r.bits(1) and r.bits(8) == 255:  # aspect ratio info, extended SAR
        r.bits(32)
    if r.bits(1):  # overscan info
        r.bits(1)
    if r.bits(1):  # video signal type, colour description
        r.bits(4)
        if r.bits(1):
            r.bits(24)
    return bool(r.bits(1))


def chroma_location_name(top_field_type: int) -> str | None:
    """FFmpeg's name of a VUI chroma sample location type (None: a type with no name)."""
    return CHROMA_LOCATIONS[top_field_type + 1] if top_field_type <= 5 else None


def _hevc_sps(extradata: bytes) -> bytes | None:
    """The first SPS NAL (type 33) of hvcC or Annex B extradata, without its 2-byte header."""
    if len(extradata) > 23 and extradata[0] == 1:
        pos = 23
        for _ in range(extradata[22]):
            if pos + 3 > len(extradata):
                return None
            kind, count = extradata[pos] & 0x3F, int.from_bytes(extradata[pos + 1:pos + 3], "big")
            pos += 3
            for _ in range(count):
                size = int.from_bytes(extradata[pos:pos + 2], "big")
                if kind == 33:
                    return extradata[pos + 4:pos + 2 + size]
                pos += 2 + size
        return None
    for part in re.split(rb"\x00\x00\x01", extradata):
        if len(part) > 2 and (part[0] >> 1) & 0x3F == 33:
            return part[2:].rstrip(b"\x00")
    return None


def _skip_hevc_profile_tier_level(r: BitReader, sub_layers: int) -> None:
    r.bits(96)  # general profile, tier, compatibility flags, constraints, level
    present = [(r.bits(1), r.bits(1)) for _ in range(sub_layers)]
    if sub_layers:
        r.bits(2 * (8 - sub_layers))
    for profile, level in present:
        r.bits((88 if profile else 0) + (8 if level else 0))


def _skip_hevc_scaling_list(r: BitReader) -> None:
    for size_id in range(4):
        for _ in range(0, 6, 3 if size_id == 3 else 1):
            if not r.bits(1):
                r.ue()
                continue
            if size_id > 1:
                r.se()
            for _ in range(min(64, 1 << (4 + (size_id << 1)))):
                r.se()


def _skip_hevc_short_term_rps(r: BitReader, count: int) -> None:
    deltas: list[int] = []
    for idx in range(count):
        if idx and r.bits(1):  # inter_ref_pic_set_prediction_flag
            r.bits(1)
            r.ue()
            used = 0
            for _ in range(deltas[idx - 1] + 1):
                if r.bits(1) or r.bits(1):
                    used += 1
            deltas.append(used)
            continue
        negative, positive = r.ue(), r.ue()
        for _ in range(negative + positive):
            r.ue()
            r.bits(1)
        deltas.append(negative + positive)


def hevc_chroma_location(extradata: bytes | None) -> str | None:
    """``chroma_location`` 5.1's HEVC decoder exported: 4:2:0 only, the VUI's, else ``left``."""
    sps = _hevc_sps(extradata) if extradata else None
    if not sps:
        return None
    try:
        r = BitReader(unescape(sps))
        r.bits(4)
        sub_layers = r.bits(3)
        r.bits(1)
        _skip_hevc_profile_tier_level(r, sub_layers)
        r.ue()
        chroma_format = r.ue()
        if chroma_format == 3:
            r.bits(1)
        r.ue(), r.ue()
        if r.bits(1):
            r.ue(), r.ue(), r.ue(), r.ue()
        r.ue(), r.ue()
        poc_lsb_bits = r.ue() + 4
        ordering = r.bits(1)
        for _ in range(0 if ordering else sub_layers, sub_layers + 1):
            r.ue(), r.ue(), r.ue()
        for _ in range(6):
            r.ue()
        if r.bits(1) and r.bits(1):
            _skip_hevc_scaling_list(r)
        r.bits(2)
        if r.bits(1):  # pcm_enabled_flag
            r.bits(8)
            r.ue(), r.ue()
            r.bits(1)
        _skip_hevc_short_term_rps(r, r.ue())
        if r.bits(1):  # long_term_ref_pics_present_flag
            for _ in range(r.ue()):
                r.bits(poc_lsb_bits + 1)
        r.bits(2)
        if chroma_format != 1:
            return None
        if not r.bits(1) or not skip_vui_to_chroma_location(r):  # no VUI, or no location in it
            return "left"
        return chroma_location_name(r.ue())
    except (EOFError, ValueError, IndexError):
        return "left" if sps else None


def av1_chroma_location(extradata: bytes | None) -> str | None:
    """``chroma_sample_position`` of the ``av1C`` record, as libdav1d exported it in 5.1."""
    if not extradata or len(extradata) < 4 or not extradata[0] & 0x80:
        return None
    return {1: "left", 2: "topleft"}.get(extradata[2] & 0x03)


def flac_bits(extradata: bytes | None) -> int:
    """Bits per sample of FLAC's STREAMINFO (the extradata), 0 when absent."""
    if not extradata or len(extradata) < 18:
        return 0
    return ((extradata[12] & 1) << 4 | extradata[13] >> 4) + 1


def alac_bits(extradata: bytes | None) -> int:
    """Bit depth of the ALAC magic cookie (after its 12-byte atom header), 0 when absent."""
    if not extradata or len(extradata) < 36:
        return 0
    return extradata[17]


def mpeg2_cpb(extradata: bytes | None) -> dict[str, t.Any] | None:
    """The "CPB properties" side data 5.1's MPEG-2 parser exported from the sequence header.

    ``max_bitrate`` is the header's bit rate (0 for the VBR marker 0x3FFFF) and
    ``buffer_size`` its VBV buffer size; the other fields stay at their defaults.
    """
    at = extradata.find(b"\x00\x00\x01\xb3") if extradata else -1
    if extradata is None or at < 0 or len(extradata) < at + 12:
        return None
    h = extradata[at + 4:at + 12]
    rate = (h[4] << 10) | (h[5] << 2) | (h[6] >> 6)
    vbv = ((h[6] & 0x1F) << 5) | (h[7] >> 3)
    ext = extradata.find(b"\x00\x00\x01\xb5", at + 12)
    if ext >= 0 and len(extradata) >= ext + 9 and extradata[ext + 4] >> 4 == 1:
        e = extradata[ext + 4:ext + 9]
        rate |= (((e[2] & 0x1F) << 7) | (e[3] >> 1)) << 18
        vbv |= e[4] << 10
    if not vbv:
        return None
    return {
        "side_data_type": "CPB properties",
        "max_bitrate": 0 if rate & 0x3FFFF == 0x3FFFF else rate * 400,
        "min_bitrate": 0,
        "avg_bitrate": 0,
        "buffer_size": vbv * 16384,
        "vbv_delay": -1,
    }


def dvd_subtitle_size(extradata: bytes | None) -> tuple[int, int] | None:
    """The ``size: WxH`` line of a DVD subtitle's extradata, which its decoder reads at init."""
    match = re.search(rb"size:\s*(\d+)x(\d+)", extradata or b"")
    if match is None or not int(match[1]) or not int(match[2]):
        return None
    return int(match[1]), int(match[2])
