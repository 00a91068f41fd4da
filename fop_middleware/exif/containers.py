"""Find the EXIF block of an image by seeking in its stream and reading only what is needed.

libexif's own loader (JPEG APP1, raw ``Exif`` blobs, Fuji RAF) goes first, as
``exif_data_new_from_file`` does. When it yields nothing, the block is taken out of the
container as the reference program's ``--container`` mode does: a TIFF-based file *is* the
block (libexif reads its first 64 KiB), a HEIF/AVIF file holds it in its ``Exif`` item.
PNG ``eXIf``, WebP ``EXIF``, JPEG XL ``Exif`` boxes and the raw files whose TIFF magic is
not 42 (Olympus ORF, Panasonic RW2) are read the same way, as libexif would read the block.
"""

from __future__ import annotations

import struct
import typing as t

from .exif_loader import loader_block
from .loader import EXIF_HEADER, MAX_BLOCK, ExifData, load
from .streams import read_at

if t.TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import BinaryIO

#: Most bytes of a TIFF the loader can use: the 64 KiB block minus the ``Exif`` header.
TIFF_BYTES = MAX_BLOCK - len(EXIF_HEADER)
#: Bytes of metadata boxes (HEIF ``iinf``/``iloc``) read at most.
MAX_BOX = 1 << 20
#: Chunks walked in a PNG/WebP/JXL before giving up.
MAX_CHUNKS = 10_000

TIFF_MAGICS = (b"II*\x00", b"MM\x00*")
#: TIFF variants with their own magic number, and the standard header libexif needs.
RAW_TIFF_MAGICS = {b"IIRO": b"II*\x00", b"IIRS": b"II*\x00", b"MMOR": b"MM\x00*", b"IIU\x00": b"II*\x00"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JXL_SIGNATURE = b"\x00\x00\x00\x0cJXL \r\n\x87\n"
HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1", b"avif", b"avis"}
)


def exif_data(stream: BinaryIO) -> ExifData:
    """The file's EXIF as libexif loads it (possibly empty)."""
    block = loader_block(stream)
    if block is not None:
        data = load(block)
        if data.count():
            return data
    block = container_block(stream)
    if block is None:
        return ExifData()
    return load(block)


def container_block(stream: BinaryIO) -> bytes | None:
    """The ``Exif\\0\\0``-prefixed block of a TIFF, raw, HEIF, PNG, WebP or JXL file."""
    head = read_at(stream, 0, 32)
    if head[:4] in TIFF_MAGICS:
        return EXIF_HEADER + read_at(stream, 0, TIFF_BYTES)
    if head[:4] in RAW_TIFF_MAGICS:
        return EXIF_HEADER + RAW_TIFF_MAGICS[head[:4]] + read_at(stream, 4, TIFF_BYTES - 4)
    if head[4:8] == b"ftyp":
        return _heif_block(stream)
    if head[:8] == PNG_SIGNATURE:
        return _payload_block(_png_exif(stream))
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _payload_block(_webp_exif(stream))
    if head[:12] == JXL_SIGNATURE:
        return _jxl_block(stream)
    return None


def _payload_block(payload: bytes | None) -> bytes | None:
    """An ``eXIf``/``EXIF`` chunk holds the TIFF structure, sometimes after ``Exif\\0\\0``."""
    if payload is None:
        return None
    return payload if payload.startswith(EXIF_HEADER) else EXIF_HEADER + payload


def _file_size(stream: BinaryIO) -> int:
    return stream.seek(0, 2)


def _boxes(stream: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """ISO-BMFF boxes in ``[start, end)`` as (type, payload offset, payload size); stops
    at the first box whose size does not fit, as the reference program does."""
    pos = start
    for _ in range(MAX_CHUNKS):
        if end - pos < 8:
            return
        header = read_at(stream, pos, 16)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">L4s", header[:8])
        hdr = 8
        if size == 1:
            if len(header) < 16 or end - pos < 16:
                return
            size, hdr = struct.unpack(">Q", header[8:16])[0], 16
        elif size == 0:
            size = end - pos
        if size < hdr or size > end - pos:
            return
        yield kind, pos + hdr, size - hdr
        pos += size


def _find_box(stream: BinaryIO, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    for found, offset, size in _boxes(stream, start, end):
        if found == kind:
            return offset, size
    return None


def _read_box(stream: BinaryIO, box: tuple[int, int] | None) -> bytes | None:
    if box is None or box[1] > MAX_BOX:
        return None
    data = read_at(stream, box[0], box[1])
    return data if len(data) == box[1] else None


def _uint(data: bytes, pos: int, size: int) -> int:
    return int.from_bytes(data[pos : pos + size], "big")


def _heif_exif_id(iinf: bytes) -> int | None:
    """The item id of the first ``infe`` (version 2+) of type ``Exif``."""
    if len(iinf) < 6:
        return None
    if iinf[0] == 0:
        count, q = _uint(iinf, 4, 2), 6
    else:
        count, q = _uint(iinf, 4, 4), 8
    end = len(iinf)
    for _ in range(count):
        if q + 8 > end:
            return None
        size = _uint(iinf, q, 4)
        if size < 8 or q + size > end:
            return None
        if iinf[q + 4 : q + 8] == b"infe" and size >= 12 and iinf[q + 8] >= 2:
            r = q + 12
            if iinf[q + 8] == 2:
                item_id, r = _uint(iinf, r, 2), r + 2
            else:
                item_id, r = _uint(iinf, r, 4), r + 4
            r += 2
            if r + 4 <= q + size and iinf[r : r + 4] == b"Exif":
                return item_id
        q += size
    return None


def _heif_extents(iloc: bytes, exif_id: int) -> list[tuple[int, int]] | None:
    """(offset, length) extents of item ``exif_id`` stored in the file (method 0)."""
    if len(iloc) < 8:
        return None
    version, end = iloc[0], len(iloc)
    off_size, len_size, base_size = iloc[4] >> 4, iloc[4] & 15, iloc[5] >> 4
    idx_size = iloc[5] & 15 if version in (1, 2) else 0
    q = 6
    if version < 2:
        items, q = _uint(iloc, q, 2), q + 2
    else:
        items, q = _uint(iloc, q, 4), q + 4
    for _ in range(items):
        if q >= end or q + 10 + base_size > end:
            return None
        if version < 2:
            item_id, q = _uint(iloc, q, 2), q + 2
        else:
            item_id, q = _uint(iloc, q, 4), q + 4
        method = 0
        if version in (1, 2):
            method, q = _uint(iloc, q, 2) & 15, q + 2
        q += 2
        base, q = _uint(iloc, q, base_size), q + base_size
        count, q = _uint(iloc, q, 2), q + 2
        extents = []
        for _ in range(count):
            if q + idx_size + off_size + len_size > end:
                return None
            q += idx_size
            offset, q = _uint(iloc, q, off_size), q + off_size
            length, q = _uint(iloc, q, len_size), q + len_size
            if item_id == exif_id and method == 0:
                extents.append((base + offset, length))
        if item_id == exif_id:
            return extents
    return None


def _heif_block(stream: BinaryIO) -> bytes | None:
    """The ``Exif`` item of a HEIF/AVIF file, past its 4-byte TIFF header offset."""
    size = _file_size(stream)
    meta = _find_box(stream, 0, size, b"meta")
    if meta is None or meta[1] < 4:
        return None
    start, end = meta[0] + 4, meta[0] + meta[1]
    exif_id = _heif_exif_id(_read_box(stream, _find_box(stream, start, end, b"iinf")) or b"")
    if exif_id is None:
        return None
    extents = _heif_extents(_read_box(stream, _find_box(stream, start, end, b"iloc")) or b"", exif_id)
    if not extents:
        return None
    spans = []
    for offset, length in extents:
        if offset > size:
            return None
        if length == 0 or offset + length > size:
            length = size - offset
        spans.append((offset, length))
    total = sum(length for _, length in spans)
    if total < 4:
        return None
    header = _read_spans(stream, spans, 0, 4)
    skip = 4 + int.from_bytes(header, "big")
    if skip > total:
        return None
    return EXIF_HEADER + _read_spans(stream, spans, skip, min(total - skip, TIFF_BYTES))


def _read_spans(stream: BinaryIO, spans: list[tuple[int, int]], skip: int, size: int) -> bytes:
    """``size`` bytes from offset ``skip`` of the concatenated file spans."""
    out = bytearray()
    for offset, length in spans:
        if size <= 0:
            break
        if skip >= length:
            skip -= length
            continue
        take = min(length - skip, size)
        out += read_at(stream, offset + skip, take)
        size -= take
        skip = 0
    return bytes(out)


def _png_exif(stream: BinaryIO) -> bytes | None:
    pos = len(PNG_SIGNATURE)
    for _ in range(MAX_CHUNKS):
        header = read_at(stream, pos, 8)
        if len(header) < 8:
            return None
        length, kind = struct.unpack(">L4s", header)
        if kind == b"eXIf":
            return read_at(stream, pos + 8, min(length, MAX_BLOCK))
        if kind == b"IEND":
            return None
        pos += 12 + length
    return None


def _webp_exif(stream: BinaryIO) -> bytes | None:
    end = min(struct.unpack("<L", read_at(stream, 4, 4))[0] + 8, _file_size(stream))
    pos = 12
    for _ in range(MAX_CHUNKS):
        if end - pos < 8:
            return None
        kind, length = struct.unpack("<4sL", read_at(stream, pos, 8))
        if kind == b"EXIF":
            return read_at(stream, pos + 8, min(length, MAX_BLOCK))
        pos += 8 + length + (length & 1)
    return None


def _jxl_block(stream: BinaryIO) -> bytes | None:
    """A JPEG XL container's ``Exif`` box: a 4-byte TIFF header offset, then the TIFF."""
    for kind, offset, size in _boxes(stream, 0, _file_size(stream)):
        if kind == b"Exif" and size >= 4:
            skip = int.from_bytes(read_at(stream, offset, 4), "big")
            if skip > size - 4:
                return None
            return EXIF_HEADER + read_at(stream, offset + 4 + skip, min(size - 4 - skip, TIFF_BYTES))
    return None
