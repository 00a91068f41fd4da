"""The ``pillow-info`` backend (``?imageInfo``) on images the suite builds; both image operations on bad files."""

from __future__ import annotations

import io
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time
import typing as t

import pytest
from PIL import Image, features

from fop_middleware.cli import extract_file
from fop_middleware.errors import BadRequest, FopError, UnsupportedFile
from fop_middleware.exif import read_exif
from fop_middleware.extractor import Source
from fop_middleware.registry import get_backend

from bigfiles import CountingFile
from imagefiles import big_noise_jpeg, frames, gradient, jpeg_with_orientation, make_png, pillow_bytes, pillow_full_mean, png_bomb, write_file as _write

FILES = pathlib.Path(__file__).parent / "files" / "images"


def info_of(tmp_path: pathlib.Path, data: bytes, name: str = "image") -> dict[str, t.Any]:
    path = tmp_path / name
    path.write_bytes(data)
    return extract_file("imageInfo", str(path))


PNG_CASES = [
    pytest.param(make_png(0, 1), "gray", id="gray1"),
    pytest.param(make_png(0, 8), "gray", id="gray8"),
    pytest.param(make_png(0, 8, trns=True), "nrgba", id="gray8-trns"),
    pytest.param(make_png(0, 16), "gray16", id="gray16"),
    pytest.param(make_png(0, 16, trns=True), "nrgba64", id="gray16-trns"),
    pytest.param(make_png(2, 8), "rgba", id="rgb8"),
    pytest.param(make_png(2, 8, trns=True), "nrgba", id="rgb8-trns"),
    pytest.param(make_png(2, 16), "rgba64", id="rgb16"),
    pytest.param(make_png(2, 16, trns=True), "nrgba64", id="rgb16-trns"),
    pytest.param(make_png(4, 8), "nrgba", id="gray-alpha8"),
    pytest.param(make_png(4, 16), "nrgba64", id="gray-alpha16"),
    pytest.param(make_png(6, 8), "nrgba", id="rgba8"),
    pytest.param(make_png(6, 16), "nrgba64", id="rgba16"),
    pytest.param(make_png(3, 8, palette=7), "palette7", id="palette7"),
    pytest.param(make_png(3, 4, palette=16, trns=True), "palette16", id="palette16-trns"),
    pytest.param(make_png(3, 1, palette=2), "palette2", id="palette2"),
]


@pytest.mark.parametrize(("data", "model"), PNG_CASES)
def test_png_colour_models(tmp_path: pathlib.Path, data: bytes, model: str) -> None:
    """Go's ``png.Decode``: colour type, depth and tRNS decide the image type."""
    assert info_of(tmp_path, data) == {"size": len(data), "format": "png", "width": 3, "height": 2, "colorModel": model}


def _jpeg_cases() -> list[t.Any]:
    image = gradient("RGB")
    return [
        pytest.param(pillow_bytes(image.convert("L"), "JPEG"), "gray", id="gray"),
        pytest.param(pillow_bytes(image, "JPEG"), "ycbcr", id="ycbcr"),
        pytest.param(pillow_bytes(image.convert("CMYK"), "JPEG"), "cmyk", id="cmyk"),
        pytest.param(pillow_bytes(image, "JPEG", keep_rgb=True), "rgba", id="rgb-adobe-transform-0"),
    ]


def _pillow_cases() -> list[t.Any]:
    image = gradient("RGB")
    cases = [
        pytest.param(pillow_bytes(image.quantize(4), "GIF"), "gif", "palette4", id="gif-global-palette"),
        pytest.param(pillow_bytes(image.quantize(4), "GIF", transparency=6), "gif", "palette7", id="gif-transparent-index-beyond-palette"),
        pytest.param(pillow_bytes(image, "WEBP", quality=80), "webp", "ycbcr", id="webp-lossy"),
        pytest.param(pillow_bytes(gradient("RGBA"), "WEBP", quality=80), "webp", "nycbcra", id="webp-lossy-alpha"),
        pytest.param(pillow_bytes(image, "WEBP", lossless=True), "webp", "nrgba", id="webp-lossless"),
        pytest.param(pillow_bytes(image.convert("1"), "BMP"), "bmp", "palette2", id="bmp-1bit"),
        pytest.param(pillow_bytes(image.convert("L"), "BMP"), "bmp", "palette256", id="bmp-8bit"),
        pytest.param(pillow_bytes(image, "BMP"), "bmp", "rgba", id="bmp-24bit"),
        pytest.param(pillow_bytes(gradient("RGBA"), "BMP"), "bmp", "nrgba", id="bmp-32bit"),
        pytest.param(pillow_bytes(image.convert("L"), "TIFF"), "tiff", "gray", id="tiff-gray"),
        pytest.param(pillow_bytes(image.convert("I;16"), "TIFF"), "tiff", "gray16", id="tiff-gray16"),
        pytest.param(pillow_bytes(image, "TIFF"), "tiff", "rgba", id="tiff-rgb"),
        pytest.param(pillow_bytes(gradient("RGBA"), "TIFF"), "tiff", "nrgba", id="tiff-rgba-unassociated"),
        pytest.param(pillow_bytes(image.convert("P"), "TIFF"), "tiff", "palette256", id="tiff-palette"),
        pytest.param(pillow_bytes(image.convert("CMYK"), "TIFF"), "tiff", "cmyk", id="tiff-cmyk"),
    ]
    if features.check("avif"):
        cases += [
            pytest.param(pillow_bytes(image, "AVIF"), "avif", "ycbcr", id="avif"),
            pytest.param(pillow_bytes(gradient("RGBA"), "AVIF"), "avif", "nycbcra", id="avif-alpha"),
        ]
    return cases


@pytest.mark.parametrize(("data", "model"), _jpeg_cases())
def test_jpeg_colour_models(tmp_path: pathlib.Path, data: bytes, model: str) -> None:
    """Go's ``jpeg.Decode``: by component count, and RGB when Adobe's transform is 0."""
    assert info_of(tmp_path, data) == {"size": len(data), "format": "jpeg", "width": 24, "height": 16, "colorModel": model}


@pytest.mark.parametrize(("data", "fmt", "model"), _pillow_cases())
def test_format_and_colour_model_against_pillow(tmp_path: pathlib.Path, data: bytes, fmt: str, model: str) -> None:
    answer = info_of(tmp_path, data)
    with Image.open(io.BytesIO(data)) as image:
        assert (answer["width"], answer["height"]) == image.size
    assert answer == {"size": len(data), "format": fmt, "width": 24, "height": 16, "colorModel": model}


def _animations() -> list[t.Any]:
    return [
        pytest.param(pillow_bytes(frames("RGB", 1)[0], "GIF", save_all=True, append_images=frames("RGB", 3)[1:]), 3, id="gif"),
        pytest.param(pillow_bytes(frames("RGB", 1)[0], "PNG", save_all=True, append_images=frames("RGB", 4)[1:]), 4, id="apng"),
        pytest.param(pillow_bytes(frames("RGB", 1)[0], "WEBP", save_all=True, append_images=frames("RGB", 2)[1:]), 2, id="webp"),
    ]


@pytest.mark.parametrize(("data", "count"), _animations())
def test_frame_number_of_animations_matches_pillow(tmp_path: pathlib.Path, data: bytes, count: int) -> None:
    answer = info_of(tmp_path, data)
    with Image.open(io.BytesIO(data)) as image:
        assert answer["frameNumber"] == image.n_frames == count
        assert (answer["width"], answer["height"]) == image.size


def test_still_images_have_no_frame_number(tmp_path: pathlib.Path) -> None:
    assert "frameNumber" not in info_of(tmp_path, pillow_bytes(frames("P", 1)[0], "GIF"))
    assert "frameNumber" not in info_of(tmp_path, make_png(2, 8))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_is_what_exif_shows(tmp_path: pathlib.Path, orientation: int) -> None:
    data = jpeg_with_orientation(orientation)
    assert info_of(tmp_path, data)["orientation"] == read_exif(io.BytesIO(data))["Orientation"]["val"]


def test_orientation_of_committed_files() -> None:
    for name in ("camera.jpg", "camera.png", "camera.webp"):
        answer = extract_file("imageInfo", str(FILES / name))
        assert answer["orientation"] == read_exif(io.BytesIO((FILES / name).read_bytes()))["Orientation"]["val"] == "Right-top"
    assert "orientation" not in extract_file("imageInfo", str(FILES / "noexif.png"))


@pytest.mark.parametrize(
    ("data", "error"),
    [
        pytest.param(b"hello, world\n" * 10, UnsupportedFile, id="text"),
        pytest.param(make_png(2, 8)[:20], BadRequest, id="truncated-png"),
        pytest.param(b"GIF89a" + b"\xff" * 3, BadRequest, id="truncated-gif"),
        pytest.param(b"RIFF\x10\x00\x00\x00WEBPVP8 \x04\x00\x00\x00abcd", BadRequest, id="bad-webp"),
    ],
)
def test_bad_files_are_400(tmp_path: pathlib.Path, data: bytes, error: type[FopError]) -> None:
    for op in ("imageInfo", "imageAve"):
        with pytest.raises(error) as caught:
            path = tmp_path / "bad"
            path.write_bytes(data)
            extract_file(op, str(path))
        assert caught.value.status == 400
        assert str(tmp_path) not in caught.value.message


@pytest.fixture(scope="module")
def ten_mb_jpeg(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    path = big_noise_jpeg(tmp_path_factory.mktemp("big") / "noise.jpg", (3000, 3000))
    assert os.path.getsize(path) >= 10 * 1000 * 1000
    return path


def test_image_info_reads_at_most_64_kib_of_a_10_mb_jpeg(ten_mb_jpeg: pathlib.Path) -> None:
    with CountingFile(ten_mb_jpeg) as counting:
        stream = t.cast("t.BinaryIO", counting)
        answer = get_backend("pillow-info").extract(Source(stream, "noise.jpg", None, os.path.getsize(ten_mb_jpeg)))
        assert counting.bytes_read <= 64 * 1024, counting.bytes_read
    assert answer == {"size": os.path.getsize(ten_mb_jpeg), "format": "jpeg", "width": 3000, "height": 3000, "colorModel": "ycbcr", "orientation": "Right-top"}


def test_image_info_costs_about_a_millisecond(ten_mb_jpeg: pathlib.Path) -> None:
    """The figure is 1 ms (bench/bench_image.py); 5 ms here leaves room for a busy CI machine."""
    backend = get_backend("pillow-info")
    with open(ten_mb_jpeg, "rb") as f:
        source = Source(f, "noise.jpg", None, os.path.getsize(ten_mb_jpeg))
        times = []
        for _ in range(30):
            start = time.perf_counter()
            backend.extract(source)
            times.append(time.perf_counter() - start)
    assert statistics.median(times) <= 0.005, statistics.median(times)


def test_command_line(tmp_path: pathlib.Path) -> None:
    path = _write(tmp_path, pillow_bytes(gradient("RGB"), "PNG"))
    for op, expected in (("imageInfo", extract_file("imageInfo", str(path))), ("imageAve", {"RGB": "0x{:02x}{:02x}{:02x}".format(*pillow_full_mean(path.read_bytes()))})):
        done = subprocess.run([sys.executable, "-m", "fop_middleware", op, str(path)], capture_output=True, timeout=60)
        assert (done.returncode, done.stdout) == (0, json.dumps(expected, separators=(",", ":")).encode() + b"\n")
    listing = subprocess.run([sys.executable, "-m", "fop_middleware", "backends"], capture_output=True, timeout=60, text=True).stdout
    assert "pillow-ave   imageAve  available" in listing and "pillow-info  imageInfo available" in listing
    bomb = _write(tmp_path, png_bomb(30_001, 1))
    done = subprocess.run([sys.executable, "-m", "fop_middleware", "imageAve", str(bomb)], capture_output=True, timeout=60)
    assert done.returncode == 1 and done.stdout.startswith(b'{"code":400,"error":"image is too large')


def _samples() -> list[t.Any]:
    image = gradient("RGB")
    return [
        pytest.param(make_png(3, 8, palette=7, trns=True), id="png"),
        pytest.param(pillow_bytes(frames("RGB", 1)[0], "PNG", save_all=True, append_images=frames("RGB", 3)[1:]), id="apng"),
        pytest.param(pillow_bytes(frames("RGB", 1)[0], "GIF", save_all=True, append_images=frames("RGB", 3)[1:]), id="gif"),
        pytest.param(pillow_bytes(frames("RGB", 1)[0], "WEBP", save_all=True, append_images=frames("RGB", 2)[1:]), id="webp-animated"),
        pytest.param(pillow_bytes(gradient("RGBA"), "WEBP"), id="webp-alpha"),
        pytest.param(pillow_bytes(image, "BMP"), id="bmp"),
        pytest.param(pillow_bytes(image, "TIFF"), id="tiff"),
        pytest.param(jpeg_with_orientation(6), id="jpeg"),
    ]


@pytest.mark.parametrize("data", _samples())
@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's own notes on the corrupt TIFF/EXIF it reads
def test_truncated_and_corrupted_files_are_400_never_a_crash(tmp_path: pathlib.Path, data: bytes) -> None:
    """Every cut of the file, and a byte flipped at every step: an answer or a 400, never a 599."""
    variants = [data[:cut] for cut in range(1, len(data), max(1, len(data) // 60))]
    variants += [data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :] for at in range(0, len(data), max(1, len(data) // 60))]
    path = tmp_path / "variant"
    for variant in variants:
        path.write_bytes(variant)
        for op in ("imageInfo", "imageAve"):
            try:
                extract_file(op, str(path))
            except FopError as e:
                assert e.status == 400, (op, len(variant), e)


def test_tiff_strip_offsets_of_floats_is_400(tmp_path: pathlib.Path) -> None:
    """Regression (found by fuzzing): Pillow seeks to a FLOAT strip offset, a TypeError that was a 599."""
    data = pillow_bytes(gradient("RGB"), "TIFF")
    strip_offsets = data.index(b"\x11\x01\x04\x00")  # tag 273, type LONG, little-endian
    path = _write(tmp_path, data[: strip_offsets + 2] + b"\x0b" + data[strip_offsets + 3 :])
    with pytest.raises(BadRequest):
        extract_file("imageAve", str(path))


@pytest.mark.skipif(not features.check("avif"), reason="Pillow is built without AVIF (libavif)")
@pytest.mark.parametrize("path", sorted((FILES.parent / "fuzz").glob("*.avif")), ids=lambda p: p.stem)
def test_avif_that_libavif_refuses_is_400(path: pathlib.Path) -> None:
    """Regression (found by fuzzing): libavif's RuntimeError was a 599; see tests/files/fuzz/README.md."""
    for op in ("imageInfo", "imageAve"):
        try:
            extract_file(op, str(path))
        except FopError as e:
            assert e.status == 400, (op, e)
