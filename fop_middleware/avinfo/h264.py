"""What FFmpeg's H.264 decoder reads from a sequence parameter set (SPS).

One parser for every backend: pyav needs the chroma location the decoder reports, and
the mediainfo backend needs profile, level, size, bit depth, frame rate and reorder depth
where MediaInfo does not say them.
"""

from __future__ import annotations

import re
import typing as t
from fractions import Fraction

from .bitstream import BitReader, chroma_location_name, skip_scaling_list, skip_vui_to_chroma_location, unescape

#: profile_idc values whose SPS carries chroma format, bit depths and scaling matrices.
HIGH_PROFILES = frozenset({100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135})
#: profile_idc (and constraint_set3 for intra) -> FFmpeg's profile name.
PROFILES = {
    66: "Baseline",
    77: "Main",
    88: "Extended",
    100: "High",
    110: "High 10",
    122: "High 4:2:2",
    244: "High 4:4:4 Predictive",
    44: "CAVLC 4:4:4",
}

_START_CODE = b"\x00\x00\x01"


def first_sps(extradata: bytes) -> bytes | None:
    """The first SPS NAL of avcC or Annex B extradata."""
    if extradata[0] == 1 and len(extradata) > 8:
        count = extradata[5] & 0x1F
        if count:
            size = int.from_bytes(extradata[6:8], "big")
            return extradata[8:8 + size]
        return None
    for part in re.split(rb"\x00\x00\x01", extradata):
        if part and part[0] & 0x1F == 7:
            return part.rstrip(b"\x00")
    return None


def find_sps(data: bytes) -> dict[str, t.Any] | None:
    """The first complete SPS of an Annex B byte stream, parsed."""
    at = data.find(_START_CODE)
    while at >= 0:
        end = data.find(_START_CODE, at + 3)
        if data[at + 3:at + 4] and data[at + 3] & 0x1F == 7:
            if end < 0:
                return None  # may go on in the next packet
            return parse_sps(data[at + 3:end].rstrip(b"\0"))
        at = end
    return None


def chroma_location(extradata: bytes | None) -> str | None:
    """``chroma_location`` the H.264 decoder reports: the SPS VUI's, else ``left``.

    ``h264_decode_init()`` starts from ``left``; ``decode_vui_parameters()`` replaces it
    only when the VUI has chroma location info (None: a type with no name).
    """
    nal = first_sps(extradata) if extradata else None
    sps = parse_sps(nal) if nal else None
    if sps is None:
        return "left"
    return t.cast("str | None", sps.get("chroma_location", "left"))


def parse_sps(nal: bytes) -> dict[str, t.Any] | None:
    """Profile, level, size, chroma format, bit depth and the VUI facts of an SPS NAL.

    None when the SPS ends before its VUI; a VUI cut short keeps what was read of it.
    """
    try:
        r = BitReader(unescape(nal[1:]))
        profile, constraints, level = r.bits(8), r.bits(8), r.bits(8)
        r.ue()
        chroma, depth = 1, 8
        if profile in HIGH_PROFILES:
            chroma = r.ue()
            if chroma == 3:
                r.bits(1)
            depth = r.ue() + 8
            r.ue()
            r.bits(1)
            if r.bits(1):
                for i in range(8 if chroma != 3 else 12):
                    if r.bits(1):
                        skip_scaling_list(r, 16 if i < 6 else 64)
        r.ue()
        poc_type = r.ue()
        if poc_type == 0:
            r.ue()
        elif poc_type == 1:
            r.bits(1)
            r.se()
            r.se()
            for _ in range(r.ue()):
                r.se()
        r.ue()
        r.bits(1)
        width_mbs, height_units = r.ue() + 1, r.ue() + 1
        frame_mbs_only = r.bits(1)
        if not frame_mbs_only:
            r.bits(1)
        r.bits(1)
        crop = (r.ue(), r.ue(), r.ue(), r.ue()) if r.bits(1) else (0, 0, 0, 0)
        has_vui = r.bits(1)
    except (EOFError, ValueError):
        return None
    sub_w, sub_h = {0: (1, 1), 1: (2, 2), 2: (2, 1), 3: (1, 1)}.get(chroma, (2, 2))
    unit_y = sub_h * (2 - frame_mbs_only) if chroma else 2 - frame_mbs_only
    out: dict[str, t.Any] = {
        "profile": profile_name(profile, constraints),
        "level": level,
        "chroma_format": chroma,
        "bit_depth": depth,
        "width": width_mbs * 16 - sub_w * (crop[0] + crop[1]),
        "height": (2 - frame_mbs_only) * height_units * 16 - unit_y * (crop[2] + crop[3]),
    }
    if has_vui:
        try:
            _read_vui(r, out)
        except (EOFError, ValueError):
            pass
    return out


def _read_vui(r: BitReader, out: dict[str, t.Any]) -> None:
    if skip_vui_to_chroma_location(r):
        top, _bottom = r.ue(), r.ue()
        out["chroma_location"] = chroma_location_name(top)
    if r.bits(1):
        units, scale = r.bits(32), r.bits(32)
        if units and scale:
            out["frame_rate"] = Fraction(scale, 2 * units)
        r.bits(1)
    nal_hrd, vcl_hrd = r.bits(1) and _skip_hrd(r), r.bits(1) and _skip_hrd(r)
    if nal_hrd or vcl_hrd:
        r.bits(1)
    r.bits(1)
    if r.bits(1):  # bitstream restriction: the reorder depth the decoder takes as has_b_frames
        r.bits(1)
        for _ in range(4):
            r.ue()
        out["reorder_frames"] = r.ue()


def _skip_hrd(r: BitReader) -> bool:
    count = r.ue() + 1
    r.bits(8)
    for _ in range(count):
        r.ue()
        r.ue()
        r.bits(1)
    r.bits(20)
    return True


def profile_name(profile: int, constraints: int) -> str:
    """FFmpeg's name of an H.264 profile, intra and constrained variants included."""
    if profile == 66 and constraints & 0x40:
        return "Constrained Baseline"
    if profile in (110, 122, 244) and constraints & 0x10:
        return PROFILES[profile] + " Intra"
    return PROFILES.get(profile, "")
