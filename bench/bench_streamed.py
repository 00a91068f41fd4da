"""``?avinfo`` of a big moov-first MP4 served as a generator: bytes pulled, bytes written, time.

Run from the project root: ``python bench/bench_streamed.py [--mib 1024] [--backend pyav ...]``.
The MP4 is the tests' clip rewritten moov-first by ``ffmpeg -movflags +faststart``, its
mdat grown by zeros to the size asked, streamed in 64 KiB chunks with its Content-Length.
"Written" is this process's ``wchar`` from ``/proc/self/io`` over the request (the spool's
temporary file; ffprobe only reads it). Another bench can call :func:`streamed_avinfo_row`.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile
import time
import typing as t

TESTS = pathlib.Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

from bigfiles import moov_first, padded_mp4_chunks  # noqa: E402 - the tests' own generators

from fop_middleware.core import FopCore, FopRequest  # noqa: E402

MIB = 1024 * 1024
CLIP = TESTS / "files" / "core" / "clip.mp4"


def _written() -> int:
    with open("/proc/self/io", encoding="ascii") as f:
        fields = dict(line.split(": ") for line in f.read().splitlines() if line)
    return int(fields["wchar"])


def streamed_avinfo_row(backend: str, size: int = 1024 * MIB) -> dict[str, t.Any]:
    """One ``?avinfo`` of a ``size`` byte moov-first MP4 streamed as a generator, via ``backend``.

    Returns the status, MiB pulled from the generator, MiB written by this process, and seconds.
    """
    with tempfile.TemporaryDirectory() as tmp:
        clip = moov_first(CLIP, pathlib.Path(tmp) / "faststart.mp4").read_bytes()
    pulled = 0

    def body() -> t.Iterator[bytes]:
        nonlocal pulled
        for chunk in padded_mp4_chunks(clip, size):
            pulled += len(chunk)
            yield chunk

    core = FopCore(backends={"avinfo": [backend]}, max_body_bytes=2 * size, timeout=120)
    headers = [("Content-Type", "video/mp4"), ("Content-Length", str(size))]
    written = _written()
    start = time.perf_counter()
    result = core.respond(FopRequest("avinfo", "", False), 200, headers, "big.mp4", chunks=body())
    seconds = time.perf_counter() - start
    assert result is not None
    return {
        "backend": backend,
        "status": result.status,
        "pulled_mib": pulled / MIB,
        "written_mib": (_written() - written) / MIB,
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=1024, help="size of the streamed MP4 in MiB")
    parser.add_argument("--backend", action="append", help="avinfo backend (repeatable); default all three")
    args = parser.parse_args()
    print(f"?avinfo of a {args.mib} MiB moov-first MP4 streamed as a generator (with Content-Length)")
    print(f"{'backend':<10} {'status':>6} {'pulled MiB':>11} {'written MiB':>12} {'seconds':>8}")
    for backend in args.backend or ["pyav", "mediainfo", "ffprobe"]:
        row = streamed_avinfo_row(backend, args.mib * MIB)
        print(f"{row['backend']:<10} {row['status']:>6} {row['pulled_mib']:>11.2f} {row['written_mib']:>12.2f} {row['seconds']:>8.2f}")


if __name__ == "__main__":
    main()
