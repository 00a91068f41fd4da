"""EXIF of a ~10 MB camera-like JPEG: time per call in-process, next to libexif's ``exif`` command.

Run from the project root: ``python bench/bench_exif.py [--calls 2000] [--exif-from PHOTO.jpg]``.
The JPEG is made in a temporary directory: 3000x3000 noise pixels (so the scan data is
~10 MB) with the APP1 EXIF block of ``--exif-from`` (default: the test image
``tests/files/images/camera.jpg``) after the JFIF header, like a camera file. Also prints
the bytes the backend reads, through a counting file object.
"""

from __future__ import annotations

import argparse
import io
import pathlib
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import typing as t

from PIL import Image

from fop_middleware.exif import read_exif

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bigfiles import CountingFile  # noqa: E402 - the tests' own counting file

if t.TYPE_CHECKING:
    from collections.abc import Callable

DEFAULT_EXIF = ROOT / "tests" / "files" / "images" / "camera.jpg"


def app1_segment(path: pathlib.Path) -> bytes:
    """The whole APP1 ``Exif`` segment (marker, length, payload) of a JPEG."""
    data = path.read_bytes()
    at = data.index(b"Exif\x00\x00") - 4
    return data[at : at + 2 + struct.unpack(">H", data[at + 2 : at + 4])[0]]


def camera_jpeg(path: pathlib.Path, exif_from: pathlib.Path, side: int = 3000) -> pathlib.Path:
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), random.Random(0).randbytes(side * side * 3)).save(out, "JPEG", quality=95)
    plain = out.getvalue()
    app0_end = 4 + struct.unpack(">H", plain[4:6])[0]
    path.write_bytes(plain[:app0_end] + app1_segment(exif_from) + plain[app0_end:])
    return path


def per_call(call: Callable[[], object], calls: int) -> tuple[float, float]:
    """Median and 95th percentile seconds per call, after a warm-up."""
    for _ in range(min(200, calls)):
        call()
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--exif-from", type=pathlib.Path, default=DEFAULT_EXIF)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = camera_jpeg(pathlib.Path(tmp) / "camera.jpg", args.exif_from)
        size = path.stat().st_size
        with open(path, "rb") as f:

            def on_open_file() -> object:
                f.seek(0)
                return read_exif(f)

            def with_open() -> object:
                with open(path, "rb") as g:
                    return read_exif(g)

            tags = len(on_open_file())
            rows = [
                ("read_exif(open stream)", *per_call(on_open_file, args.calls)),
                ("open + read_exif", *per_call(with_open, args.calls)),
            ]
        if shutil.which("exif"):
            command = ["exif", str(path)]
            rows.append(("exif FILE (libexif CLI)", *per_call(lambda: subprocess.run(command, capture_output=True), 50)))
        counting = CountingFile(path)
        try:
            read_exif(counting)
            read_bytes = counting.bytes_read
        finally:
            counting.close()
    print(f"file: {size / 1e6:.1f} MB JPEG, {tags} EXIF entries (from {args.exif_from.name})")
    print(f"{'what':<28}{'median ms':>12}{'p95 ms':>10}")
    for name, median, p95 in rows:
        print(f"{name:<28}{median * 1e3:>12.3f}{p95 * 1e3:>10.3f}")
    print(f"bytes read by read_exif: {read_bytes} ({read_bytes / 1024:.1f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
