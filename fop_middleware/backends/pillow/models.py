"""Go's colour model names, as the image each of Go's decoders returns would report them.

The service names ``color.Model`` values in lower case (``YCbCrModel`` -> ``ycbcr``,
``NRGBA64Model`` -> ``nrgba64``) and a ``color.Palette`` as ``palette<N>``. The rules follow
``image/jpeg``, ``image/png``, ``image/gif`` and ``golang.org/x/image`` ``bmp``, ``tiff``,
``webp``: the type of the decoded image, so a PNG's ``tRNS`` turns ``gray``/``rgba`` into
``nrgba`` as Go's ``readImagePass`` does.
"""

from __future__ import annotations

import typing as t

from . import headers

if t.TYPE_CHECKING:
    from typing import BinaryIO

    from PIL import Image

#: (PNG colour type, bit depth) -> model without and with ``tRNS``.
PNG_MODELS: dict[tuple[int, int], tuple[str, str]] = {
    **{(0, d): ("gray", "nrgba") for d in (1, 2, 4, 8)},
    (0, 16): ("gray16", "nrgba64"),
    (2, 8): ("rgba", "nrgba"),
    (2, 16): ("rgba64", "nrgba64"),
    (4, 8): ("nrgba", "nrgba"),
    (4, 16): ("nrgba64", "nrgba64"),
    (6, 8): ("nrgba", "nrgba"),
    (6, 16): ("nrgba64", "nrgba64"),
}
PNG_PALETTE = 3

TIFF_BITS_PER_SAMPLE = 258
TIFF_PHOTOMETRIC = 262
TIFF_EXTRA_SAMPLES = 338
#: ExtraSamples value for associated (premultiplied) alpha: Go's ``mRGBA``; 2 is ``mNRGBA``.
TIFF_ASSOCIATED_ALPHA = 1

#: Pillow modes of the formats no Go decoder covers (AVIF): YUV-coded, like VP8.
YUV_MODELS = {"L": "gray", "LA": "nycbcra", "RGB": "ycbcr", "RGBA": "nycbcra"}


def palette(size: int) -> str:
    return f"palette{size}"


def jpeg_model(image: Image.Image) -> str:
    """By component count; three components are RGB only as Go's ``isRGB`` decides."""
    components = [layer[0] for layer in getattr(image, "layer", [])]
    if len(components) == 1:
        return "gray"
    if len(components) == 4:
        return "cmyk"
    if "jfif" in image.info:
        return "ycbcr"
    if image.info.get("adobe_transform") == 0 and "adobe" in image.info:
        return "rgba"
    return "rgba" if components == [ord("R"), ord("G"), ord("B")] else "ycbcr"


def png_model(header: headers.PngHeader) -> str:
    if header.color_type == PNG_PALETTE:
        return palette(header.palette_size)
    plain, transparent = PNG_MODELS.get((header.color_type, header.depth), ("nrgba", "nrgba"))
    return transparent if header.has_trns else plain


def bmp_model(stream: BinaryIO) -> str:
    """Go's ``bmp.Decode``: paletted up to 8 bits, ``rgba`` for 24, ``nrgba`` for 32."""
    bpp, colors_used = headers.read_bmp(stream)
    if bpp <= 8:
        return palette(colors_used or 1 << bpp)
    return "nrgba" if bpp == 32 else "rgba"


def tiff_model(image: Image.Image) -> str:
    """Go's ``tiff.Decode`` mode: photometric interpretation, then bits and extra samples."""
    tags = getattr(image, "tag_v2", {})
    bits = tags.get(TIFF_BITS_PER_SAMPLE, (8,))
    bits = bits[0] if isinstance(bits, tuple) and bits else bits
    wide = bits == 16
    photometric = tags.get(TIFF_PHOTOMETRIC)
    if photometric in (0, 1):
        return "gray16" if wide else "gray"
    if photometric == 2:
        extra = tags.get(TIFF_EXTRA_SAMPLES)
        extra = extra[0] if isinstance(extra, tuple) and extra else extra
        if extra is None or extra == TIFF_ASSOCIATED_ALPHA:
            return "rgba64" if wide else "rgba"
        return "nrgba64" if wide else "nrgba"
    if photometric == 3:
        return palette(1 << int(bits))
    if photometric == 5:
        return "cmyk"
    if photometric == 6:
        return "ycbcr"
    return fallback_model(image)


def fallback_model(image: Image.Image) -> str:
    """For formats without a Go decoder (AVIF): YUV-coded images, so ``ycbcr``/``nycbcra``."""
    return YUV_MODELS.get(image.mode, "nrgba")
