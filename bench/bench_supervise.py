"""What supervision costs per ``?avinfo`` on a small file: helper process vs in-process.

Run from the project root: ``python bench/bench_supervise.py [--requests 2000] [--file F]``.
Each backend answers the same file ``--requests`` times through ``FopCore.respond``, the
file opened per request as a static server does, with ``isolation="inline"`` and with
``isolation="process"``; the difference of the medians is the supervision overhead
(descriptor passing, two socket messages, the helper's bounded view). The ``test-supervised``
row uses a backend that only reads the file, so it shows the machinery alone.
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fop_middleware import registry  # noqa: E402
from fop_middleware.core import FopCore, FopRequest  # noqa: E402
from fop_middleware.supervisor import close_pools  # noqa: E402

from supervised_backends import Supervised  # noqa: E402 - importable by the helper

REQUEST = FopRequest("avinfo", "", False)


def timings(backend: str, path: pathlib.Path, n: int) -> dict[str, list[float]]:
    """Milliseconds per request for each isolation, requests alternating so load drifts cancel."""
    cores = {iso: FopCore(backends={"avinfo": [backend]}, isolation=iso) for iso in ("inline", "process")}
    out: dict[str, list[float]] = {iso: [] for iso in cores}
    for i in range(n + 20):
        for isolation, core in cores.items():
            start = time.perf_counter()
            with open(path, "rb") as f:
                result = core.respond(REQUEST, 200, [], path.name, file=f)
            took = time.perf_counter() - start
            assert result is not None and result.status == 200, (backend, isolation, result)
            if i >= 20:  # the helper's start and imports are not per request
                out[isolation].append(took * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--file", type=pathlib.Path, default=ROOT / "tests" / "files" / "media" / "aac.m4a")
    args = parser.parse_args()
    registry.register("test-supervised", Supervised, clobber=True)
    print(f"{args.file.name} ({args.file.stat().st_size} bytes), {args.requests} requests per row, milliseconds")
    print(f"{'backend':<16} {'inline median':>14} {'process median':>15} {'overhead':>9} {'process p95':>12}")
    for backend in ("test-supervised", "pyav", "mediainfo", "ffprobe"):
        if not registry.availability(backend).ok:
            print(f"{backend:<16} unavailable")
            continue
        n = args.requests if backend != "ffprobe" else max(50, args.requests // 20)
        runs = timings(backend, args.file, n)
        inline, process = runs["inline"], runs["process"]
        a, b = statistics.median(inline), statistics.median(process)
        p95 = statistics.quantiles(process, n=20)[-1]
        print(f"{backend:<16} {a:14.3f} {b:15.3f} {b - a:9.3f} {p95:12.3f}")
    close_pools()


if __name__ == "__main__":
    main()
