"""Where FFmpeg 5.1's demuxers answer differently from PyAV's newer FFmpeg, by a general rule.

Each function takes the ffprobe-shaped answer built from PyAV and turns one newer
behaviour back into 5.1's. The rule and the 5.1 code it mirrors are in the docstring.
"""

from __future__ import annotations

import fractions
import typing as t

from ...avinfo import ffmt, mp3
from . import isobmff

if t.TYPE_CHECKING:
    from typing import BinaryIO

Answer = dict[str, t.Any]
MICROSECONDS = (1, ffmt.TIME_BASE)


def rescale(a: int, b: int, c: int) -> int:
    """``av_rescale_rnd(a, b, c, AV_ROUND_NEAR_INF)``: a*b/c, halves away from zero."""
    n = a * b
    q, r = divmod(abs(n), c)
    if 2 * r >= c:
        q += 1
    return -q if n < 0 else q


def rescale_q(a: int, bq: tuple[int, int], cq: tuple[int, int]) -> int:
    """``av_rescale_q()``: ``a`` from time base ``bq`` to ``cq``."""
    return rescale(a, bq[0] * cq[1], bq[1] * cq[0])


def time_base(entry: Answer) -> tuple[int, int]:
    num, _, den = entry["time_base"].partition("/")
    return int(num), int(den)


def _set_duration(entry: Answer, ts: int) -> None:
    entry["duration_ts"] = ts
    text = ffmt.seconds(ts, time_base(entry))
    if text is not None:
        entry["duration"] = text


def _set_format_duration(answer: Answer, duration_us: int, size: int) -> None:
    """``update_stream_timings()``: the format's duration, then its size-based bit rate."""
    fmt = answer["format"]
    fmt["duration"] = ffmt.seconds(duration_us, MICROSECONDS)
    if duration_us > 0 and size > 0:
        fmt["bit_rate"] = str(int(size * 8.0 * ffmt.TIME_BASE / duration_us))


def mp3_untrimmed_duration(answer: Answer, stream: BinaryIO, size: int) -> None:
    """MP3 with a Xing/Info/VBRI header: 5.1's duration, from the frame count or the bit rate.

    5.1's ``mp3_parse_vbr_tags()`` set ``st->duration`` from the count alone; the
    encoder delay and padding of a LAME tag only moved the start. When 5.1 distrusted
    the count (trailing tags larger than 1/16 of the audio, see :mod:`...avinfo.mp3`),
    the streams' bit rate timed the bytes after the header. Streams without their own
    duration (a cover picture) then took the format's, as ``fill_all_stream_timings()`` does.
    """
    head = mp3.read_head(stream, size)
    audio = next((s for s in answer["streams"] if s.get("codec_type") == "audio"), None)
    if head is None or audio is None or not head.vbr_tag:
        return
    tb = time_base(audio)
    if head.frames:
        duration_ts: int | None = rescale(head.frames, head.samples_per_frame * tb[1], head.sample_rate * tb[0])
    else:
        bit_rate = sum(int(s.get("bit_rate", 0)) for s in answer["streams"])
        duration_ts = mp3.bit_rate_duration(head, size, bit_rate, tb)
    if duration_ts is None:
        return
    _set_duration(audio, duration_ts)
    duration_us = rescale_q(audio["duration_ts"], tb, MICROSECONDS)
    _set_format_duration(answer, duration_us, size)
    for entry in answer["streams"]:
        if entry is not audio and "duration_ts" in entry:
            _set_duration(entry, rescale_q(duration_us, MICROSECONDS, time_base(entry)))


def matroska_codec_delay(answer: Answer, delays_ns: dict[int, int]) -> None:
    """Matroska tracks with a ``CodecDelay`` (Opus): timestamps start that much early.

    5.1's ``matroska_parse_block()`` subtracted ``codec_delay_in_track_tb`` from every
    timestamp; newer FFmpeg no longer does. The format's start is the earliest stream
    start (``update_stream_timings()``).
    """
    earliest: int | None = None
    for entry in answer["streams"]:
        delay_ns = delays_ns.get(entry["index"], 0)
        if not delay_ns or "start_pts" not in entry:
            continue
        tb = time_base(entry)
        entry["start_pts"] -= rescale_q(delay_ns, (1, 1_000_000_000), tb)
        entry["start_time"] = ffmt.seconds(entry["start_pts"], tb)
        start_us = rescale_q(entry["start_pts"], tb, MICROSECONDS)
        earliest = start_us if earliest is None else min(earliest, start_us)
    fmt = answer["format"]
    if earliest is None or "start_time" not in fmt or earliest >= float(fmt["start_time"]) * ffmt.TIME_BASE:
        return
    fmt["start_time"] = ffmt.seconds(earliest, MICROSECONDS)
    for entry in answer["streams"]:
        # attachments have no timing: fill_all_stream_timings() gave them the format's start
        if entry.get("codec_type") == "attachment" and "start_pts" in entry:
            tb = time_base(entry)
            entry["start_pts"] = rescale_q(earliest, MICROSECONDS, tb)
            entry["start_time"] = ffmt.seconds(entry["start_pts"], tb)


def opus_pre_skip_ns(extradata: bytes | None) -> int:
    """The ``CodecDelay`` muxers write for Opus: the OpusHead pre-skip, in nanoseconds."""
    if not extradata or len(extradata) < 12 or extradata[:8] != b"OpusHead":
        return 0
    return rescale(int.from_bytes(extradata[10:12], "little"), 1_000_000_000, 48000)


def mov_movie_duration(answer: Answer, movie: isobmff.Movie, size: int) -> None:
    """MP4/QuickTime: the format's duration is ``mvhd``'s, unless the file is fragmented.

    5.1's ``mov_read_mvhd()`` set the format duration from the movie header ("the
    duration of individual tracks may be inaccurate"); newer FFmpeg takes the longest
    track. Tracks that 5.1 could not time (no sample tables, a ``covr`` picture) then
    took that duration (``fill_all_stream_timings()``).
    """
    if movie.fragmented or movie.time_scale <= 0 or movie.duration <= 0:
        return
    duration_us = rescale(movie.duration, ffmt.TIME_BASE, movie.time_scale)
    _set_format_duration(answer, duration_us, size)
    if not any(track.broken for track in movie.tracks):
        return
    for entry in answer["streams"]:
        cover = entry["index"] >= len(movie.tracks)  # a ``covr`` picture, no track of its own
        if (cover or movie.tracks[entry["index"]].timeless) and "start_pts" not in entry:
            _set_duration(entry, rescale_q(duration_us, MICROSECONDS, time_base(entry)))


def mpeg1_last_frame(answer: Answer, size: int) -> None:
    """MPEG-1 video in a program stream: its last frame lasted a frame, not a field.

    Newer FFmpeg times MPEG-1 pictures as two fields (``r_frame_rate`` twice the frame
    rate), so the duration 5.1 estimated from the timestamps (``estimate_timings_from_pts()``:
    last timestamp plus one frame) comes out half a frame shorter; the format's
    duration is the latest stream end from the earliest start.
    """
    fmt = answer["format"]
    if "start_time" not in fmt or "duration" not in fmt:
        return
    start_us = round(float(fmt["start_time"]) * ffmt.TIME_BASE)
    end_us = start_us + round(float(fmt["duration"]) * ffmt.TIME_BASE)
    changed = False
    for entry in answer["streams"]:
        rate = entry.get("avg_frame_rate", "0/0")
        num, _, den = rate.partition("/")
        if entry.get("codec_name") != "mpeg1video" or "duration_ts" not in entry or not int(num) or not int(den):
            continue
        tb = time_base(entry)
        _set_duration(entry, entry["duration_ts"] + rescale(int(den), tb[1], 2 * int(num) * tb[0]))
        if "start_pts" in entry:
            end_us = max(end_us, rescale_q(entry["start_pts"] + entry["duration_ts"], tb, MICROSECONDS))
            changed = True
    if changed:
        _set_format_duration(answer, end_us - start_us, size)


#: Codecs whose pictures may be fields (``AV_CODEC_PROP_FIELDS`` in newer FFmpeg).
FIELD_CODECS = frozenset({"h264", "hevc", "mpeg2video", "vc1"})


def field_rate_fallback(answer: Answer, framerates: dict[int, fractions.Fraction], size: int) -> None:
    """Video timed by too few frames to measure a rate: 5.1's ``r_frame_rate`` was the frame rate.

    Without an average rate, ``avformat_find_stream_info()`` falls back to the codec's
    rate; newer FFmpeg doubles it for codecs that can code fields, 5.1 divided the field
    rate by ``ticks_per_frame``. In a transport or program stream the last packet then
    lasted one frame, not one field (``estimate_timings_from_pts()``), which moves the
    stream's and the format's end.
    """
    fmt = answer["format"]
    changed = False
    for entry in answer["streams"]:
        rate = framerates.get(entry["index"])
        if (entry.get("codec_name") not in FIELD_CODECS or entry.get("avg_frame_rate") != "0/0" or not rate
                or entry.get("r_frame_rate") != ffmt.q(rate * 2)):
            continue
        entry["r_frame_rate"] = ffmt.q(rate)
        if "duration_ts" in entry:
            tb = time_base(entry)
            field = rescale(rate.denominator, tb[1], 2 * rate.numerator * tb[0])
            _set_duration(entry, entry["duration_ts"] + field)
            changed = True
    if not changed or "start_time" not in fmt:
        return
    start_us = round(float(fmt["start_time"]) * ffmt.TIME_BASE)
    ends = [rescale_q(e["start_pts"] + e["duration_ts"], time_base(e), MICROSECONDS)
            for e in answer["streams"] if "start_pts" in e and "duration_ts" in e]
    if ends:
        _set_format_duration(answer, max(ends) - start_us, size)
