"""Open an image with Pillow without decoding it, and refuse decompression bombs before decoding."""

from __future__ import annotations

import logging
import struct
import typing as t

from PIL import Image, UnidentifiedImageError

from ...errors import BadRequest, UnsupportedFile

if t.TYPE_CHECKING:
    from ...extractor import Source

logger = logging.getLogger("fop_middleware")

#: Pillow plugins tried, and the ``format`` the service names each by (Go's decoder name).
FORMATS = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "BMP": "bmp", "TIFF": "tiff", "AVIF": "avif"}
#: Plugins Pillow is allowed to try (MPO comes out of the JPEG plugin).
OPENERS = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "AVIF")

HEIF_IMAGE_BRANDS = (b"avif", b"avis")

#: Failures of Pillow's parsers on a bad file; anything else is a crash (599). libavif's
#: decode failures come as RuntimeError (Pillow's AVIF plugin), and a TIFF tag of the wrong
#: type reaches Pillow's ``load`` as TypeError (a float strip offset).
PARSE_ERRORS = (OSError, SyntaxError, ValueError, struct.error, IndexError, EOFError, OverflowError, RuntimeError, TypeError)


class ImageTooLarge(BadRequest):
    """400: the image is over the decompression-bomb limits."""

    default_message = "image is too large"


def is_image_head(head: bytes) -> bool:
    """Whether ``head`` starts like one of the formats in :data:`FORMATS`."""
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")):
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return True
    return head[4:8] == b"ftyp" and head[8:12] in HEIF_IMAGE_BRANDS


def open_image(source: Source) -> Image.Image:
    """The image, headers read, pixels not; the caller closes it.

    :raises ImageTooLarge: Pillow's own bomb check refused it (over twice
        ``Image.MAX_IMAGE_PIXELS``).
    :raises UnsupportedFile: no plugin among :data:`OPENERS` reads it.
    """
    source.stream.seek(0)
    try:
        return Image.open(source.stream, formats=OPENERS)
    except Image.DecompressionBombError as e:
        logger.warning("image: %r refused by Pillow's bomb check: %s", source.name, e)
        raise ImageTooLarge(limit_message(source)) from e
    except UnidentifiedImageError as e:
        raise UnsupportedFile("unsupported image format") from e
    except PARSE_ERRORS as e:
        logger.warning("image: cannot open %r", source.name, exc_info=True)
        raise BadRequest("corrupt image file") from e


def limit_message(source: Source) -> str:
    return f"image is too large: over {source.max_image_side} pixels a side or {source.max_image_pixels} pixels"


def check_limits(source: Source, width: int, height: int) -> None:
    """Refuse an image over the configured limits before any pixel is decoded."""
    if width > source.max_image_side or height > source.max_image_side or width * height > source.max_image_pixels:
        logger.warning("image: %r is %dx%d, over the limits", source.name, width, height)
        raise ImageTooLarge(limit_message(source))
