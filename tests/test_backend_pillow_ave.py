"""The ``pillow-ave`` backend (``?imageAve``): average colours against Pillow's full decode, limits, bombs."""

from __future__ import annotations

import io
import os
import pathlib
import re
import subprocess
import sys
import time

import pytest
from PIL import Image, ImageStat

from fop_middleware.cli import extract_file
from fop_middleware.errors import BadRequest
from fop_middleware.extractor import Source
from fop_middleware.registry import get_backend

from imagefiles import big_photo_jpeg, gradient, make_png, pillow_bytes, pillow_full_mean, png_bomb, write_file as _write

AVE_CASES = [
    pytest.param(pillow_bytes(gradient("RGB"), "PNG"), 0, id="png-rgb"),
    pytest.param(pillow_bytes(gradient("RGBA"), "PNG"), 0, id="png-rgba"),
    pytest.param(pillow_bytes(gradient("RGB").convert("P"), "GIF"), 0, id="gif"),
    pytest.param(pillow_bytes(gradient("RGB"), "BMP"), 0, id="bmp"),
    pytest.param(pillow_bytes(gradient("RGB").convert("I;16"), "TIFF"), 0, id="tiff-gray16"),
    pytest.param(pillow_bytes(gradient("RGB"), "WEBP", lossless=True), 0, id="webp"),
    pytest.param(pillow_bytes(gradient("RGB", (400, 300)), "JPEG", quality=90), 2, id="jpeg-reduced"),
]


@pytest.mark.parametrize(("data", "tolerance"), AVE_CASES)
def test_average_colour_against_pillow_full_decode(tmp_path: pathlib.Path, data: bytes, tolerance: int) -> None:
    answer = extract_file("imageAve", str(_write(tmp_path, data)))
    assert list(answer) == ["RGB"] and answer["RGB"].startswith("0x") and len(answer["RGB"]) == 8
    got = bytes.fromhex(answer["RGB"][2:])
    expected = pillow_full_mean(data)
    assert all(abs(g - e) <= tolerance for g, e in zip(got, expected)), (answer, expected)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    "data",
    [
        pytest.param(make_png(3, 8, palette=7, trns=True), id="png-palette-trns"),
        pytest.param(pillow_bytes(gradient("RGB").quantize(4), "GIF", transparency=2), id="gif-transparency"),
    ],
)
def test_transparent_palette_average_without_warning(tmp_path: pathlib.Path, data: bytes) -> None:
    """Regression: Pillow warned converting a palette with tRNS bytes to RGB, a crash (599) under -W error."""
    answer = extract_file("imageAve", str(_write(tmp_path, data)))
    assert bytes.fromhex(answer["RGB"][2:]) == bytes(pillow_full_mean_rgba(data))


def pillow_full_mean_rgba(data: bytes) -> tuple[int, int, int]:
    with Image.open(io.BytesIO(data)) as image:
        red, green, blue = (round(v) for v in ImageStat.Stat(image.convert("RGBA")).mean[:3])
        return red, green, blue


def test_image_ave_of_a_24_megapixel_jpeg(tmp_path: pathlib.Path) -> None:
    """Decoded at 1/8 scale: 45-65 ms for this 2.7 MB file (bench/bench_image.py); 500 ms here for a busy CI."""
    path = big_photo_jpeg(tmp_path / "photo.jpg")
    backend = get_backend("pillow-ave")
    with open(path, "rb") as f:
        source = Source(f, "photo.jpg", None, os.path.getsize(path))
        answer = backend.extract(source)
        start = time.perf_counter()
        backend.extract(source)
        elapsed = time.perf_counter() - start
    got = bytes.fromhex(answer["RGB"][2:])
    assert all(abs(g - e) <= 2 for g, e in zip(got, pillow_full_mean(path.read_bytes())))
    assert elapsed <= 0.5, elapsed


@pytest.mark.parametrize(
    ("width", "height"),
    [pytest.param(20_000, 20_000, id="400-megapixels"), pytest.param(30_001, 8, id="side-over-30000"), pytest.param(13_000, 12_000, id="156-megapixels")],
)
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_decompression_bomb_is_400_before_decoding(tmp_path: pathlib.Path, width: int, height: int) -> None:
    path = _write(tmp_path, png_bomb(width, height))
    start = time.perf_counter()
    with pytest.raises(BadRequest) as caught:
        extract_file("imageAve", str(path))
    assert time.perf_counter() - start < 1.0
    assert caught.value.message.startswith("image is too large")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="peak memory is read from Linux's /proc/self/status")
def test_bomb_answers_without_large_memory(tmp_path: pathlib.Path) -> None:
    """In a fresh process, whose peak resident size (VmHWM, reset by exec) is the bomb's alone."""
    path = _write(tmp_path, png_bomb(20_000))
    code = (
        "import re, sys, time; from fop_middleware.cli import main; start = time.perf_counter();"
        "status = main(['imageAve', sys.argv[1]]); elapsed = time.perf_counter() - start;"
        "peak = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1);"
        "print(elapsed, peak, file=sys.stderr); sys.exit(status)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, timeout=60, text=True)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith('{"code":400,"error":"image is too large')
    elapsed, peak_kib = done.stderr.split()[-2:]
    assert float(elapsed) < 1.0
    assert int(peak_kib) < 100 * 1024, "a decoded 400-megapixel image would take 400 MB"


def test_limits_come_from_the_source(tmp_path: pathlib.Path) -> None:
    path = _write(tmp_path, pillow_bytes(gradient("RGB", (100, 50)), "PNG"))
    backend = get_backend("pillow-ave")
    with open(path, "rb") as f:
        assert backend.extract(Source(f, "a.png", max_image_pixels=5000))["RGB"].startswith("0x")
        with pytest.raises(BadRequest, match="too large"):
            backend.extract(Source(f, "a.png", max_image_pixels=4999))
        with pytest.raises(BadRequest, match="too large"):
            backend.extract(Source(f, "a.png", max_image_side=99))


def test_tiff_colour_map_of_signed_bytes_is_400(tmp_path: pathlib.Path) -> None:
    """Regression (found by fuzzing): a ColorMap typed SBYTE makes Pillow's palette raise
    OverflowError on decode, which was a 599."""
    data = pillow_bytes(gradient("RGB").convert("P"), "TIFF")
    colour_map = data.index(b"\x40\x01\x03\x00")  # tag 320, type SHORT, little-endian
    path = _write(tmp_path, data[: colour_map + 2] + b"\x06" + data[colour_map + 3 :])
    # Pillow 11.3 decodes this palette, newer releases refuse it: either way never a 599.
    try:
        answer = extract_file("imageAve", str(path))
    except BadRequest as e:
        assert e.message == "corrupt image file"
    else:
        assert re.fullmatch(r"0x[0-9a-f]{6}", answer["RGB"])
