"""The Xing/Info/VBRI frame count of an MP3, which FFmpeg 5.1 took as the stream duration.

Newer FFmpeg trims the encoder delay and padding from that duration; 5.1 reported
``frames * samples_per_frame`` untrimmed. Reading it costs the ID3v2 header and one frame.
"""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from typing import BinaryIO

_SAMPLE_RATES = (44100, 48000, 32000)


def _id3v2_end(stream: BinaryIO) -> int:
    """Where the audio starts: after every ID3v2 tag at the head, as libavformat skips them."""
    offset = 0
    while True:
        stream.seek(offset)
        head = stream.read(10)
        if len(head) < 10 or head[:3] != b"ID3":
            return offset
        size = (head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F)
        offset += 10 + size + (10 if head[5] & 0x10 else 0)


def vbr_frames(stream: BinaryIO) -> tuple[int, int, int] | None:
    """(frames, samples per frame, sample rate) from the first frame's VBR header, or None."""
    offset = _id3v2_end(stream)
    stream.seek(offset)
    frame = stream.read(192)
    if len(frame) < 48:
        return None
    header = int.from_bytes(frame[:4], "big")
    if header >> 21 != 0x7FF:
        return None
    version = (header >> 19) & 3
    layer = 4 - ((header >> 17) & 3)
    rate_index = (header >> 10) & 3
    if version == 1 or layer == 4 or rate_index == 3:
        return None
    lsf = version != 3
    sample_rate = _SAMPLE_RATES[rate_index] >> (0 if version == 3 else 1 if version == 2 else 2)
    spf = 384 if layer == 1 else 1152 if layer == 2 or not lsf else 576
    mono = (header >> 6) & 3 == 3
    xing_at = 4 + ((17 if mono else 32) if not lsf else (9 if mono else 17))
    if frame[xing_at:xing_at + 4] in (b"Xing", b"Info"):
        flags = int.from_bytes(frame[xing_at + 4:xing_at + 8], "big")
        if flags & 1:
            frames = int.from_bytes(frame[xing_at + 8:xing_at + 12], "big")
            return (frames, spf, sample_rate) if frames else None
        return None
    if frame[36:40] == b"VBRI":
        frames = int.from_bytes(frame[50:54], "big")
        return (frames, spf, sample_rate) if frames else None
    return None
