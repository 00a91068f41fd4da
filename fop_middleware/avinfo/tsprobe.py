"""The probe score ffprobe 5.1 prints for an MPEG transport stream.

``av_probe_input_buffer2()`` hands the demuxers 2 KiB of the file, then twice as much
each round, until one scores above ``AVPROBE_SCORE_RETRY`` or the file ends; the mpeg-ts
demuxer's ``mpegts_probe()`` scores by how many sync bytes line up at one packet size.
A normal stream scores 50 on the first 2 KiB; a file under ten 204-byte blocks gets 2.
"""

from __future__ import annotations

import typing as t

PROBE_BUF_MIN = 2048
PROBE_BUF_MAX = 1 << 20
SCORE_RETRY = 25
SCORE_MAX = 100
CHECK_COUNT = 10
CHECK_BLOCK = 100
PACKET_SIZES = (188, 192, 204)
#: The mpegts demuxer's extensions: a match lifts a zero score to 1.
EXTENSIONS = (".ts", ".m2t", ".m2ts", ".mts")


def analyze(buf: bytes, packet_size: int) -> int:
    """``analyze(..., probe=1)``: the most sync bytes at one offset modulo ``packet_size``.

    5.1 reads the PID from the buffer's first bytes, not each packet's, a bug ported as is.
    """
    stat = [0] * packet_size
    total = best = 0
    pid = int.from_bytes(buf[1:3], "big") & 0x1FFF if len(buf) >= 3 else 0
    for i in range(len(buf) - 3):
        if buf[i] == 0x47 and (pid == 0x1FFF or buf[i + 3] & 0x30):
            x = i % packet_size
            stat[x] += 1
            total += 1
            best = max(best, stat[x])
    return best - max(total - 10 * best, 0) // 10


def mpegts_probe(buf: bytes) -> int:
    """``mpegts_probe()``, FFmpeg 5.1."""
    check_count = len(buf) // 204
    if not check_count:
        return 0
    sumscore = maxscore = 0
    for i in range(0, check_count, CHECK_BLOCK):
        left = min(check_count - i, CHECK_BLOCK)
        score = max(analyze(buf[size * i:size * (i + left)], size) for size in PACKET_SIZES)
        sumscore += score
        maxscore = max(maxscore, score)
    sumscore = int(sumscore * CHECK_COUNT / check_count)
    maxscore = int(maxscore * CHECK_COUNT / CHECK_BLOCK)
    if check_count > CHECK_COUNT and sumscore > 6:
        return SCORE_MAX + sumscore - CHECK_COUNT
    if check_count >= CHECK_COUNT and (sumscore > 6 or maxscore > 6):
        return SCORE_MAX // 2 + sumscore - CHECK_COUNT
    return 2 if sumscore > 6 else 0


def probe_score(stream: t.BinaryIO, filename: str) -> int:
    """The score of the round that settled on mpeg-ts, as ``av_probe_input_buffer2()`` ran them."""
    size = PROBE_BUF_MIN
    while True:
        stream.seek(0)
        buf = stream.read(size)
        score = mpegts_probe(buf)
        if filename.lower().endswith(EXTENSIONS):
            score = max(score, 1)
        if score > SCORE_RETRY or len(buf) < size or size >= PROBE_BUF_MAX:
            return score
        size *= 2
