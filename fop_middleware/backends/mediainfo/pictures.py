"""Cover pictures MediaInfo hands over as base64, described the way ffprobe lists them.

libavformat turns an embedded cover (ID3 APIC, MP4 ``covr``, FLAC/Vorbis picture block)
into a video stream whose codec, size and pixel format come from the image itself; the
image header says all of that, and only the header is read, never the pixels.
"""

from __future__ import annotations

import base64
import binascii
import struct
import typing as t

#: PNG (colour type, bit depth) -> the pixel format FFmpeg's PNG decoder reports.
PNG_PIX_FMTS = {
    (0, 1): "monob", (0, 8): "gray", (0, 16): "gray16be", (2, 8): "rgb24", (2, 16): "rgb48be",
    (3, 1): "pal8", (3, 2): "pal8", (3, 4): "pal8", (3, 8): "pal8", (4, 8): "ya8",
    (4, 16): "ya16be", (6, 8): "rgba", (6, 16): "rgba64be",
}
#: JPEG luma sampling factors (h, v) over 1x1 chroma -> FFmpeg's full-range pixel format.
JPEG_PIX_FMTS = {(1, 1): "yuvj444p", (2, 1): "yuvj422p", (2, 2): "yuvj420p", (1, 2): "yuvj440p",
                 (4, 1): "yuvj411p"}
#: Start-of-frame markers -> FFmpeg's MJPEG profile names.
JPEG_PROFILES = {0xC0: "Baseline", 0xC1: "Sequential", 0xC2: "Progressive", 0xC3: "Lossless"}
#: Start-of-frame markers (SOF0-SOF15 but DHT, JPG and DAC).
_SOF_MARKERS = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def describe_picture(encoded: str) -> dict[str, t.Any]:
    """``codec_name``, ``width``, ``height``, ``pix_fmt`` of a base64 picture; {} if unknown."""
    try:
        data = base64.b64decode(encoded, validate=False)
    except (binascii.Error, ValueError):
        return {}
    return describe_image(_unwrap_flac_picture(data))


def describe_image(data: bytes) -> dict[str, t.Any]:
    """:func:`describe_picture` of raw image bytes (a cover, or an MJPEG frame's start)."""
    if data.startswith(b"\xff\xd8"):
        info: dict[str, t.Any] = {"codec_name": "mjpeg"}
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        info = {"codec_name": "png"}
    else:
        return {}
    info.update(_png_header(data) if info["codec_name"] == "png" else _jpeg_header(data))
    if "width" in info and (info["codec_name"] == "png" or str(info.get("pix_fmt", "")).startswith("yuvj")):
        info["color_range"] = "pc"  # both decoders output full-range samples
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
    """Size and pixel format from the JPEG's start-of-frame segment."""
    at = 2
    aspect: tuple[int, int] | None = None
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        (length,) = struct.unpack_from(">H", data, at + 2)
        if marker == 0xE0 and data[at + 4:at + 9] == b"JFIF\0" and at + 16 <= len(data):
            aspect = struct.unpack_from(">HH", data, at + 12)  # X and Y density: the pixel shape
        if marker in _SOF_MARKERS and at + 10 <= len(data):
            precision, height, width, components = struct.unpack_from(">BHHB", data, at + 4)
            info: dict[str, t.Any] = {"width": width, "height": height, "bits_per_raw_sample": str(precision)}
            if marker in JPEG_PROFILES:
                info["profile"] = JPEG_PROFILES[marker]
            if aspect and aspect[0] > 0 and aspect[1] > 0:
                info["aspect"] = aspect
            pix_fmt = None
            if precision == 8 and components == 1:
                pix_fmt = "gray"
            elif precision == 8 and components == 3 and at + 10 + 9 <= len(data):
                factors = [data[at + 11 + 3 * i] for i in range(3)]
                luma, chroma = factors[0], factors[1]
                if factors[1] == factors[2] and chroma & 0x0F and chroma >> 4 \
                        and (luma >> 4) % (chroma >> 4) == 0 and (luma & 0x0F) % (chroma & 0x0F) == 0:
                    # the luma:chroma sampling ratio decides (0x12 over 0x12 is 4:4:4)
                    ratio = ((luma >> 4) // (chroma >> 4), (luma & 0x0F) // (chroma & 0x0F))
                    pix_fmt = JPEG_PIX_FMTS.get(ratio)
            if pix_fmt:
                info["pix_fmt"] = pix_fmt
            return info
        at += 2 + length
    return {}
