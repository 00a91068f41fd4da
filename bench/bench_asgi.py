"""``FopASGIMiddleware``: overhead per request, and how much of a streamed big file the app sends.

Run from the project root: ``python bench/bench_asgi.py [--requests 2000] [--big-requests 5]``. In process, one
asyncio loop, requests one after another; the big files are those of ``bench_middleware.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import statistics
import sys
import tempfile
import time
import typing as t

from fop_middleware import Extractor, Source, registry
from fop_middleware.asgi import FopASGIMiddleware

TESTS = pathlib.Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

from bigfiles import big_jpeg, big_moov_end_mp4  # noqa: E402 - the tests' own generators

KIB = 1024
CHUNK = 64 * KIB


class Trivial(Extractor):
    """Reads 64 bytes and answers a constant: the cost of the machinery, not of a parser."""

    name = "bench-trivial"
    operation = "exif"

    def extract(self, source: Source) -> dict[str, t.Any]:
        return {"Make": {"val": source.stream.read(64)[:2].hex(), "type": 2}}


class FileApp:
    """Sends ``path`` by pathsend when offered, else streamed in 64 KiB messages.

    ``sent`` counts the bytes sent before the client got its answer: what the middleware
    pulled (and spooled); what follows goes nowhere until the app hears the client left.
    """

    def __init__(self, path: pathlib.Path) -> None:
        self.path = path
        self.sent = 0
        self.answered = False

    async def __call__(self, scope: t.Any, receive: t.Any, send: t.Any) -> None:
        self.sent, self.answered = 0, False
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/octet-stream")]})
        if "http.response.pathsend" in scope.get("extensions", {}) and scope.get("bench.pathsend", True):
            await send({"type": "http.response.pathsend", "path": str(self.path)})
            return
        with self.path.open("rb") as f:
            while data := f.read(CHUNK):
                if not self.answered:
                    self.sent += len(data)
                await send({"type": "http.response.body", "body": data, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def request(app: t.Any, target: str, *, pathsend: bool = True, file_app: FileApp | None = None) -> tuple[int, float]:
    """One request: the status, and when (``perf_counter``) the client had the whole answer."""
    path, _, query = target.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": [], "extensions": {}, "bench.pathsend": pathsend,
    }  # fmt: skip
    answered = asyncio.Event()
    status = 0
    answered_at = 0.0
    requested = False

    async def receive() -> dict[str, t.Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, t.Any]) -> None:
        nonlocal status, answered_at
        if message["type"] == "http.response.start":
            status = message["status"]
            if file_app is not None:
                file_app.answered = True
        elif not message.get("more_body", False):
            answered_at = time.perf_counter()
            answered.set()

    await app(scope, receive, send)
    return status, answered_at


def timed(app: t.Any, target: str, n: int, **kwargs: t.Any) -> tuple[float, int]:
    """Median microseconds of ``n`` requests until the client has its answer, and the last status."""

    async def go() -> tuple[float, int]:
        times = []
        status = 0
        for _ in range(n):
            start = time.perf_counter()
            status, answered_at = await request(app, target, **kwargs)
            times.append(answered_at - start)
        return statistics.median(times) * 1e6, status

    return asyncio.run(go())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per overhead row")
    parser.add_argument("--big-requests", type=int, default=5, help="requests per big-file row")
    args = parser.parse_args()
    registry.register(Trivial.name, Trivial, clobber=True)
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        small = pathlib.Path(tmp) / "photo.jpg"
        small.write_bytes(b"\xff\xd8" + bytes(4 * KIB))
        raw = FileApp(small)
        mw = FopASGIMiddleware(raw, backends={"exif": [Trivial.name]})
        for name, app, target, kwargs in [
            ("bare app, pathsend", raw, "/photo.jpg", {}),
            ("middleware, passthrough", mw, "/photo.jpg", {}),
            ("middleware, ?exif via pathsend, trivial backend", mw, "/photo.jpg?exif", {}),
            ("middleware, ?exif via body messages, trivial backend", mw, "/photo.jpg?exif", {"pathsend": False}),
        ]:
            us, status = timed(app, target, args.requests, **kwargs)
            rows.append((name, f"{us:.0f} us median (HTTP {status})"))
        jpeg = big_jpeg(pathlib.Path(tmp) / "big.jpg")
        mp4 = big_moov_end_mp4(pathlib.Path(tmp) / "big.mp4")
        for op, path, backend in (("exif", jpeg, "libexif"), ("avinfo", mp4, "pyav"), ("avinfo", mp4, "mediainfo")):
            if not registry.availability(backend).ok:
                rows.append((f"?{op} {path.name} {backend}", f"unavailable: {registry.availability(backend).reason}"))
                continue
            size = path.stat().st_size / (KIB * KIB)
            for pathsend in (True, False):
                app = FileApp(path)
                ms, status = timed(FopASGIMiddleware(app, backends={op: [backend]}), f"/{path.name}?{op}", args.big_requests, pathsend=pathsend, file_app=app)
                how = "read in place" if pathsend else f"{app.sent / KIB:,.0f} KiB pulled from the app"
                rows.append((f"?{op}, {size:.0f} MiB {path.suffix[1:]}, {backend}, {'pathsend' if pathsend else 'body'}", f"{ms / 1000:.0f} ms, HTTP {status}, {how}"))
    width = max(len(name) for name, _ in rows)
    print(f"{'case':<{width}}  result")
    print(f"{'-' * width}  {'-' * 40}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
