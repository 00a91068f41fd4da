"""``?imageInfo`` and ``?imageAve`` in-process: cost, bytes read, and a decompression bomb's time and memory.

Run from the project root: ``python bench/bench_image.py [--calls 500]``. It builds, in a
temporary directory, a ~10 MB 3000x3000 noise JPEG with EXIF orientation (imageInfo), two
24-megapixel 6000x4000 JPEGs, 2.7 MB smooth and 8.8 MB detailed (imageAve), and a
400-megapixel 1-bit PNG bomb of a few KB, then prints median and 95th percentile times per call, the bytes each call
reads through a counting file, and the bomb's time and peak memory in a fresh process.
"""

from __future__ import annotations

import argparse
import logging
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bigfiles import CountingFile  # noqa: E402 - the tests' own counting file
from imagefiles import big_noise_jpeg, big_photo_jpeg, png_bomb  # noqa: E402

from fop_middleware.errors import BadRequest  # noqa: E402
from fop_middleware.extractor import Source  # noqa: E402
from fop_middleware.registry import get_backend  # noqa: E402

if t.TYPE_CHECKING:
    from collections.abc import Callable

BOMB_CHILD = (
    "import re, sys, time; from fop_middleware.cli import main; start = time.perf_counter();"
    "main(['imageAve', sys.argv[1]]); elapsed = time.perf_counter() - start;"
    "peak = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1);"
    "print(elapsed, peak, file=sys.stderr)"
)


def per_call(call: Callable[[], object], calls: int) -> tuple[float, float]:
    """Median and 95th percentile seconds per call, after a warm-up."""
    for _ in range(min(20, calls)):
        call()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def bytes_read(backend: str, path: pathlib.Path) -> int:
    with CountingFile(path) as counting:
        get_backend(backend).extract(Source(t.cast("t.BinaryIO", counting), path.name, None, path.stat().st_size))
        return counting.bytes_read


def bench(backend: str, path: pathlib.Path, calls: int) -> None:
    extractor = get_backend(backend)
    with open(path, "rb") as f:
        source = Source(f, path.name, None, path.stat().st_size)
        median, p95 = per_call(lambda: extractor.extract(source), calls)
        answer = extractor.extract(source)
    size = path.stat().st_size
    print(f"{backend:<12} {path.name:<14} {size / 1e6:6.1f} MB  median {median * 1e3:7.3f} ms  p95 {p95 * 1e3:7.3f} ms  read {bytes_read(backend, path):>9} bytes  {answer}")


def bench_bomb(path: pathlib.Path, calls: int) -> None:
    """In-process: the refusal itself, without the process start-up."""
    extractor = get_backend("pillow-ave")
    logging.getLogger("fop_middleware").setLevel(logging.ERROR)

    def refuse() -> None:
        try:
            extractor.extract(Source(f, path.name))
        except BadRequest:
            return
        raise AssertionError("the bomb was decoded")

    with open(path, "rb") as f:
        median, p95 = per_call(refuse, calls)
    print(f"pillow-ave   {path.name:<14} 20000x20000 refused in-process: median {median * 1e3:7.3f} ms  p95 {p95 * 1e3:7.3f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=500, help="calls per imageInfo figure (imageAve gets a tenth)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        noise = big_noise_jpeg(work / "noise.jpg", (3000, 3000))
        photo = big_photo_jpeg(work / "smooth24mp.jpg")
        camera = big_photo_jpeg(work / "detail24mp.jpg", grain=6)
        bomb = work / "bomb.png"
        bomb.write_bytes(png_bomb(20_000))
        bench("pillow-info", noise, args.calls)
        bench("pillow-info", photo, args.calls)
        bench("pillow-ave", photo, max(10, args.calls // 10))
        bench("pillow-ave", camera, max(10, args.calls // 10))
        bench_bomb(bomb, args.calls)
        if os.path.exists("/proc/self/status"):
            done = subprocess.run([sys.executable, "-c", BOMB_CHILD, str(bomb)], capture_output=True, text=True, timeout=60)
            elapsed, peak = done.stderr.split()[-2:]
            print(f"bomb {bomb.stat().st_size} bytes, 20000x20000: {done.stdout.strip()} in {float(elapsed) * 1e3:.1f} ms, peak RSS {int(peak) / 1024:.1f} MiB (whole process)")
            assert re.match(r'\{"code":400', done.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
