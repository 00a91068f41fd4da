"""Time each avinfo backend next to the ``ffprobe`` command, file by file.

    python bench/bench_avinfo.py [DIR] [--repeat N] [--backends pyav,ffprobe,mediainfo]

Each backend answers through ``fop_middleware.cli.extract_file`` (what the CLI and the
middleware run), in this process, after one warm-up call; the ``ffprobe`` column runs
``ffprobe -v error -show_streams -show_format -print_format json FILE`` as a subprocess.
Cells are the median of ``--repeat`` runs in milliseconds; the last rows give the median
over the files and each backend's speed-up over the ffprobe command.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
import typing as t

from fop_middleware import registry
from fop_middleware.cli import extract_file
from fop_middleware.errors import FopError

DEFAULT_DIR = os.path.join("..", "shared", "corpus", "media")
FFPROBE = ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-print_format", "json"]


def timed(call: t.Callable[[], object], repeat: int) -> float:
    """Median wall time of ``call`` in milliseconds; a refusal (400) counts as an answer."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            call()
        except FopError:
            pass
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run_ffprobe(path: str) -> None:
    subprocess.run([*FFPROBE, path], capture_output=True, check=False)


def main(argv: t.Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", nargs="?", default=DEFAULT_DIR)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backends", default="pyav,ffprobe,mediainfo")
    args = parser.parse_args(argv)

    backends = [b for b in args.backends.split(",") if registry.availability(b).ok]
    has_ffprobe = shutil.which("ffprobe") is not None
    files = sorted(os.path.join(args.directory, n) for n in os.listdir(args.directory))
    files = [f for f in files if os.path.isfile(f)]
    if not files:
        print(f"no files in {args.directory}", file=sys.stderr)
        return 2

    columns = backends + (["ffprobe-cmd"] if has_ffprobe else [])
    results: dict[str, list[float]] = {c: [] for c in columns}
    print(f"{'file':<34}" + "".join(f"{c:>13}" for c in columns) + "   (ms, median of %d)" % args.repeat)
    for path in files:
        row = []
        for name in backends:
            timed(lambda: extract_file("avinfo", path, name), 1)
            ms = timed(lambda: extract_file("avinfo", path, name), args.repeat)
            results[name].append(ms)
            row.append(ms)
        if has_ffprobe:
            ms = timed(lambda: run_ffprobe(path), args.repeat)
            results["ffprobe-cmd"].append(ms)
            row.append(ms)
        print(f"{os.path.basename(path)[:33]:<34}" + "".join(f"{ms:>13.1f}" for ms in row))

    medians = {c: statistics.median(v) for c, v in results.items()}
    print(f"{'median over files':<34}" + "".join(f"{medians[c]:>13.1f}" for c in columns))
    if has_ffprobe:
        base = medians["ffprobe-cmd"]
        print(f"{'speed-up vs ffprobe command':<34}" + "".join(f"{base / medians[c]:>12.1f}x" for c in columns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
