"""Build ffprobe 5.1's ``-show_streams -show_format`` JSON from an open PyAV container.

The ``format`` object follows ``show_format()`` in FFmpeg 5.1's ``fftools/ffprobe.c``;
each stream is :func:`.streams.stream_info`'s. Where 5.1's demuxers timed a file
differently from PyAV's newer FFmpeg, :mod:`.compat` puts 5.1's answer back.
"""

from __future__ import annotations

import fractions
import logging
import struct
import typing as t

from ...avinfo import codecs, ffmt, tsprobe
from . import api, compat, isobmff, matroska, mpegts
from ...avinfo.names import FORMAT_LONG_NAMES
from .streams import stream_info

if t.TYPE_CHECKING:
    import av.container

logger = logging.getLogger("fop_middleware")

#: ``AVFMT_SHOW_IDS``: the demuxer's stream ids mean something (``"id": "0x1"``).
AVFMT_SHOW_IDS = 0x0008

#: ffprobe's ``format`` keys, in its order.
FORMAT_KEYS = (
    "filename", "nb_streams", "nb_programs", "format_name", "format_long_name", "start_time",
    "duration", "size", "bit_rate", "probe_score", "tags",
)
_MOV_FORMATS = {"mov,mp4,m4a,3gp,3g2,mj2"}
#: ``PROBE_BUF_MAX``: the most libavformat reads to find a demuxer.
PROBE_BUF_MAX = 1 << 20
#: YUV4MPEG colour spaces that say where chroma samples sit.
Y4M_CHROMA = {"420jpeg": "center", "420": "center", "420mpeg2": "left", "420paldv": "topleft"}
#: The mp3 demuxer's extensions.
MP3_EXTENSIONS = (".mp2", ".mp3", ".m2a", ".mpa")


def _matroska_tracks(answer: dict[str, t.Any], stream: t.Any, extradata: dict[int, bytes | None]) -> None:
    """Codec delays and Colour side data of the track entries, one stream per entry."""
    streams = [entry for entry in answer["streams"] if entry.get("codec_type") != "attachment"]
    tracks = matroska.read_tracks(stream)
    if len(tracks) == len(streams):
        delays = {entry["index"]: track.codec_delay for entry, track in zip(streams, tracks)}
        for entry, track in zip(streams, tracks):
            if track.side_data and entry.get("codec_type") == "video":
                entry["side_data_list"] = track.side_data + entry.get("side_data_list", [])
    else:  # tracks unreadable: Opus is the codec muxers give a delay
        delays = {i: compat.opus_pre_skip_ns(data) for i, data in extradata.items()}
    compat.matroska_codec_delay(answer, delays)


def y4m_chroma_location(head: bytes) -> str | None:
    """The chroma siting of a YUV4MPEG header's ``C`` tag (``yuv4_read_header()``)."""
    line = head.split(b"\n", 1)[0]
    colour = next((word[1:] for word in line.split(b" ") if word.startswith(b"C")), b"420jpeg")
    return Y4M_CHROMA.get(colour.decode("ascii", "replace"))


def probe_score(fmt_name: str, head: bytes, filename: str) -> int:
    """The score 5.1's ``av_probe_input_buffer2()`` found the demuxer with."""
    if fmt_name == "wav" and head[:4] in (b"RF64", b"BW64"):
        return 100  # wav_probe(): AVPROBE_SCORE_MAX for 64-bit RIFF
    if fmt_name == "mp3" and head[:3] == b"ID3" and len(head) >= 10:
        size = (head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F)
        if 10 + size + (10 if head[5] & 0x10 else 0) >= PROBE_BUF_MAX:
            # no audio frame within the largest probe buffer: the extension decides
            # (ID3_GREATER_MAX_PROBE), or mp3_read_probe()'s score for an ID3 tag alone
            return 50 if filename.lower().endswith(MP3_EXTENSIONS) else 48
    return codecs.PROBE_SCORES.get(fmt_name, 100)


def format_info(
    container: av.container.InputContainer, filename: str, size: int, head: bytes, programs: int = 0
) -> dict[str, t.Any]:
    """ffprobe's ``format`` object."""
    fmt_name = container.format.name
    out: dict[str, t.Any] = {
        "filename": filename,
        "nb_streams": len(container.streams),
        "nb_programs": programs,
        "format_name": fmt_name,
        "format_long_name": FORMAT_LONG_NAMES.get(fmt_name) or container.format.long_name,
    }
    for key, value in (("start_time", container.start_time), ("duration", container.duration)):
        text = ffmt.seconds(value, (1, ffmt.TIME_BASE))
        if text is not None:
            out[key] = text
    out["size"] = str(size)
    if container.bit_rate and container.bit_rate > 0:
        out["bit_rate"] = str(container.bit_rate)
    out["probe_score"] = probe_score(fmt_name, head, filename)
    tags = api.tags(container.metadata, container.format.name)
    if tags:
        out["tags"] = tags
    return out


def probe(container: av.container.InputContainer, filename: str, size: int, stream: t.Any) -> dict[str, t.Any]:
    """The whole answer: ``{"streams": [...], "format": {...}}``."""
    fmt_name = container.format.name
    show_ids = bool(int(container.format.flags) & AVFMT_SHOW_IDS)
    movie = isobmff.Movie()
    if fmt_name in _MOV_FORMATS:
        movie = _tolerant(lambda: isobmff.read_movie(stream, size), movie, "MP4 boxes")
    chroma = None
    if fmt_name == "yuv4mpegpipe":
        stream.seek(0)
        chroma = y4m_chroma_location(stream.read(256))
    streams = []
    extradata: dict[int, bytes | None] = {}
    framerates: dict[int, fractions.Fraction] = {}
    for st in container.streams:
        track = movie.tracks[st.index] if st.index < len(movie.tracks) else None
        streams.append(stream_info(st, show_ids, track, chroma))
        extradata[st.index] = st.codec_context.extradata if st.codec_context is not None else None
        rate = getattr(st.codec_context, "framerate", None) if st.type == "video" else None
        if rate:
            framerates[st.index] = fractions.Fraction(rate)
    programs = 0
    if fmt_name == "mpegts":
        found = _tolerant(lambda: mpegts.program_count(stream), None, "transport stream PAT")
        programs = 1 if found is None else found
    stream.seek(0)
    answer: dict[str, t.Any] = {
        "streams": streams,
        "format": format_info(container, filename, size, stream.read(16), programs),
    }
    if fmt_name == "mpegts":
        answer["format"]["probe_score"] = tsprobe.probe_score(stream, filename)
    if fmt_name in ("mpegts", "mpeg"):
        compat.field_rate_fallback(answer, framerates, size)
    if fmt_name == "mp3":
        _tolerant(lambda: compat.mp3_untrimmed_duration(answer, stream, size), None, "MP3 VBR header")
    elif movie.tracks or fmt_name in _MOV_FORMATS:
        compat.mov_movie_duration(answer, movie, size)
    elif fmt_name == "mpeg":
        compat.mpeg1_last_frame(answer, size)
    elif fmt_name.startswith("matroska"):
        _tolerant(lambda: _matroska_tracks(answer, stream, extradata), None, "Matroska tracks")
    fmt = answer["format"]
    answer["format"] = {key: fmt[key] for key in FORMAT_KEYS if key in fmt}
    return answer


T = t.TypeVar("T")


def _tolerant(read: t.Callable[[], T], default: T, what: str) -> T:
    """``read()``, or ``default`` when the bytes it parses are malformed.

    These readers add what PyAV does not show; a file FFmpeg read must not become an
    error because one of them met something unexpected.
    """
    try:
        return read()
    except (ValueError, IndexError, KeyError, struct.error, EOFError) as e:
        logger.debug("cannot read the %s: %s", what, e)
        return default
