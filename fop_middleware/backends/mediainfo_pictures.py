"""Cover pictures MediaInfo hands over as base64, described the way ffprobe lists them.

libavformat turns an embedded cover (ID3 APIC, MP4 ``covr``, FLAC/Vorbis picture block)
into a video stream whose codec, size and pixel format come from the image itself; the
image header says all of that, so Pillow only reads the header, never decodes.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import struct
import typing as t

logger = logging.getLogger("fop_middleware")

#: PNG (colour type, bit depth) -> the pixel format FFmpeg's PNG decoder reports.
PNG_PIX_FMTS = {
    (0, 1): "monob", (0, 8): "gray", (0, 16): "gray16be", (2, 8): "rgb24", (2, 16): "rgb48be",
    (3, 1): "pal8", (3, 2): "pal8", (3, 4): "pal8", (3, 8): "pal8", (4, 8): "ya8",
    (4, 16): "ya16be", (6, 8): "rgba", (6, 16): "rgba64be",
}
#: Pillow's JPEG chroma sampling (``get_sampling``) -> FFmpeg's full-range pixel format.
JPEG_PIX_FMTS = {0: "yuvj444p", 1: "yuvj422p", 2: "yuvj420p"}


def describe_picture(encoded: str) -> dict[str, t.Any]:
    """``codec_name``, ``width``, ``height``, ``pix_fmt`` of a base64 picture; {} if unknown."""
    try:
        data = base64.b64decode(encoded, validate=False)
    except (binascii.Error, ValueError):
        return {}
    data = _unwrap_flac_picture(data)
    if data.startswith(b"\xff\xd8"):
        info: dict[str, t.Any] = {"codec_name": "mjpeg"}
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        info = {"codec_name": "png"}
    else:
        return {}
    info.update(_png_header(data) if info["codec_name"] == "png" else _jpeg_header(data))
    return info


def _unwrap_flac_picture(data: bytes) -> bytes:
    """The image inside a FLAC ``METADATA_BLOCK_PICTURE`` (Ogg/Opus covers), else ``data``."""
    try:
        kind, mime_length = struct.unpack_from(">II", data, 0)
        if kind > 20 or mime_length > 256:
            return data
        at = 8 + mime_length
        (description_length,) = struct.unpack_from(">I", data, at)
        at += 4 + description_length + 16
        (length,) = struct.unpack_from(">I", data, at)
        return data[at + 4 : at + 4 + length]
    except struct.error:
        return data


def _png_header(data: bytes) -> dict[str, t.Any]:
    """Size and pixel format from the IHDR chunk, which PNG puts first."""
    if len(data) < 26 or data[12:16] != b"IHDR":
        return {}
    width, height, depth, colour = struct.unpack_from(">IIBB", data, 16)
    info: dict[str, t.Any] = {"width": width, "height": height}
    pix_fmt = PNG_PIX_FMTS.get((colour, depth))
    if pix_fmt:
        info["pix_fmt"] = pix_fmt
    return info


def _jpeg_header(data: bytes) -> dict[str, t.Any]:
    try:
        from PIL import Image, JpegImagePlugin
    except ImportError:
        return {}
    try:
        with Image.open(io.BytesIO(data)) as image:
            info: dict[str, t.Any] = {"width": image.width, "height": image.height}
            pix_fmt: str | None = None
            if image.mode == "L":
                pix_fmt = "gray"
            elif image.mode == "RGB" and isinstance(image, JpegImagePlugin.JpegImageFile):
                pix_fmt = JPEG_PIX_FMTS.get(JpegImagePlugin.get_sampling(image))
            if pix_fmt:
                info["pix_fmt"] = pix_fmt
            return info
    except Exception:  # a damaged picture: its codec is still known
        logger.debug("cover JPEG header unreadable", exc_info=True)
        return {}
