"""The ``libexif`` exif backend: libexif 0.6.24's answer, computed in pure Python from the stream.

No C library and no Pillow: a small TIFF/IFD reader of our own is the only way to keep
libexif's type codes and load rules (Pillow hides both) and to read only the bytes the
tags need. See :mod:`fop_middleware.exif` for the port itself.
"""

from __future__ import annotations

import logging
import struct
import typing as t

from ..errors import BadRequest
from ..exif import read_exif
from ..exif.budget import BudgetedStream
from ..exif.containers import HEIF_BRANDS, JXL_SIGNATURE, PNG_SIGNATURE, RAW_TIFF_MAGICS, TIFF_MAGICS
from ..exif.loader import EXIF_HEADER
from ..extractor import Extractor

if t.TYPE_CHECKING:
    from typing import BinaryIO

    from ..extractor import Source

logger = logging.getLogger("fop_middleware")

#: After a leading 0xFF: bytes libexif's JPEG scan goes on with (SOI, APPn, tables, COM);
#: MPEG audio and ADTS frames (FF Fx) are not images.
JPEG_SECOND_BYTES = frozenset(bytes([b]) for b in (0xD8, 0xFF, 0xC0, 0xC4, 0xDB, 0xFE, *range(0xE0, 0xF0)))

#: Image formats that may have no EXIF: accepted so that they get "no exif data".
OTHER_IMAGE_MAGICS = (
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"8BPS",
    b"FUJIFILM",
    b"\x00MRM",
    b"FOVb",
    b"II\x1a\x00\x00\x00HEAPCCDR",
    b"\xff\x0a",
    b"qoif",
    b"\x00\x00\x01\x00",
)


def is_image_head(head: bytes) -> bool:
    """Whether ``head`` starts like an image format that can carry EXIF (or a raw EXIF blob)."""
    if head[:1] == b"\xff" and head[1:2] in JPEG_SECOND_BYTES or head[2:8] == EXIF_HEADER:
        return True
    if head[:4] in TIFF_MAGICS or head[:4] in RAW_TIFF_MAGICS:
        return True
    if head.startswith((PNG_SIGNATURE, JXL_SIGNATURE, *OTHER_IMAGE_MAGICS)):
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return True
    if head[4:8] == b"ftyp" and len(head) >= 12:
        size = min(struct.unpack(">L", head[:4])[0], len(head))
        brands = [head[8:12]] + [head[i : i + 4] for i in range(16, size - 3, 4)]
        return any(brand in HEIF_BRANDS for brand in brands)
    return False


class LibexifExtractor(Extractor):
    """EXIF as libexif 0.6.24 shows it, from JPEG, TIFF-based raw, HEIF/AVIF, PNG, WebP and JPEG XL.

    Reads only the bytes libexif's loader would look at (one APP1 segment, or the first
    64 KiB of a TIFF, or one HEIF item) by seeking in the stream it is given, and at most
    512 KiB of any file within ``source.timeout`` seconds (past them, a 400 or a 599).

    Usage::

        from fop_middleware.registry import get_backend
        answer = get_backend("libexif").extract(source)   # {"Make": {"val": "Canon", "type": 2}, ...}
    """

    name = "libexif"
    operation = "exif"

    def accepts(self, head: bytes) -> bool:
        return is_image_head(head)

    def extract(self, source: Source) -> dict[str, t.Any]:
        try:
            return read_exif(t.cast("BinaryIO", BudgetedStream(source.stream, timeout=source.timeout)))
        except (struct.error, IndexError, ValueError, OverflowError) as e:
            logger.warning("exif: cannot parse %r", source.name, exc_info=True)
            raise BadRequest("corrupt image file") from e
