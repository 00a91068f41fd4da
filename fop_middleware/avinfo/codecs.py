"""Per-codec facts FFmpeg 5.1 computes in C that PyAV does not hand out.

Each table names the libavcodec / libavformat routine it reproduces, so that a
difference with ffprobe can be traced back to its source.
"""

from __future__ import annotations

# av_get_bits_per_sample() (libavcodec/utils.c, 5.1): codec name -> bits.
_BITS = {
    1: ("dfpwm",),
    2: ("adpcm_sbpro_2",),
    3: ("adpcm_sbpro_3",),
    4: (
        "adpcm_sbpro_4", "adpcm_ima_wav", "adpcm_ima_qt", "adpcm_swf", "adpcm_ms",
        "8svx_exp", "8svx_fib", "adpcm_argo", "adpcm_ct", "adpcm_ima_alp", "adpcm_ima_amv",
        "adpcm_ima_apc", "adpcm_ima_apm", "adpcm_ima_ea_sead", "adpcm_ima_oki", "adpcm_ima_ws",
        "adpcm_ima_ssi", "adpcm_g722", "adpcm_yamaha", "adpcm_aica",
    ),
    8: (
        "dsd_lsbf", "dsd_msbf", "dsd_lsbf_planar", "dsd_msbf_planar", "pcm_alaw", "pcm_mulaw",
        "pcm_vidc", "pcm_s8", "pcm_s8_planar", "pcm_sga", "pcm_u8", "sdx2_dpcm", "derf_dpcm",
    ),
    16: ("pcm_s16be", "pcm_s16be_planar", "pcm_s16le", "pcm_s16le_planar", "pcm_u16be", "pcm_u16le"),
    24: ("pcm_s24daud", "pcm_s24be", "pcm_s24le", "pcm_s24le_planar", "pcm_u24be", "pcm_u24le"),
    32: (
        "pcm_s32be", "pcm_s32le", "pcm_s32le_planar", "pcm_u32be", "pcm_u32le", "pcm_f32be",
        "pcm_f32le", "pcm_f24le", "pcm_f16le",
    ),
    64: ("pcm_f64be", "pcm_f64le", "pcm_s64be", "pcm_s64le"),
}
BITS_PER_SAMPLE: dict[str, int] = {name: bits for bits, names in _BITS.items() for name in names}

#: ``AVCodecContext.ticks_per_frame`` of the decoders that set it to 2 (a field per tick).
TICKS_PER_FRAME = {"h264": 2, "mpeg2video": 2}

#: Where decoders put chroma samples when the bitstream does not say (``chroma_location``).
CHROMA_LOCATION = {
    "h264": "left", "mpeg2video": "left", "mpeg4": "left", "hevc": "left",
    "mpeg1video": "center", "h263": "center", "h263p": "center", "mjpeg": "center",
    "theora": "center", "jpegls": "center",
}

#: Decoders whose ``bits_per_raw_sample`` is the pixel format's depth once opened.
VIDEO_RAW_BITS = frozenset({"h264", "mjpeg", "dnxhd", "prores", "jpeg2000", "jpegls", "ljpeg", "cfhd", "v210"})
#: Decoders that report ``bits_per_raw_sample`` only above 8 bits.
VIDEO_HIGH_RAW_BITS = frozenset({"ffv1"})

#: Audio codecs whose demuxer or decoder reports ``bits_per_raw_sample`` (PCM aside).
AUDIO_RAW_BITS = frozenset({"flac", "alac", "wavpack", "tta", "truehd", "mlp", "ape"})

#: Demuxer -> the probe score its probe gives a well-formed file (``probe_score``).
#: Formats probed by a container signature score 100 (AVPROBE_SCORE_MAX) and are omitted.
PROBE_SCORES = {
    "wav": 99, "mp3": 51, "aac": 51, "ac3": 51, "eac3": 51, "dts": 51, "mpegts": 50,
    "mpeg": 26, "tta": 80, "image2": 50, "mpegvideo": 51, "h264": 51, "hevc": 51,
    "m4v": 50, "amr": 100, "truehd": 51, "mlp": 51, "loas": 51, "latm": 51,
    # no probe of their own: found by the file extension (AVPROBE_SCORE_EXTENSION)
    "aptx": 50, "aptx_hd": 50, "sbc": 50, "g722": 50, "gsm": 50, "g726": 50, "g726le": 50,
    "g729": 50, "codec2raw": 50, "bit": 50,
    "adx": 75, "apm": 99, "alp": 99, "ivf": 98, "obu": 51, "swf": 51,
}

#: ``ff_mkv_mime_tags`` (libavformat/matroska.c, 5.1): attachment MIME type -> codec.
ATTACHMENT_CODECS = (
    ("text/plain", "text"), ("image/gif", "gif"), ("image/jpeg", "mjpeg"), ("image/png", "png"),
    ("image/tiff", "tiff"), ("application/x-truetype-font", "ttf"), ("application/x-font", "ttf"),
    ("application/vnd.ms-opentype", "otf"), ("binary", "bin_data"),
)


def attachment_codec(mimetype: str) -> str | None:
    """The codec 5.1's Matroska demuxer gave an attachment: the first MIME prefix that matches."""
    for prefix, codec in ATTACHMENT_CODECS:
        if mimetype.startswith(prefix):
            return codec
    return None

#: Profiles named after 5.1: what 5.1 printed for the same streams. None: no profile
#: (5.1's E-AC-3 and TrueHD decoders did not set one); a number: 5.1 knew no name for it.
PROFILES_51: dict[tuple[str, str], str | None] = {
    ("eac3", "Dolby Digital Plus + Dolby Atmos"): None,
    ("truehd", "Dolby TrueHD + Dolby Atmos"): None,
    ("dts", "DTS-HD MA + DTS:X"): "DTS-HD MA",
    ("dts", "DTS-HD MA + DTS:X IMAX"): "DTS-HD MA",
    ("hevc", "Multiview Main"): "6",
    ("hevc", "Scc"): "9",
}
