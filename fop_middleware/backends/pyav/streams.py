"""One entry of ffprobe 5.1's ``streams`` list, from a PyAV stream.

Fields come in ``show_stream()``'s order (FFmpeg 5.1 ``fftools/ffprobe.c``) with its JSON
types and its "print only when known" rules, plus ffprobe 4.x's ``codec_time_base``.
What PyAV does not show is derived as 5.1 derived it: from the codec headers
(:mod:`.bitstream`), per-codec facts (:mod:`.codecs`) and the MP4 boxes (:mod:`.isobmff`).
"""

from __future__ import annotations

import ctypes
import fractions
import re
import struct
import typing as t

from ...avinfo import bitstream, codecs, ffmt, h264
from . import api, isobmff, layouts
from ...avinfo.names import CODEC_LONG_NAMES

if t.TYPE_CHECKING:
    import av.stream

#: ffprobe 5.1's disposition keys and their ``AV_DISPOSITION_*`` bits, in its order.
DISPOSITIONS = (
    ("default", 0x1), ("dub", 0x2), ("original", 0x4), ("comment", 0x8), ("lyrics", 0x10),
    ("karaoke", 0x20), ("forced", 0x40), ("hearing_impaired", 0x80), ("visual_impaired", 0x100),
    ("clean_effects", 0x200), ("attached_pic", 0x400), ("timed_thumbnails", 0x800),
    ("captions", 0x10000), ("descriptions", 0x20000), ("metadata", 0x40000),
    ("dependent", 0x80000), ("still_image", 0x100000),
)

#: Demuxers that label any MPEG audio layer "mp3": 5.1 then probed it with the float
#: mp3 decoder (fltp), where a demuxer that says "mp2" got the fixed-point one (s16p).
MP3_LABELLING_DEMUXERS = frozenset({"mpegts", "mp3", "mov,mp4,m4a,3gp,3g2,mj2", "flv"})
#: Sample entries 5.1's mov demuxer kept as extradata for tracks PyAV has no codec for
#: (``mov_parse_stsd_data()``: timecodes; text tracks went through the subtitle path).
ENTRY_EXTRADATA = frozenset({b"tmcd", b"text", b"tx3g"})
#: Demuxers of raw video elementary streams (no container timing of their own).
RAW_VIDEO_DEMUXERS = frozenset({"h264", "hevc", "mpegvideo", "m4v", "cavsvideo"})
#: Demuxers whose header frame count 5.1 did not export as ``nb_frames``.
NO_FRAME_COUNT_DEMUXERS = frozenset({"ivf"})
#: Colour properties newer decoders set and 5.1's did not: (codec, field, value).
NEWER_COLOR_PROPERTIES = frozenset({
    ("png", "color_space", "gbr"), ("apng", "color_space", "gbr"), ("exr", "color_transfer", "linear"),
})

_UNSPECIFIED_LAYOUT = re.compile(r"^\d+ channels$")
_CUSTOM_LAYOUT = re.compile(r"^\d+ channels \(")


def tag_int(tag: str | int | None) -> int:
    """A codec tag as its 32-bit integer (PyAV hands it out as a 4-character string)."""
    if tag is None:
        return 0
    if isinstance(tag, int):
        return tag
    raw = tag.encode("latin-1", "replace")[:4].ljust(4, b"\x00")
    return int.from_bytes(raw, "little")


def frac(value: fractions.Fraction | None) -> tuple[int, int] | None:
    return None if value is None else (value.numerator, value.denominator)


def codec_time_base(kind: str, name: str, rate: fractions.Fraction | None, sample_rate: int) -> str:
    """ffprobe 4.x's ``codec_time_base``: 1/(frame rate x ticks per frame), 1/sample rate.

    FFmpeg 4.x set the decoder's ``time_base`` to ``1 / (framerate * ticks_per_frame)``
    (``FF_API_AVCTX_TIMEBASE`` in libavcodec) and audio decoders to 1/sample rate.
    """
    if kind == "video" and rate:
        ticks = codecs.TICKS_PER_FRAME.get(name, 1)
        num, den = ffmt.av_reduce(rate.denominator, rate.numerator * ticks, 2**31 - 1)
        return f"{num}/{den}"
    if kind == "audio" and sample_rate:
        return f"1/{sample_rate}"
    return "0/1"


def _video_fields(out: dict[str, t.Any], stream: t.Any, name: str, delay: int, chroma: str | None) -> None:
    cc = stream.codec_context
    width, height = cc.width, cc.height
    out["width"] = width
    out["height"] = height
    out["coded_width"] = cc.coded_width
    out["coded_height"] = cc.coded_height
    out["closed_captions"] = 0
    out["film_grain"] = 0
    out["has_b_frames"] = delay
    sar = stream.sample_aspect_ratio or cc.sample_aspect_ratio
    if sar and sar.numerator > 0:
        out["sample_aspect_ratio"] = ffmt.q(sar, ":")
        dar = ffmt.av_reduce(width * sar.numerator, height * sar.denominator, 1024 * 1024)
        out["display_aspect_ratio"] = ffmt.q(dar, ":")
    fmt = cc.format
    if fmt is not None:
        out["pix_fmt"] = fmt.name
    out["level"] = cc.level
    for key, table, value in (
        ("color_range", ffmt.COLOR_RANGES, cc.color_range),
        ("color_space", ffmt.COLOR_SPACES, cc.colorspace),
        ("color_transfer", ffmt.COLOR_TRANSFERS, cc.color_trc),
        ("color_primaries", ffmt.COLOR_PRIMARIES, cc.color_primaries),
    ):
        text = ffmt.name_at(table, int(value))
        if (name, key, text) in NEWER_COLOR_PROPERTIES:
            continue
        if text and text != "unknown":
            out[key] = text
    if chroma is None:
        chroma = codecs.CHROMA_LOCATION.get(name)
    if name == "h264":
        chroma = h264.chroma_location(cc.extradata)
    elif name == "hevc":
        chroma = bitstream.hevc_chroma_location(cc.extradata)
    elif name == "av1":
        chroma = bitstream.av1_chroma_location(cc.extradata)
    elif name == "dvvideo" and fmt is not None and fmt.name == "yuv420p":
        chroma = "topleft"  # PAL DV 4:2:0
    elif name == "mpeg2video" and fmt is not None and not fmt.name.startswith("yuv420"):
        chroma = "topleft"  # mpeg_decode_postinit(): 4:2:2 and 4:4:4 sit top-left
    if chroma and chroma != "unspecified":
        out["chroma_location"] = chroma
    field_order = ffmt.name_at(ffmt.FIELD_ORDERS, int(cc.field_order))
    if field_order and name != "mpeg1video":  # 5.1's MPEG-1 decoder left it unknown
        out["field_order"] = field_order
    out["refs"] = 1


def _audio_fields(out: dict[str, t.Any], cc: t.Any, name: str, demuxer: str) -> None:
    fmt = cc.format
    if fmt is not None:
        float_layer = name in ("mp1", "mp2") and demuxer in MP3_LABELLING_DEMUXERS
        out["sample_fmt"] = "fltp" if float_layer and fmt.name == "s16p" else fmt.name
    out["sample_rate"] = str(cc.sample_rate)
    channels, layout = channel_layout(cc)
    if demuxer == "mov,mp4,m4a,3gp,3g2,mj2":
        layout = layouts.as_51(layout)  # a ``chan`` box: 5.1 made a channel mask of it
    out["channels"] = channels
    if layout and not _UNSPECIFIED_LAYOUT.match(layout):
        out["channel_layout"] = layout
    out["bits_per_sample"] = codecs.BITS_PER_SAMPLE.get(name, 0)


def channel_layout(cc: t.Any) -> tuple[int, str]:
    """(channel count, ``av_channel_layout_describe()`` text), reading PyAV's layout once.

    PyAV 18 wraps the codec context's ``AVChannelLayout`` by value, and each wrapper frees
    a custom-order layout's channel map when it is collected: a second wrapper, or the
    codec context itself, then frees it again and the process aborts (MOV files with a
    ``chan`` box). So the layout is read through one wrapper, and a custom-order one is
    never collected (a reference is added and not taken back: a few bytes per such
    stream), so that only the codec context frees its map.
    """
    layout = cc.layout
    if layout is None:
        return 0, ""
    name, count = layout.name, layout.nb_channels
    if _CUSTOM_LAYOUT.match(name):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(layout))
    return count, name


def _raw_bits(kind: str, name: str, cc: t.Any) -> int:
    """``bits_per_raw_sample`` as 5.1's demuxers and decoders set it."""
    if kind == "video" and cc.format is not None and name in codecs.VIDEO_RAW_BITS | codecs.VIDEO_HIGH_RAW_BITS:
        components = cc.format.components
        bits = components[0].bits if components else 0
        return bits if bits > 8 or name in codecs.VIDEO_RAW_BITS else 0
    if kind != "audio" or not (name in codecs.AUDIO_RAW_BITS or name.startswith("pcm_") or name == "dfpwm"):
        return 0
    if name == "dfpwm":
        return 8
    if name == "pcm_dvd":
        return 16 if cc.format is not None and cc.format.name.startswith("s16") else 24
    if name.startswith("pcm_"):
        # pcm_decode_init(): the codec's sample size, for formats decoded to 32 bits
        is_s32 = cc.format is not None and cc.format.name.startswith("s32")
        return codecs.BITS_PER_SAMPLE.get(name, 0) if is_s32 else 0
    if name == "flac":
        return bitstream.flac_bits(cc.extradata)
    if name == "alac":
        return bitstream.alac_bits(cc.extradata)
    return 24 if cc.format is not None and cc.format.name.startswith("s32") else 16


def _private_fields(name: str, extradata: bytes | None) -> dict[str, str]:
    if name == "h264":
        return bitstream.h264_private(extradata)
    if name == "mpeg4":
        return bitstream.mpeg4_private(extradata)
    return {}


def _codec_tag(cc: t.Any) -> int:
    """The codec tag as an integer (0 without a codec context).

    PyAV decodes the tag's bytes as ASCII; for a tag with a byte over 127 (AAC in AVI
    is 0xFF, Blu-ray PCM in a TS 0x80) the error carries the bytes instead.
    """
    if cc is None:
        return 0
    try:
        return tag_int(cc.codec_tag)
    except UnicodeDecodeError as e:
        raw = e.object if isinstance(e.object, bytes) else b""
        return int.from_bytes(raw[:4], "little")


def _codec_of(stream: av.stream.Stream) -> tuple[str, bytes | None]:
    """The codec descriptor's name and the extradata, for streams with and without a decoder."""
    cc = stream.codec_context
    if stream.type == "attachment":
        name = codecs.attachment_codec(stream.metadata.get("mimetype", ""))
        return name or "unknown", getattr(stream, "data", None)
    if cc is None:
        return getattr(stream, "name", None) or "unknown", None
    return cc.codec.canonical_name, cc.extradata


def _open_decoder(stream: av.stream.Stream) -> bool:
    """Open the stream's decoder as ffprobe does, so decoder-set fields (coded size) agree."""
    cc = stream.codec_context
    if cc is None or stream.type not in ("video", "audio", "subtitle"):
        return False
    try:
        cc.thread_count = 1
        cc.open()
    except Exception:  # ffprobe keeps going without a decoder too
        return False
    return True


def stream_info(
    stream: av.stream.Stream, show_ids: bool, track: isobmff.Track | None = None, chroma: str | None = None
) -> dict[str, t.Any]:
    """One entry of ffprobe's ``streams`` list.

    :param track: what the MP4/QuickTime boxes say about the stream, for an MP4.
    :param chroma: the chroma location the container's header gives (YUV4MPEG).
    """
    cc = stream.codec_context
    kind = stream.type
    name, extradata = _codec_of(stream)
    delay = int(getattr(cc, "reorder_depth", 0) or 0) if kind == "video" else 0
    has_decoder = _open_decoder(stream)

    out: dict[str, t.Any] = {"index": stream.index}
    if name != "unknown":
        out["codec_name"] = name
        long_name = CODEC_LONG_NAMES.get(name) or (cc.codec.long_name if cc is not None else None)
        out["codec_long_name"] = long_name or "unknown"
    profile = cc.profile if cc is not None else None
    if profile:
        profile = codecs.PROFILES_51.get((name, profile), profile)
    if profile:
        out["profile"] = profile
    elif name == "vp8":  # 5.1 printed the VP8 version number: no names for it
        out["profile"] = "0"
    if kind in ("video", "audio", "subtitle", "data", "attachment"):
        out["codec_type"] = kind
    rate = getattr(cc, "framerate", None) if kind == "video" else None
    sample_rate = int(getattr(cc, "sample_rate", 0) or 0) if kind == "audio" else 0
    out["codec_time_base"] = codec_time_base(kind, name, rate, sample_rate)
    tag = _codec_tag(cc)
    if cc is None and track is not None and track.entry_format:
        tag = int.from_bytes(track.entry_format, "little")
    out["codec_tag_string"] = ffmt.fourcc(tag)
    out["codec_tag"] = "0x%04x" % tag

    # A stream PyAV has no codec parameters for (an unknown codec) has none of these.
    if cc is not None and kind == "video":
        _video_fields(out, stream, name, delay, chroma)
    elif cc is not None and kind == "audio":
        _audio_fields(out, cc, name, stream.container.format.name)
    elif kind == "subtitle":
        # PyAV shows no subtitle size; a DVD subtitle's extradata (its .idx header) has it
        size = bitstream.dvd_subtitle_size(extradata) if name == "dvd_subtitle" else None
        if size is not None:
            out["width"], out["height"] = size
    if has_decoder:
        out.update(_private_fields(name, extradata))

    out.update(_timing_fields(stream, kind, name, show_ids, track))
    out.update(_size_fields(stream, kind, name, extradata, track))
    flags = int(stream.disposition)
    out["disposition"] = {key: int(bool(flags & bit)) for key, bit in DISPOSITIONS}
    tags = _tags(stream, kind, track)
    if tags:
        out["tags"] = tags
    side_data = _side_data(kind, name, extradata, track)
    if side_data:
        out["side_data_list"] = side_data
    return out


def _timing_fields(
    stream: t.Any, kind: str, name: str, show_ids: bool, track: isobmff.Track | None
) -> dict[str, t.Any]:
    """``id`` to ``duration``: ids, frame rates, time base, start and duration."""
    out: dict[str, t.Any] = {}
    if show_ids:
        out["id"] = "0x%x" % stream.id
    # Only video streams get frame rates from PyAV (and from 5.1's find_stream_info).
    base_rate = stream.base_rate if kind == "video" else None
    average_rate = stream.average_rate if kind == "video" else None
    if name == "mpeg1video" and base_rate and base_rate == 2 * (average_rate or 0):
        base_rate = average_rate  # 5.1 counted MPEG-1 frames, not fields
    demuxer = stream.container.format.name
    if kind == "video" and demuxer in RAW_VIDEO_DEMUXERS:
        # an elementary stream: 5.1 took both rates from the bitstream's own timing
        rate = getattr(stream.codec_context, "framerate", None)
        base_rate = rate or base_rate
        average_rate = None if demuxer == "m4v" else rate or average_rate
    out["r_frame_rate"] = ffmt.q(base_rate)
    out["avg_frame_rate"] = ffmt.q(average_rate)
    if kind == "data" and track is not None and track.entry_format == b"tmcd" and len(track.entry) >= 32:
        # 5.1's mov_parse_stsd_data(): the timecode entry's time scale / frame duration
        scale, frame = struct.unpack(">II", track.entry[24:32])
        out["avg_frame_rate"] = f"{scale}/{frame}"
    out["time_base"] = ffmt.q(stream.time_base)
    time_base = frac(stream.time_base)
    for ts_key, time_key, value in (
        ("start_pts", "start_time", stream.start_time),
        ("duration_ts", "duration", stream.duration),
    ):
        if value is not None and value != ffmt.NOPTS:
            out[ts_key] = value
            text = ffmt.seconds(value, time_base)
            if text is not None:
                out[time_key] = text
    return out


def _size_fields(
    stream: t.Any, kind: str, name: str, extradata: bytes | None, track: isobmff.Track | None
) -> dict[str, t.Any]:
    """``bit_rate`` to ``extradata_size``."""
    out: dict[str, t.Any] = {}
    cc = stream.codec_context
    bit_rate = cc.bit_rate if cc is not None else 0
    if cc is None and track is not None and track.data_size and stream.duration and stream.time_base:
        # 5.1's mov_read_header(): data_size * 8 * time_scale / duration, for every track
        tb = stream.time_base
        bit_rate = track.data_size * 8 * tb.denominator // (stream.duration * tb.numerator)
    if bit_rate and bit_rate > 0:
        out["bit_rate"] = str(bit_rate)
    raw_bits = _raw_bits(kind, name, cc) if cc is not None else 0
    if raw_bits > 0:
        out["bits_per_raw_sample"] = str(raw_bits)
    if stream.frames and stream.container.format.name not in NO_FRAME_COUNT_DEMUXERS:
        out["nb_frames"] = str(stream.frames)
    if extradata:
        out["extradata_size"] = api.extradata_size(stream.container.format.name, name, extradata)
    elif cc is None and track is not None and track.entry_format in ENTRY_EXTRADATA and track.entry_size > 16:
        out["extradata_size"] = track.entry_size - 16
    return out


def _tags(stream: t.Any, kind: str, track: isobmff.Track | None) -> dict[str, str]:
    tags = api.tags(stream.metadata, stream.container.format.name)
    if track is not None:
        tags.pop("name", None)  # a track's udta name, which 5.1 did not read
        if track.vendor is not None and kind in ("video", "audio"):
            tags = _with_vendor(tags, ffmt.fourcc(track.vendor))
    return tags


def _side_data(kind: str, name: str, extradata: bytes | None, track: isobmff.Track | None) -> list[dict[str, t.Any]]:
    """The stream side data 5.1 printed and PyAV does not expose, in 5.1's order."""
    side_data: list[dict[str, t.Any]] = []
    if name == "mpeg2video":
        cpb = bitstream.mpeg2_cpb(extradata)
        if cpb is not None:
            side_data.append(cpb)
    if track is not None and kind == "video":
        # 5.1's mov demuxer added the DOVI record while reading stsd, the matrix after
        dovi = track.dovi
        if dovi is not None:
            side_data.append(dovi)
        if track.matrix is not None:
            side_data.append(isobmff.display_matrix_side_data(track.matrix))
        side_data.extend(track.hdr_side_data)
    service_type = track.audio_service_type if track is not None and kind == "audio" else None
    if service_type is not None:
        side_data.append({"side_data_type": "Audio Service Type", "service_type": service_type})
    return side_data


def _with_vendor(tags: dict[str, str], vendor: str) -> dict[str, str]:
    """Put ``vendor_id`` where 5.1's mov demuxer set it: after the mdhd/hdlr tags."""
    out: dict[str, str] = {}
    placed = False
    for key, value in tags.items():
        if not placed and key not in ("creation_time", "language", "handler_name"):
            out["vendor_id"] = vendor
            placed = True
        out[key] = value
    if not placed:
        out["vendor_id"] = vendor
    return out
