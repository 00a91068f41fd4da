"""An MP3's duration as FFmpeg 5.1's mp3 demuxer found it, trailing tags included.

5.1 trusted the frame count of the first frame's Xing/Info header unless the bytes after
that frame outgrew the header's byte count by more than 1/16 (``mp3_parse_info_tag()``:
"invalid concatenated file detected"): an APEv2 tag, or ID3v1 and Lyrics3 tags big enough,
are counted as such growth. Without a trusted count the duration came from the bit rate
(``estimate_timings_from_bit_rate()``): every byte after the header (ID3v2 tags and the
Xing frame) counts as audio, the trailing ID3v1/APEv2/Lyrics3 tags too.
Reading costs the ID3v2 headers and the first frame.
"""

from __future__ import annotations

import dataclasses
import typing as t

SAMPLE_RATES = (44100, 48000, 32000)
#: kbit/s by [MPEG-1?][layer - 1][index] (``ff_mpa_bitrate_tab``).
BIT_RATES = (
    ((0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
     (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
     (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)),
    ((0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
     (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
     (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)),
)
XING_FLAG_FRAMES = 1
XING_FLAG_SIZE = 2


@dataclasses.dataclass
class Mp3Head:
    """The first frame after the ID3v2 tags, and its Xing/Info/VBRI header if any."""

    base: int  # where the first frame starts
    frame_size: int
    bit_rate: int  # of the first audio frame (after the VBR header's), 0 when unknown
    sample_rate: int
    samples_per_frame: int
    frames: int = 0  # the VBR header's frame count, 0 when none or not trusted
    is_cbr: bool = False  # an Info header: LAME's mark of a constant bit rate
    #: a Xing, Info or VBRI header with a frame or byte count: the demuxer skips its frame
    vbr_tag: bool = False


def id3v2_end(stream: t.BinaryIO) -> int:
    """Where the audio starts: after every ID3v2 tag at the head, as libavformat skips them."""
    offset = 0
    while True:
        stream.seek(offset)
        head = stream.read(10)
        if len(head) < 10 or head[:3] != b"ID3":
            return offset
        size = (head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F)
        offset += 10 + size + (10 if head[5] & 0x10 else 0)


def read_head(stream: t.BinaryIO, file_size: int) -> Mp3Head | None:
    """The first frame as ``mp3_parse_vbr_tags()`` reads it, or None when there is none there."""
    base = id3v2_end(stream)
    stream.seek(base)
    frame = stream.read(192)
    if len(frame) < 4:
        return None
    header = int.from_bytes(frame[:4], "big")
    version, layer = (header >> 19) & 3, 4 - ((header >> 17) & 3)
    rate_index, bit_index = (header >> 10) & 3, (header >> 12) & 0xF
    if header >> 21 != 0x7FF or version == 1 or layer == 4 or rate_index == 3 or bit_index in (0, 15):
        return None
    lsf = version != 3
    sample_rate = SAMPLE_RATES[rate_index] >> (0 if version == 3 else 1 if version == 2 else 2)
    bit_rate = BIT_RATES[0 if lsf else 1][layer - 1][bit_index] * 1000
    padding = (header >> 9) & 1
    if layer == 1:
        spf, size = 384, (12 * bit_rate // sample_rate + padding) * 4
    else:
        spf = 576 if layer == 3 and lsf else 1152
        size = spf // 8 * bit_rate // sample_rate + padding
    head = Mp3Head(base, size, bit_rate, sample_rate, spf)
    if layer == 3:
        _vbr_header(head, frame, lsf, (header >> 6) & 3 == 3, file_size)
    if head.vbr_tag:  # the header's frame has a rate of its own, chosen to fit the header
        stream.seek(base + size)
        audio = int.from_bytes(stream.read(4).ljust(4, b"\0"), "big")
        index = (audio >> 12) & 0xF
        same_layout = audio >> 17 == header >> 17  # sync, version and layer
        head.bit_rate = BIT_RATES[0 if lsf else 1][layer - 1][index] * 1000 if same_layout and index != 15 else 0
    return head


def _vbr_header(head: Mp3Head, frame: bytes, lsf: bool, mono: bool, file_size: int) -> None:
    at = 4 + ((17 if mono else 32) if not lsf else (9 if mono else 17))
    if frame[at:at + 4] in (b"Xing", b"Info") and len(frame) >= at + 16:
        head.is_cbr = frame[at:at + 4] == b"Info"
        flags = int.from_bytes(frame[at + 4:at + 8], "big")
        fields = frame[at + 8:]
        if flags & XING_FLAG_FRAMES:
            head.frames, fields = int.from_bytes(fields[:4], "big"), fields[4:]
        header_bytes = int.from_bytes(fields[:4], "big") if flags & XING_FLAG_SIZE else 0
        head.vbr_tag = bool(head.frames or header_bytes)
        after = max(file_size - head.base - 4, 0)  # 5.1 measured from just after the frame header
        if after and header_bytes and after > header_bytes and after - header_bytes > header_bytes >> 4:
            head.frames = 0  # "invalid concatenated file detected - using bitrate for duration"
    elif frame[36:40] == b"VBRI" and len(frame) >= 54 and frame[40:42] == b"\x00\x01":
        head.frames = int.from_bytes(frame[50:54], "big")
        head.vbr_tag = bool(head.frames or int.from_bytes(frame[46:50], "big"))


def data_offset(head: Mp3Head) -> int:
    """Where 5.1's demuxer left the file after its header: past the VBR header's frame."""
    return head.base + (head.frame_size if head.vbr_tag else 0)


def bit_rate_duration(head: Mp3Head, file_size: int, bit_rate: int, time_base: tuple[int, int]) -> int | None:
    """``estimate_timings_from_bit_rate()``: the bytes after the header at ``bit_rate``, in ``time_base``."""
    size = file_size - data_offset(head)
    if size <= 0 or bit_rate <= 0:
        return None
    num = size * 8 * time_base[1]
    den = bit_rate * time_base[0]
    q, r = divmod(num, den)
    return q + (1 if 2 * r >= den else 0)
