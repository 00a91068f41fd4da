"""Small header walkers for what Pillow does not tell: PNG chunks, GIF blocks, WebP chunks, BMP fields.

Go's decoders pick their colour model from details Pillow hides (a PNG's ``tRNS``, the size
of a GIF frame's palette, a WebP's bitstream kind), and Pillow reads a whole WebP file just
to open it. These read only the headers, seeking past pixel data.
"""

from __future__ import annotations

import dataclasses
import struct
import typing as t

from ...errors import BadRequest

if t.TYPE_CHECKING:
    from typing import BinaryIO

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Chunks or blocks walked before a file is called corrupt.
MAX_CHUNKS = 100_000
#: GIF data is skipped through in reads of this size.
GIF_BUFFER = 64 * 1024


class CorruptImage(BadRequest):
    """400: the image's headers cannot be walked."""

    default_message = "corrupt image file"


@dataclasses.dataclass(frozen=True)
class PngHeader:
    """IHDR's colour type and depth, the PLTE size, whether ``tRNS`` is there, APNG frames."""

    color_type: int
    depth: int
    palette_size: int = 0
    has_trns: bool = False
    frames: int | None = None


def read_png(stream: BinaryIO) -> PngHeader:
    """The chunks before the first ``IDAT``."""
    stream.seek(len(PNG_SIGNATURE))
    color_type = depth = palette_size = 0
    has_trns = False
    frames = None
    for _ in range(MAX_CHUNKS):
        head = stream.read(8)
        if len(head) < 8:
            break
        length, kind = struct.unpack(">I4s", head)
        if kind == b"IHDR":
            ihdr = stream.read(13)
            if len(ihdr) < 13:
                raise CorruptImage()
            depth, color_type = ihdr[8], ihdr[9]
            stream.seek(length - 13 + 4, 1)
        elif kind == b"PLTE":
            palette_size = length // 3
            stream.seek(length + 4, 1)
        elif kind == b"acTL":
            frames = struct.unpack(">I", stream.read(4).ljust(4, b"\0"))[0]
            stream.seek(length - 4 + 4, 1)
        elif kind in (b"IDAT", b"IEND"):
            break
        else:
            has_trns = has_trns or kind == b"tRNS"
            stream.seek(length + 4, 1)
    return PngHeader(color_type, depth, palette_size, has_trns, frames)


@dataclasses.dataclass(frozen=True)
class GifHeader:
    """The first frame's palette size as Go's decoder builds it, and the number of frames."""

    palette_size: int
    frames: int


class _Cursor:
    """Buffered forward reads over a stream, for walking GIF sub-blocks a byte at a time."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.buffer = b""
        self.pos = 0

    def read(self, n: int) -> bytes:
        while len(self.buffer) - self.pos < n:
            more = self.stream.read(GIF_BUFFER)
            if not more:
                break
            self.buffer = self.buffer[self.pos :] + more
            self.pos = 0
        data = self.buffer[self.pos : self.pos + n]
        self.pos += len(data)
        return data

    def byte(self) -> int:
        data = self.read(1)
        if not data:
            raise CorruptImage()
        return data[0]

    def skip_sub_blocks(self) -> None:
        for _ in range(1 << 24):
            size = self.byte()
            if size == 0:
                return
            if len(self.read(size)) < size:
                raise CorruptImage()
        raise CorruptImage()


def read_gif(stream: BinaryIO) -> GifHeader:
    """Walk every block: the frame count needs the whole file, the palette only the first frame.

    Go's ``gif.Decode`` gives the first frame the local colour table, or the global one, and
    enlarges it to hold a transparent index beyond its end (golang.org/issue/15059).
    """
    stream.seek(0)
    cursor = _Cursor(stream)
    screen = cursor.read(13)
    if len(screen) < 13:
        raise CorruptImage()
    global_size = 2 << (screen[10] & 7) if screen[10] & 0x80 else 0
    cursor.read(3 * global_size)
    frames = 0
    palette_size = global_size
    transparent: int | None = None
    for _ in range(MAX_CHUNKS):
        kind = cursor.read(1)
        if kind in (b"", b"\x3b"):
            break
        if kind == b"\x21":
            label = cursor.byte()
            if label == 0xF9 and frames == 0:
                block = cursor.read(6)
                if len(block) == 6 and block[0] == 4 and block[1] & 1:
                    transparent = block[4]
                if block[-1:] != b"\0":
                    cursor.skip_sub_blocks()
            else:
                cursor.skip_sub_blocks()
        elif kind == b"\x2c":
            descriptor = cursor.read(9)
            if len(descriptor) < 9:
                raise CorruptImage()
            if descriptor[8] & 0x80:
                local_size = 2 << (descriptor[8] & 7)
                cursor.read(3 * local_size)
                if frames == 0:
                    palette_size = local_size
            cursor.byte()  # LZW minimum code size
            cursor.skip_sub_blocks()
            frames += 1
        else:
            break  # trailing garbage: Go stops here too, keeping the frames read
    if transparent is not None and transparent >= palette_size:
        palette_size = transparent + 1
    return GifHeader(palette_size, frames)


@dataclasses.dataclass(frozen=True)
class WebpHeader:
    """Canvas size, the bitstream kind Go's decoder would return, and the number of frames."""

    width: int
    height: int
    model: str
    frames: int


def _vp8_size(data: bytes) -> tuple[int, int]:
    if len(data) < 10 or data[3:6] != b"\x9d\x01\x2a":
        raise CorruptImage()
    width, height = struct.unpack("<HH", data[6:10])
    return width & 0x3FFF, height & 0x3FFF


def _vp8l_size(data: bytes) -> tuple[int, int]:
    if len(data) < 5 or data[0] != 0x2F:
        raise CorruptImage()
    bits = int.from_bytes(data[1:5], "little")
    return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1


def _chunks(stream: BinaryIO, start: int, end: int) -> t.Iterator[tuple[bytes, int, int]]:
    """(fourcc, data offset, data length) of each RIFF chunk between ``start`` and ``end``."""
    pos = start
    for _ in range(MAX_CHUNKS):
        if pos + 8 > end:
            return
        stream.seek(pos)
        head = stream.read(8)
        if len(head) < 8:
            return
        kind, length = head[:4], struct.unpack("<I", head[4:])[0]
        yield kind, pos + 8, length
        pos += 8 + length + (length & 1)


def _bitstream_model(stream: BinaryIO, start: int, end: int) -> tuple[str, int, int] | None:
    """The model and size of the first ``VP8 ``/``VP8L`` chunk in range, ``ALPH`` noted."""
    alpha = False
    for kind, offset, _length in _chunks(stream, start, end):
        if kind == b"ALPH":
            alpha = True
        elif kind in (b"VP8 ", b"VP8L"):
            stream.seek(offset)
            data = stream.read(10)
            if kind == b"VP8L":
                return ("nrgba", *_vp8l_size(data))
            return ("nycbcra" if alpha else "ycbcr", *_vp8_size(data))
    return None


def read_webp(stream: BinaryIO) -> WebpHeader:
    """VP8 is ``ycbcr`` (``nycbcra`` after an ``ALPH``), VP8L ``nrgba``; frames are ``ANMF`` chunks."""
    stream.seek(0)
    riff = stream.read(12)
    if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:] != b"WEBP":
        raise CorruptImage()
    end = 8 + struct.unpack("<I", riff[4:8])[0]
    canvas: tuple[int, int] | None = None
    first_frame: tuple[int, int] | None = None
    frames = 0
    for kind, offset, length in _chunks(stream, 12, end):
        if kind == b"VP8X":
            stream.seek(offset + 4)
            data = stream.read(6)
            if len(data) < 6:
                raise CorruptImage()
            canvas = (int.from_bytes(data[:3], "little") + 1, int.from_bytes(data[3:], "little") + 1)
        elif kind == b"ANMF":
            frames += 1
            if first_frame is None:
                first_frame = (offset + 16, offset + length)
    if first_frame is not None:
        found = _bitstream_model(stream, *first_frame)
    else:
        found = _bitstream_model(stream, 12, end)
    if found is None or (frames and canvas is None):
        raise CorruptImage()
    model, width, height = found
    width, height = canvas or (width, height)
    return WebpHeader(width, height, model, max(frames, 1))


def read_bmp(stream: BinaryIO) -> tuple[int, int]:
    """Bits per pixel and colours used (0: all ``1 << bpp``), from the info header."""
    stream.seek(0)
    head = stream.read(54)
    if len(head) < 50:
        raise CorruptImage()
    if struct.unpack("<I", head[14:18])[0] == 12:  # OS/2 BITMAPCOREHEADER: no colours-used field
        return struct.unpack("<H", head[24:26])[0], 0
    return struct.unpack("<H", head[28:30])[0], struct.unpack("<I", head[46:50])[0]
