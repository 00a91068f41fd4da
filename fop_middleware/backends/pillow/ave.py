"""The ``imageAve`` answer: the average colour, decoded at reduced size where the format allows.

A JPEG is decoded at 1/8 scale (libjpeg's DCT scaling, Pillow's ``draft``): each pixel is
then the mean of an 8x8 block, so the mean of the small image is the mean of the full one
to within rounding, at a fraction of the time and memory. Other formats are decoded whole,
after the size check that keeps a decompression bomb from being decoded at all.
"""

from __future__ import annotations

import logging
import math
import typing as t

from PIL import ImageStat

from ...errors import BadRequest
from .opening import PARSE_ERRORS, check_limits, open_image

if t.TYPE_CHECKING:
    from PIL import Image

    from ...extractor import Source

logger = logging.getLogger("fop_middleware")

#: libjpeg scales a DCT decode by 1/8 at most.
JPEG_SCALE = 8
#: Modes holding one 16- or 32-bit grey channel, averaged on their own scale.
WIDE_GRAY_MODES = {"I;16": 257, "I;16B": 257, "I;16L": 257, "I;16N": 257, "I": 257}


def average_colour(source: Source) -> dict[str, str]:
    """``{"RGB": "0xrrggbb"}``; alpha is ignored, as the colour of a pixel is averaged."""
    with open_image(source) as image:
        check_limits(source, image.width, image.height)
        try:
            red, green, blue = _mean(image)
        except PARSE_ERRORS as e:
            logger.warning("imageAve: cannot decode %r", source.name, exc_info=True)
            raise BadRequest("corrupt image file") from e
    return {"RGB": "0x{:02x}{:02x}{:02x}".format(red, green, blue)}


def _mean(image: Image.Image) -> tuple[int, int, int]:
    if image.format in ("JPEG", "MPO"):
        image.draft(image.mode, (math.ceil(image.width / JPEG_SCALE), math.ceil(image.height / JPEG_SCALE)))
    image.load()
    if image.mode in WIDE_GRAY_MODES:
        level = _round(ImageStat.Stat(image).mean[0] / WIDE_GRAY_MODES[image.mode])
        return level, level, level
    if image.mode in ("P", "PA"):
        # Through RGBA: Pillow warns when a palette's tRNS bytes are dropped on the way to RGB.
        image = image.convert("RGBA")
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    red, green, blue = (_round(v) for v in ImageStat.Stat(rgb).mean[:3])
    return red, green, blue


def _round(value: float) -> int:
    return max(0, min(255, int(value + 0.5)))
