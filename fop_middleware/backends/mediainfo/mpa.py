"""The encoder delay of an MP3, which the mp3 demuxer turns into the stream's start time,
and the duration 5.1 estimated from the bit rate.

LAME (and FFmpeg's own encoder) write the delay in the Info/Xing frame's LAME extension;
libavformat 5.1 starts the stream ``delay + 528 + 1`` samples late (the decoder's own
delay included). Reading it costs the ID3v2 header and the first frame.
"""

from __future__ import annotations

import struct
import typing as t

from ...avinfo import mp3

_SAMPLE_RATES = (44100, 48000, 32000)
#: The mp3 demuxer's time base.
TIME_BASE = (1, 14112000)
#: Encoder strings whose delay field ``mp3_parse_info_tag()`` trusts.
_ENCODERS = (b"LAME", b"Lavf", b"Lavc")
#: Bytes of the Xing header fields each flag adds: frames, bytes, TOC, quality.
_XING_FIELDS = ((1, 4), (2, 4), (4, 100), (8, 4))


def start_samples(stream: t.BinaryIO) -> tuple[int, int] | None:
    """(samples skipped at the start, sample rate) from the LAME tag, or None without one."""
    at = 0
    while True:  # every ID3v2 tag at the head, as libavformat skips them
        stream.seek(at)
        head = stream.read(10)
        if len(head) < 10 or head[:3] != b"ID3":
            break
        at += 10 + ((head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | head[9] & 0x7F)
        at += 10 if head[5] & 0x10 else 0
    stream.seek(at)
    frame = stream.read(256)
    if len(frame) < 40:
        return None
    (header,) = struct.unpack(">I", frame[:4])
    version, layer, rate_index = (header >> 19) & 3, (header >> 17) & 3, (header >> 10) & 3
    if header >> 21 != 0x7FF or version == 1 or layer != 1 or rate_index == 3:  # Layer III only
        return None
    rate = _SAMPLE_RATES[rate_index] >> (0 if version == 3 else 1 if version == 2 else 2)
    mono = (header >> 6) & 3 == 3
    xing = 4 + ((17 if mono else 32) if version == 3 else (9 if mono else 17))
    if frame[xing:xing + 4] not in (b"Xing", b"Info"):
        return None
    (flags,) = struct.unpack(">I", frame[xing + 4:xing + 8])
    tag = xing + 8 + sum(size for flag, size in _XING_FIELDS if flags & flag)
    if len(frame) < tag + 24 or frame[tag:tag + 4] not in _ENCODERS:
        return None
    delay = int.from_bytes(frame[tag + 21:tag + 24], "big") >> 12
    return delay + 528 + 1, rate


def bit_rate_seconds(stream: t.BinaryIO, size: int) -> float | None:
    """5.1's duration of a constant bit rate MP3 with no frame count it trusted, or None.

    MediaInfo leaves the trailing tags out and, without a Xing/Info header, can
    misjudge the length; 5.1 counted every byte after the header at the first frame's
    rate. A VBR file's rate was the parser's average, which MediaInfo does not give.
    """
    head = mp3.read_head(stream, size)
    if head is None or head.frames or (head.vbr_tag and not head.is_cbr):
        return None
    ticks = mp3.bit_rate_duration(head, size, head.bit_rate, TIME_BASE)
    return ticks / TIME_BASE[1] if ticks is not None else None
