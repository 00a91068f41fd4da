"""Real servers on loopback under a small threaded load generator; ratios from interleaved rounds.

Run from the project root: ``python bench/bench_server.py [--rounds 7] [--requests 9]``.

It starts gunicorn (1 gthread worker, 4 threads) on ``bench_app.py``, ``fop-middleware serve``
with ffprobe, and gunicorn with 2 sync workers sharing a ``redis-server`` of its own (when
installed), then measures every row in every round, A and B request by request in alternating
order, and prints each row's B/A ratio as min / median / max over the rounds. A "first vs
repeat" row asks for a file no server has seen (a new hard link) once, then ``--requests`` times.
Every request is a fresh connection, as ``curl`` makes. Media are made in a temporary
directory: a 10 MB noise JPEG with EXIF and a 10 s 1280x720 H.264 + AAC MP4 (ffmpeg).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import http.client
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import typing as t
import wsgiref.util

HERE = pathlib.Path(__file__).resolve().parent
TESTS = HERE.parent / "tests"
sys.path.insert(0, str(TESTS))

from bigfiles import big_jpeg  # noqa: E402 - the tests' own generators
from cachesupport import REDIS_SERVER, redis_server  # noqa: E402
from servers import Server, gunicorn, subprocess_server  # noqa: E402

from fop_middleware import registry  # noqa: E402
from fop_middleware.cache import AnswerCache, LRUStore  # noqa: E402
from fop_middleware.cli import extract_file  # noqa: E402

AVINFO_BACKENDS = ("ffprobe", "pyav", "mediainfo")
VIDEO = "video720.mp4"
JPEG = "big.jpg"
SMALL = "small.txt"


@dataclasses.dataclass
class Row:
    """B/A for one comparison; ``measure(n)`` returns one (A, B) sample pair in seconds."""

    name: str
    a_label: str
    b_label: str
    measure: t.Callable[[int], tuple[float, float]]
    a_samples: list[float] = dataclasses.field(default_factory=list)
    b_samples: list[float] = dataclasses.field(default_factory=list)

    def ratios(self) -> list[float]:
        return [b / a for a, b in zip(self.a_samples, self.b_samples)]


def fetch(server: Server, path: str) -> float:
    """Seconds for one GET on a fresh connection, body read to the end; non-200 is an error."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    elapsed = time.perf_counter() - start
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
    return elapsed


def median_of(server: Server, path: str, n: int) -> float:
    return statistics.median(fetch(server, path) for _ in range(n))


def alternating(server: Server, path_a: str, path_b: str) -> t.Callable[[int], tuple[float, float]]:
    """Medians of ``n`` GETs of each path, sent A, B, B, A, A, B, ... so that drift hits both alike."""

    def measure(n: int) -> tuple[float, float]:
        a: list[float] = []
        b: list[float] = []
        for i in range(n):
            pair = [(path_a, a), (path_b, b)]
            for path, samples in pair if i % 2 == 0 else reversed(pair):
                samples.append(fetch(server, path))
        return statistics.median(a), statistics.median(b)

    return measure


def make_media(root: pathlib.Path) -> None:
    big_jpeg(root / JPEG)
    (root / SMALL).write_bytes(b"x" * 1024)
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", "10", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", str(root / VIDEO),
        ],
        check=True,
    )  # fmt: skip


class Fresh:
    """A new name for the video per call (a hard link), so the first request for it is cold."""

    def __init__(self, root: pathlib.Path, prefix: str) -> None:
        self.root = root
        self.prefix = prefix
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        name = f"{self.prefix}-{self.count}.mp4"
        os.link(self.root / VIDEO, self.root / name)
        return name


def first_vs_repeat(name: str, server: Server, mount: str, fresh: Fresh) -> Row:
    """The first ?avinfo of a file against the median of the requests after it."""

    def measure(n: int) -> tuple[float, float]:
        path = f"{mount}/{fresh()}?avinfo"
        first = fetch(server, path)
        return median_of(server, path, n), first

    # A is the repeat (cached) side, B the first: the ratio is the speed-up.
    return Row(name, "repeat", "first", measure)


class Load:
    """Background clients hammering one path while the block runs."""

    def __init__(self, server: Server, path: str, clients: int) -> None:
        self.server, self.path, self.clients = server, path, clients
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def __enter__(self) -> Load:
        for _ in range(self.clients):
            thread = threading.Thread(target=self._run, daemon=True)
            thread.start()
            self.threads.append(thread)
        time.sleep(0.2)
        return self

    def _run(self) -> None:
        while not self.stop.is_set():
            fetch(self.server, self.path)

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def main_rows(server: Server, root: pathlib.Path) -> list[Row]:
    rows = [
        Row("?exif vs plain GET, 10 MB JPEG", "GET", "?exif", alternating(server, f"/n/libexif/{JPEG}", f"/n/libexif/{JPEG}?exif")),
        Row("pass-through, 1 KB file", "bare", "middleware", alternating(server, f"/p/bare/{SMALL}", f"/c/ffprobe/{SMALL}")),
        Row("pass-through, 10 MB JPEG", "bare", "middleware", alternating(server, f"/p/bare/{JPEG}", f"/c/libexif/{JPEG}")),
    ]
    for name in AVINFO_BACKENDS:
        if registry.availability(name).ok:
            fetch(server, f"/c/{name}/{VIDEO}?avinfo")  # fill the cache once
            measure = alternating(server, f"/c/{name}/{VIDEO}?avinfo", f"/n/{name}/{VIDEO}?avinfo")
            rows.append(Row(f"?avinfo {name}: cold vs cached (speed-up)", "cached", "cold", measure))

    def idle_vs_loaded(n: int) -> tuple[float, float]:
        idle = median_of(server, f"/p/bare/{SMALL}", n)
        with Load(server, f"/n/ffprobe/{VIDEO}?avinfo", clients=2):
            return idle, median_of(server, f"/p/bare/{SMALL}", n)

    rows.append(Row("small GET latency: idle vs 2 clients of ?avinfo (ffprobe, uncached)", "idle", "loaded", idle_vs_loaded))
    return rows


def streamed_body_rows(server: Server, root: pathlib.Path) -> list[Row]:
    """Rows for streamed bodies (bytes a non-file body spools to disk): the ``stream`` work adds them here.

    Build each as a :class:`Row` whose ``measure`` returns one (A, B) pair, e.g. with
    :func:`alternating` on ``server``'s mounts (see ``bench_app.py``) and media put in ``root``;
    they run in every round with the others.
    """
    return []


def hit_cost(root: pathlib.Path, n: int = 2000) -> float:
    """Seconds per in-process LRU hit on ffprobe's real answer for the 720p video: key + look-up + decode."""
    answer = extract_file("avinfo", str(root / VIDEO), "ffprobe")
    cache = AnswerCache(LRUStore(), context=["bench"])
    headers = [("Content-Type", "video/mp4"), ("Content-Length", str((root / VIDEO).stat().st_size))]
    with open(root / VIDEO, "rb") as f:
        cache.fetch(cache.key("avinfo", ["ffprobe"], VIDEO, "/" + VIDEO, headers, f), lambda: answer)
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(n):
                cache.fetch(cache.key("avinfo", ["ffprobe"], VIDEO, "/" + VIDEO, headers, f), dict)
            best = min(best, (time.perf_counter() - start) / n)
    return best


def passthrough_cost(root: pathlib.Path, n: int = 2000) -> tuple[float, float]:
    """Microseconds per plain GET of the 1 KB file in-process: the static app alone, then wrapped."""
    from bench_middleware import per_request
    from werkzeug.test import create_environ

    from fop_middleware import FopMiddleware
    from fop_middleware.serve import static_app

    static = static_app(str(root))
    environ = create_environ(f"/{SMALL}")
    environ["wsgi.file_wrapper"] = wsgiref.util.FileWrapper
    wrapped = FopMiddleware(static)
    bare: list[float] = []
    through: list[float] = []
    for _ in range(10):  # alternating, and the best of each: other work shares the machine
        bare.append(per_request(static, environ, n // 10))
        through.append(per_request(wrapped, environ, n // 10))
    return min(bare), min(through)


def run_rounds(rows: list[Row], rounds: int, requests: int) -> None:
    for i in range(rounds):
        for row in rows:
            a, b = row.measure(requests)
            row.a_samples.append(a)
            row.b_samples.append(b)
        print(f"round {i + 1}/{rounds} done", file=sys.stderr, flush=True)


def report(rows: list[Row]) -> None:
    width = max(len(r.name) for r in rows)
    print(f"{'row':<{width}}  {'A':>18}  {'B':>18}  B/A min / median / max")
    for row in rows:
        ratios = row.ratios()
        a = f"{row.a_label} {statistics.median(row.a_samples) * 1e3:.2f} ms"
        b = f"{row.b_label} {statistics.median(row.b_samples) * 1e3:.2f} ms"
        print(f"{row.name:<{width}}  {a:>18}  {b:>18}  {min(ratios):.3f} / {statistics.median(ratios):.3f} / {max(ratios):.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=9, help="requests per sample (their median is the sample)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="fop-bench-") as tmp, contextlib.ExitStack() as stack:
        root = pathlib.Path(tmp)
        make_media(root)
        env = {"FOP_BENCH_ROOT": tmp, "PYTHONPATH": os.pathsep.join([str(HERE), str(TESTS)])}
        main_server = stack.enter_context(gunicorn("bench_app:app", "--threads", "4", worker_class="gthread", env=env))
        rows = main_rows(main_server, root) + streamed_body_rows(main_server, root)
        serve = stack.enter_context(subprocess_server([sys.executable, "-m", "fop_middleware", "serve", tmp, "--backend", "ffprobe", "--port", "{port}"]))
        rows.append(first_vs_repeat("fop-middleware serve, ffprobe: first vs repeat ?avinfo (speed-up)", serve, "", Fresh(root, "serve")))
        if REDIS_SERVER is not None:
            redis = stack.enter_context(redis_server())
            fleet = stack.enter_context(gunicorn("bench_app:app", "--workers", "2", env={**env, "FOP_BENCH_CACHE": redis.url}))
            rows.append(first_vs_repeat("gunicorn 2 workers + Redis, ffprobe: first vs repeat (speed-up)", fleet, "/c/ffprobe", Fresh(root, "fleet")))
        else:
            print("redis-server is not installed: no fleet row", file=sys.stderr)
        run_rounds(rows, args.rounds, args.requests)
        report(rows)
        print(f"\nin-process LRU hit (key + look-up + decode of ffprobe's answer): {hit_cost(root) * 1e6:.1f} µs")
        bare, through = passthrough_cost(root)
        print(f"in-process plain GET of the 1 KB file: static app {bare:.1f} µs, through FopMiddleware {through:.1f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
