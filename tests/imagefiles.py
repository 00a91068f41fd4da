"""Images the image tests and benchmarks build: every format and Go colour model, big JPEGs, bombs."""

from __future__ import annotations

import io
import pathlib
import random
import struct
import typing as t
import zlib

from PIL import Image, ImageStat

ORIENTATION_TAG = 0x0112


def write_file(directory: pathlib.Path, data: bytes, name: str = "image") -> pathlib.Path:
    path = directory / name
    path.write_bytes(data)
    return path


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png(color_type: int, depth: int, *, palette: int = 0, trns: bool = False, width: int = 3, height: int = 2) -> bytes:
    """A PNG written chunk by chunk, so IHDR, PLTE and tRNS are exactly what the test says."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    row = b"\0" + bytes((width * channels * depth + 7) // 8)
    chunks = [png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0))]
    if palette:
        chunks.append(png_chunk(b"PLTE", bytes(range(3 * palette))))
    if trns:
        size = {0: 2, 2: 6, 3: palette}[color_type]
        chunks.append(png_chunk(b"tRNS", bytes(size)))
    chunks.append(png_chunk(b"IDAT", zlib.compress(row * height)))
    chunks.append(png_chunk(b"IEND", b""))
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def png_bomb(side: int, height: int | None = None) -> bytes:
    """A real 1-bit grey PNG of ``side`` x ``height`` zeros: a few KB that decode to ``side * height`` pixels."""
    height = height or side
    row = b"\0" + bytes((side + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, height, 1, 0, 0, 0, 0)) + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b"")


def pillow_bytes(image: Image.Image, fmt: str, **options: t.Any) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def gradient(mode: str, size: tuple[int, int] = (24, 16)) -> Image.Image:
    """A small image whose average is not a round number, in ``mode``."""
    rgb = Image.linear_gradient("L").resize(size).convert("RGB")
    rgb = Image.merge("RGB", (rgb.getchannel(0), rgb.getchannel(0).transpose(Image.Transpose.FLIP_LEFT_RIGHT), Image.new("L", size, 90)))
    if mode == "RGBA":
        rgba = rgb.convert("RGBA")
        rgba.putalpha(200)
        return rgba
    return rgb.convert(mode)


def frames(mode: str, count: int, size: tuple[int, int] = (12, 10)) -> list[Image.Image]:
    return [Image.new(mode, size, (40 * i, 100, 200) if mode.startswith("RGB") else i) for i in range(count)]


def jpeg_with_orientation(orientation: int, size: tuple[int, int] = (32, 24)) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = orientation
    return pillow_bytes(gradient("RGB", size), "JPEG", exif=exif)


def big_noise_jpeg(path: pathlib.Path, size: tuple[int, int], *, quality: int = 95, orientation: int | None = 6) -> pathlib.Path:
    """A real JPEG of noise (which compresses badly, so it is big), with EXIF orientation."""
    width, height = size
    noise = random.Random(0).randbytes(width * height * 3)
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    if orientation is not None:
        exif[ORIENTATION_TAG] = orientation
    Image.frombytes("RGB", size, noise).save(path, quality=quality, exif=exif)
    return path


def big_photo_jpeg(path: pathlib.Path, size: tuple[int, int] = (6000, 4000), *, grain: int = 50) -> pathlib.Path:
    """A 24-megapixel JPEG: noise ``grain`` times smaller, scaled up, so detail (and file size)
    grows as ``grain`` shrinks: 50 gives 2.7 MB, 6 gives a camera-like 8.8 MB."""
    width, height = size[0] // grain, size[1] // grain
    small = Image.frombytes("RGB", (width, height), random.Random(0).randbytes(width * height * 3))
    small.resize(size, Image.Resampling.BICUBIC).save(path, quality=90)
    return path


def pillow_full_mean(data: bytes) -> tuple[int, int, int]:
    """What Pillow says without any shortcut: decode all pixels, average R, G and B."""
    with Image.open(io.BytesIO(data)) as image:
        if image.mode.startswith("I"):
            level = round(ImageStat.Stat(image).mean[0] / 257)
            return level, level, level
        red, green, blue = (round(v) for v in ImageStat.Stat(image.convert("RGB")).mean[:3])
        return red, green, blue
