"""Middleware overhead per request, and bytes read from big files, printed as a table.

Run from the project root: ``python bench/bench_middleware.py [--requests 20000]``.
The big files are made in a temporary directory: a ~10 MB noise JPEG with EXIF, and a
110 MB MP4 with its moov box at the end (the small test clip with a sparse hole in mdat).
"""

from __future__ import annotations

import argparse
import io
import pathlib
import sys
import tempfile
import time
import typing as t
import wsgiref.util

from werkzeug.test import create_environ

from fop_middleware import Extractor, FopMiddleware, Source, registry

TESTS = pathlib.Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

from bigfiles import CountingFile, big_jpeg, big_moov_end_mp4  # noqa: E402 - the tests' own generators

KIB = 1024


class Trivial(Extractor):
    """Reads 64 bytes and answers a constant: the cost of the machinery, not of a parser."""

    name = "bench-trivial"
    operation = "exif"

    def extract(self, source: Source) -> dict[str, t.Any]:
        return {"Make": {"val": source.stream.read(64)[:2].hex(), "type": 2}}


def per_request(app: t.Any, environ: dict[str, t.Any], n: int) -> float:
    """Mean microseconds for one request, body iterated and closed as a server would."""

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: t.Any = None) -> t.Any:
        return None

    start = time.perf_counter()
    for _ in range(n):
        result = app(dict(environ), start_response)
        for _chunk in result:
            pass
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return (time.perf_counter() - start) / n * 1e6


def overhead_rows(n: int) -> list[tuple[str, str]]:
    data = b"\xff\xd8" + bytes(4 * KIB)

    def file_app(environ: dict[str, t.Any], start_response: t.Any) -> t.Any:
        start_response("200 OK", [("Content-Type", "image/jpeg")])
        return environ["wsgi.file_wrapper"](io.BytesIO(data))

    def list_app(environ: dict[str, t.Any], start_response: t.Any) -> t.Any:
        start_response("200 OK", [("Content-Type", "image/jpeg")])
        return [data]

    registry.register("bench-trivial", Trivial, clobber=True)
    mw = FopMiddleware(file_app, backends={"exif": ["bench-trivial"]})
    spooled = FopMiddleware(list_app, backends={"exif": ["bench-trivial"]})
    plain = create_environ("/a/photo.jpg")
    plain["wsgi.file_wrapper"] = wsgiref.util.FileWrapper
    fop = dict(plain, QUERY_STRING="exif")
    bare = per_request(file_app, plain, n)
    rows = [
        ("bare app (file wrapper)", f"{bare:.1f} us"),
        ("middleware, passthrough", f"{per_request(mw, plain, n):.1f} us"),
        ("middleware, ?exif via file wrapper, trivial backend", f"{per_request(mw, fop, n):.1f} us"),
        ("middleware, ?exif via spool, trivial backend", f"{per_request(spooled, fop, n):.1f} us"),
    ]
    return rows


def bytes_read(path: pathlib.Path, op: str, backend: str) -> str:
    files: list[CountingFile] = []

    def app(environ: dict[str, t.Any], start_response: t.Any) -> t.Any:
        f = CountingFile(path)
        files.append(f)
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return wsgiref.util.FileWrapper(f)

    if not registry.availability(backend).ok:
        return f"unavailable: {registry.availability(backend).reason}"
    mw = FopMiddleware(app, backends={op: [backend]})
    environ = create_environ(f"/{path.name}", query_string=op)
    status: list[str] = []
    start = time.perf_counter()
    body = b"".join(mw(environ, lambda s, h, e=None: status.append(s)))
    elapsed = (time.perf_counter() - start) * 1000
    if not status[0].startswith("200"):
        return f"{status[0]}: {body[:80]!r}"
    n = files[0].bytes_read
    return f"{n:,} B ({n / KIB:.0f} KiB) of {path.stat().st_size / (1024 * KIB):.1f} MiB, {elapsed:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000, help="requests per overhead row")
    args = parser.parse_args()
    rows = overhead_rows(args.requests)
    with tempfile.TemporaryDirectory() as tmp:
        jpeg = big_jpeg(pathlib.Path(tmp) / "big.jpg")
        mp4 = big_moov_end_mp4(pathlib.Path(tmp) / "big.mp4")
        rows.append(("?exif, 10 MB JPEG, file wrapper, libexif (limit 512 KiB)", bytes_read(jpeg, "exif", "libexif")))
        for backend in ("pyav", "mediainfo", "ffprobe"):
            note = " (no file descriptor: copied whole to a temp file)" if backend == "ffprobe" else ""
            rows.append((f"?avinfo, 110 MB moov-at-end MP4, {backend}{note} (limit 8 MiB)", bytes_read(mp4, "avinfo", backend)))
    width = max(len(name) for name, _ in rows)
    print(f"{'case':<{width}}  result")
    print(f"{'-' * width}  {'-' * 40}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
