"""The stream fields ffprobe 5.1 prints whatever the file says, given the codec and container.

ffprobe prints some fields for every stream of a kind (``disposition``, a video stream's
``refs`` and ``level``...), and libavcodec's decoders fix others per codec (MJPEG's colour
space, the chroma siting of H.264). These rules fill them in on a mapped stream, and put
its keys in ffprobe's order. Nothing here is guessed from the file: a field whose value
depends on what MediaInfo does not report is left out.
"""

from __future__ import annotations

import typing as t

#: ``show_stream()``'s keys (FFmpeg 5.1 ``fftools/ffprobe.c``), in its order.
STREAM_KEYS = (
    "index", "codec_name", "codec_long_name", "profile", "codec_type", "codec_time_base",
    "codec_tag_string", "codec_tag", "width", "height", "coded_width", "coded_height",
    "closed_captions", "film_grain", "has_b_frames", "sample_aspect_ratio", "display_aspect_ratio",
    "pix_fmt", "level", "color_range", "color_space", "color_transfer", "color_primaries",
    "chroma_location", "field_order", "refs", "is_avc", "nal_length_size", "quarter_sample",
    "divx_packed", "sample_fmt", "sample_rate", "channels",
    "channel_layout", "bits_per_sample", "id", "r_frame_rate", "avg_frame_rate", "time_base",
    "start_pts", "start_time", "duration_ts", "duration", "bit_rate", "max_bit_rate",
    "bits_per_raw_sample", "nb_frames", "extradata_size", "disposition", "tags",
)

#: ffprobe 5.1's disposition flags, in its order.
DISPOSITIONS = (
    "default", "dub", "original", "comment", "lyrics", "karaoke", "forced", "hearing_impaired",
    "visual_impaired", "clean_effects", "attached_pic", "timed_thumbnails", "captions",
    "descriptions", "metadata", "dependent", "still_image",
)

#: Video codecs whose decoder never reorders frames: ``has_b_frames`` is 0.
NO_REORDER = frozenset({
    "av1", "cinepak", "dvvideo", "ffv1", "flv1", "gif", "h261", "h263", "huffyuv", "jpeg2000",
    "mjpeg", "msmpeg4v1", "msmpeg4v2", "msmpeg4v3", "png", "prores", "qtrle", "rawvideo", "rv10",
    "svq1", "theora", "vp6f", "vp6", "vp8", "vp9", "wmv1", "wmv2",
})
#: Video codecs without levels: ffprobe prints ``FF_LEVEL_UNKNOWN``.
NO_LEVEL = frozenset({
    "mpeg1video", "cinepak", "ffv1", "flv1", "gif", "h261", "h263", "huffyuv", "mjpeg", "msmpeg4v1",
    "msmpeg4v2", "msmpeg4v3", "png", "prores", "qtrle", "rawvideo", "rv10", "rv20", "svq1",
    "theora", "vp6f", "vp6", "vp8", "vp9", "wmv1", "wmv2",
})
#: Where each decoder puts chroma samples when the stream does not say otherwise.
CHROMA_LOCATIONS = {"mpeg1video": "center", "h264": "left", "mpeg2video": "left", "mpeg4": "left", "mjpeg": "center",
                    "theora": "center", "h263": "center"}
#: Decoders that report a progressive ``field_order`` when the stream is not interlaced.
FIELD_ORDER_CODECS = frozenset({"h264", "mpeg2video", "vp8", "vp9", "av1", "ffv1", "prores", "h263"})
#: Decoders of formats without interlacing.
ALWAYS_PROGRESSIVE = frozenset({"vp8", "vp9", "av1"})
#: Codecs whose coded size can be larger than the picture (macroblock padding).
PADDED = frozenset({"hevc", "theora", "mpeg1video", "mpeg2video", "vc1", "wmv3"})


def add_fixed_fields(stream: dict[str, t.Any], track: dict[str, t.Any], bits: int = 0) -> None:
    """Video fields ffprobe prints for every stream, and the decoder's fixed ones."""
    if stream.get("codec_type") != "video":
        return
    codec = str(stream.get("codec_name", ""))
    if "width" in stream and codec not in PADDED:
        stream.setdefault("coded_width", stream["width"])
        stream.setdefault("coded_height", stream["height"])
    elif codec in ("mpeg1video", "mpeg2video"):
        # 5.1 never sets the coded size of MPEG-1/2 (the parser gives the picture size only)
        stream.setdefault("coded_width", 0)
        stream.setdefault("coded_height", 0)
    stream.setdefault("closed_captions", 0)
    stream.setdefault("film_grain", 0)
    if codec in NO_REORDER:
        stream.setdefault("has_b_frames", 0)
    elif codec in ("mpeg1video", "mpeg2video"):
        stream.setdefault("has_b_frames", 1)  # not low-delay: a picture of reorder
        stream.setdefault("color_range", "tv")
    elif codec == "mpeg4" and track.get("Format_Settings_BVOP") in ("Yes", "No"):
        stream.setdefault("has_b_frames", int(track["Format_Settings_BVOP"] == "Yes"))
    if codec in NO_LEVEL:
        stream.setdefault("level", -99)
    if codec == "mjpeg":  # set by the decoder's init, before any frame
        stream.setdefault("color_space", "bt470bg")
    if codec in CHROMA_LOCATIONS and (codec != "h264" or track.get("ColorSpace", "YUV") == "YUV"):
        stream.setdefault("chroma_location", CHROMA_LOCATIONS[codec])
    scan = str(track.get("ScanType", ""))
    if codec == "hevc" and str(stream.get("pix_fmt", "")).startswith("yuv420p"):
        stream.setdefault("chroma_location", "left")  # the 4:2:0 default of hevc_decode_init()
    if codec in ALWAYS_PROGRESSIVE or codec in FIELD_ORDER_CODECS and scan == "Progressive":
        stream.setdefault("field_order", "progressive")
    elif codec in FIELD_ORDER_CODECS and scan == "Interlaced":
        order = {"TFF": "tt", "BFF": "bb"}.get(str(track.get("ScanOrder", "")))
        if order:
            stream.setdefault("field_order", order)
    stream.setdefault("refs", 1)
    if codec == "mpeg4" and track.get("Format_Settings_QPel") in ("Yes", "No"):  # the VOL was read
        stream.setdefault("quarter_sample", "true" if track["Format_Settings_QPel"] == "Yes" else "false")
        stream.setdefault("divx_packed", "true" if track.get("Format_Settings_PacketBitStream") == "Yes" else "false")
    if codec == "h264" and bits:
        stream.setdefault("bits_per_raw_sample", str(bits))


def disposition(flags: t.Iterable[str] = ()) -> dict[str, int]:
    """ffprobe's ``disposition`` object with ``flags`` set."""
    chosen = set(flags)
    return {name: int(name in chosen) for name in DISPOSITIONS}


def ordered(stream: dict[str, t.Any]) -> dict[str, t.Any]:
    """``stream`` with its keys in ffprobe's order (unknown keys last, as they came)."""
    rank = {key: n for n, key in enumerate(STREAM_KEYS)}
    return dict(sorted(stream.items(), key=lambda item: rank.get(item[0], len(rank))))
