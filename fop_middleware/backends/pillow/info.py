"""The ``imageInfo`` answer: size, Go's format and colour model names, frames, EXIF orientation."""

from __future__ import annotations

import logging
import os
import typing as t

from ...errors import FopError
from ...exif import tags, values
from ...exif.containers import exif_data
from ...exif.report import MAIN_IFDS
from . import headers, models
from .opening import FORMATS, PARSE_ERRORS, open_image

if t.TYPE_CHECKING:
    from typing import BinaryIO

    from PIL import Image

    from ...extractor import Source

logger = logging.getLogger("fop_middleware")

ORIENTATION = "Orientation"


def image_info(source: Source) -> dict[str, t.Any]:
    """``{"size", "format", "width", "height", "colorModel"[, "frameNumber"][, "orientation"]}``."""
    head = _read_at(source.stream, 0, 16)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        # Pillow reads a whole WebP to open it; the chunk headers say all that is asked.
        webp = headers.read_webp(source.stream)
        answer = _answer(source, "webp", webp.width, webp.height, webp.model, webp.frames)
    else:
        with open_image(source) as image:
            fmt = FORMATS.get(image.format or "", "")
            try:
                model, frames = _model_and_frames(source.stream, fmt, image)
            except PARSE_ERRORS as e:
                raise headers.CorruptImage() from e
            answer = _answer(source, fmt, image.width, image.height, model, frames)
    orientation = exif_orientation(source)
    if orientation is not None:
        answer["orientation"] = orientation
    return answer


def _answer(source: Source, fmt: str, width: int, height: int, model: str, frames: int) -> dict[str, t.Any]:
    answer: dict[str, t.Any] = {
        "size": source.size if source.size is not None else _size(source.stream),
        "format": fmt,
        "width": width,
        "height": height,
        "colorModel": model,
    }
    if frames > 1:
        answer["frameNumber"] = frames
    return answer


def _model_and_frames(stream: BinaryIO, fmt: str, image: Image.Image) -> tuple[str, int]:
    if fmt == "jpeg":
        return models.jpeg_model(image), 1
    if fmt == "png":
        png = headers.read_png(stream)
        return models.png_model(png), png.frames or 1
    if fmt == "gif":
        gif = headers.read_gif(stream)
        return models.palette(gif.palette_size), gif.frames
    if fmt == "bmp":
        return models.bmp_model(stream), 1
    if fmt == "tiff":
        return models.tiff_model(image), 1
    return models.fallback_model(image), int(getattr(image, "n_frames", 1))


def exif_orientation(source: Source) -> str | None:
    """The ``Orientation`` value exactly as ``?exif`` shows it, or None (no EXIF, or unreadable)."""
    source.stream.seek(0)
    try:
        data = exif_data(source.stream)
    except (FopError, *PARSE_ERRORS):
        logger.debug("imageInfo: EXIF of %r unreadable, no orientation", source.name, exc_info=True)
        return None
    ifd0 = data.ifds[MAIN_IFDS[0]]
    for ifd in MAIN_IFDS:
        for entry in data.ifds[ifd]:
            if tags.name_in_ifd(entry.tag, ifd) == ORIENTATION:
                return values.get_value(entry, ifd0=ifd0)
    return None


def _read_at(stream: BinaryIO, offset: int, size: int) -> bytes:
    stream.seek(offset)
    return stream.read(size)


def _size(stream: BinaryIO) -> int:
    return stream.seek(0, os.SEEK_END)
