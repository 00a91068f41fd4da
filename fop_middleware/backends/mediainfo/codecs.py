"""FFmpeg's codec-level facts from one MediaInfo track: names, profiles, pixel formats.

Used by :mod:`fop_middleware.backends.mediainfo.map`; each function reads the raw fields
of MediaInfo's JSON report (``Format``, ``CodecID``, ``BitDepth``...).
"""

from __future__ import annotations

import re
import typing as t
from fractions import Fraction

from ...avinfo import names

#: MPEG-4 part 2 profiles as MediaInfo names them; FFmpeg adds " Profile".
MPEG4_PROFILES = {"Simple", "Advanced Simple", "Simple Scalable", "Core", "Main", "N-bit", "Hybrid",
                  "Advanced Real Time Simple", "Core Scalable", "Advanced Coding", "Advanced Core",
                  "Simple Studio", "Simple Face Animation", "Basic Animated Texture", "Scalable Texture",
                  "Advanced Scalable Texture"}
#: MPEG-2 profiles whose names FFmpeg and MediaInfo share, and its levels' numbers.
MPEG2_PROFILES = {"Simple", "Main", "High", "4:2:2", "SNR Scalable", "Spatially Scalable"}
MPEG2_LEVELS = {"High": 4, "High 1440": 6, "Main": 8, "Low": 10}

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

#: Sun AU encodings, as MediaInfo words them; AU samples are big-endian.
AU_ENCODINGS = {
    "8-bit mu-law": "pcm_mulaw", "8-bit A-law": "pcm_alaw", "8-bit signed linear": "pcm_s8",
    "16-bit signed linear": "pcm_s16be", "24-bit signed linear": "pcm_s24be",
    "32-bit signed linear": "pcm_s32be", "32-bit IEEE floating point": "pcm_f32be",
    "64-bit IEEE floating point": "pcm_f64be",
}
#: AIFF-C compression types that are PCM variants (sample size aside).
AIFC_COMPRESSIONS = {"alaw": "pcm_alaw", "ulaw": "pcm_mulaw", "fl32": "pcm_f32be", "fl64": "pcm_f64be",
                     "sowt": "pcm_s16le", "in24": "pcm_s24be", "in32": "pcm_s32be"}


def codec_name(track: dict[str, t.Any], container: str = "") -> str:
    """FFmpeg's codec descriptor name for a MediaInfo track, or "" when unknown."""
    kind, fmt = str(track.get("@type")), str(track.get("Format", ""))
    codec_id = str(track.get("CodecID", ""))
    if kind == "Audio" and fmt == "MPEG Audio":
        layer = str(track.get("Format_Profile", "Layer 3"))
        return {"Layer 1": "mp1", "Layer 2": "mp2"}.get(layer, "mp3")
    if kind == "Video" and fmt == "MPEG Video":
        return "mpeg1video" if str(track.get("Format_Version")).endswith("1") else "mpeg2video"
    if kind == "Audio" and container == "au" and codec_id in AU_ENCODINGS:
        return AU_ENCODINGS[codec_id]
    if kind == "Audio" and (fmt == "PCM" or fmt == "ADPCM" and track.get("Format_Profile") in ("A-Law", "U-Law")):
        return pcm_name(track, container)
    if kind == "Audio" and fmt == "AMR":
        return "amr_wb" if "Wide" in str(track.get("Format_Profile")) else "amr_nb"
    if kind == "Audio" and fmt in ("WMA", "ADPCM") or kind == "Video" and fmt == "VC-1" and codec_id == "WMV3":
        return names.MEDIAINFO_CODEC_IDS.get(codec_id, "")
    found = names.MEDIAINFO_CODECS.get((kind, fmt)) or names.MEDIAINFO_CODEC_IDS.get(codec_id, "")
    if not found and len(codec_id) == 4:
        # libavformat's fourcc lookup falls back to the upper-cased tag (avpriv_toupper4)
        found = names.MEDIAINFO_CODEC_IDS.get(codec_id.upper(), "")
    return found


def fourcc_string(tag: int) -> str:
    """``av_fourcc2str``: printable bytes as is, the others as ``[n]``, low byte first."""
    out = []
    for shift in (0, 8, 16, 24):
        c = (tag >> shift) & 0xFF
        out.append(chr(c) if chr(c).isascii() and (chr(c).isalnum() or chr(c) in ". -_") else f"[{c}]")
    return "".join(out)


def pcm_name(track: dict[str, t.Any], container: str) -> str:
    """The PCM codec (``pcm_s16le``...) from sample size, sign, endianness and float-ness."""
    profile = track.get("Format_Profile")
    if profile in ("A-Law", "U-Law"):
        return "pcm_alaw" if profile == "A-Law" else "pcm_mulaw"
    codec_id = str(track.get("CodecID", ""))
    if container == "au" and codec_id in AU_ENCODINGS:
        return AU_ENCODINGS[codec_id]
    if container == "aiff" and codec_id in AIFC_COMPRESSIONS:
        return AIFC_COMPRESSIONS[codec_id]
    bits = integer(track.get("BitDepth")) or 16
    if bits == 8:
        # 8-bit WAV and AVI samples are unsigned, AIFF's signed, when MediaInfo does not say
        sign = track.get("Format_Settings_Sign") or ("Unsigned" if container in ("wav", "avi", "w64") else "Signed")
        return "pcm_u8" if sign == "Unsigned" else "pcm_s8"
    endian = "be" if track.get("Format_Settings_Endianness") == "Big" else "le"
    is_float = "Float" in (str(track.get("Format_Settings_Sign")), str(profile)) or "Float" in str(track.get("Format_Settings"))
    kind = "f" if is_float else "s"
    return f"pcm_{kind}{bits}{endian}"


def profile_name(codec: str, track: dict[str, t.Any]) -> str:
    """FFmpeg's profile name where MediaInfo's words map onto it, else ""."""
    profile = str(track.get("Format_Profile", ""))
    if codec == "h264":
        return profile.split("@")[0] if profile else ""
    if codec == "hevc" and profile:
        return {"Format Range": "Rext"}.get(profile, profile)
    if codec == "vp9" and profile.isdigit():
        return f"Profile {profile}"
    if codec == "mpeg4" and profile in MPEG4_PROFILES:
        return f"{profile} Profile"
    if codec == "mpeg2video" and profile in MPEG2_PROFILES:
        return profile
    if codec == "vp8" and profile.isdigit():
        return profile
    if codec == "av1" and profile:
        return profile.split("@")[0]
    if codec == "aac":
        return {"LC": "LC", "HE-AAC": "HE-AAC", "HE-AACv2": "HE-AACv2", "Main": "Main"}.get(
            str(track.get("Format_AdditionalFeatures", "")), "")
    return ""


def level_number(codec: str, level: t.Any) -> int | None:
    """``level`` as FFmpeg numbers it: H.264 "3.1" is 31, HEVC "4" is 120, MPEG-2 Main is 8."""
    if codec == "mpeg2video":
        return MPEG2_LEVELS.get(str(level))
    found = number(level)
    if found is None:
        return None
    if codec == "h264":
        return round(found * 10)
    if codec == "hevc":
        return round(found * 30)
    if codec == "mpeg4" and str(level).isdigit():
        return int(str(level))
    return None


def pix_fmt_name(codec: str, track: dict[str, t.Any]) -> str:
    """The pixel format FFmpeg's decoder reports, from colour space, subsampling and depth."""
    if codec in names.FIXED_PIX_FMTS:
        return names.FIXED_PIX_FMTS[codec]
    space = str(track.get("ColorSpace", "YUV" if track.get("ChromaSubsampling") else ""))
    bits = integer(track.get("BitDepth")) or 8
    if codec == "prores":
        # 5.1's decoder: 4:4:4 (4444, 4444 XQ) to 12 bits, 4:2:2 to 10 bits, whatever the stream says
        bits = 12 if str(track.get("ChromaSubsampling", "")).startswith("4:4:4") else 10
    suffix = "" if bits == 8 else f"{bits}le"
    if space == "RGB" and codec == "ffv1":
        return "bgr0" if bits == 8 else "gbrp" + suffix  # 8-bit RGB decodes to packed 0RGB32
    if space == "RGB" and codec in ("h264", "hevc", "vp9", "av1"):
        return "gbrp" + suffix
    if space == "Y":
        return "gray" + suffix
    sub = str(track.get("ChromaSubsampling", "")).split(" ")[0]
    plane = {"4:2:0": "420", "4:2:2": "422", "4:4:4": "444", "4:1:1": "411", "4:4:0": "440"}.get(sub)
    if codec == "mpeg4" and not space and plane is None:
        return "yuv420p"  # all but the rare studio profiles decode to 4:2:0
    if space != "YUV" or plane is None:
        return ""
    if codec == "mjpeg" and bits == 8:
        return f"yuvj{plane}p"
    return f"yuv{plane}p{suffix}"


def frame_rate(track: dict[str, t.Any]) -> str:
    """The frame rate as a fraction ("30000/1001"); "" when MediaInfo has none."""
    num, den = integer(track.get("FrameRate_Num")), integer(track.get("FrameRate_Den"))
    if num and den:
        q = Fraction(num, den)
        return f"{q.numerator}/{q.denominator}"
    rate = number(track.get("FrameRate"))
    if not rate:
        return ""
    if abs(rate - round(rate)) < 0.0015:
        return f"{round(rate)}/1"
    if abs(rate * 1.001 - round(rate * 1.001)) < 0.0015:
        return f"{round(rate * 1.001) * 1000}/1001"
    q = Fraction(rate).limit_denominator(1001)
    return f"{q.numerator}/{q.denominator}"


def number(value: t.Any) -> float | None:
    """The leading number of a MediaInfo value ("44100", "3.000", "2 / 1"), or None."""
    match = _NUMBER.match(str(value)) if value is not None else None
    return float(match.group(0)) if match else None


def integer(value: t.Any) -> int:
    """:func:`number` as an int, 0 when there is none."""
    found = number(value)
    return int(found) if found is not None else 0
