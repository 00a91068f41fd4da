"""What putting one avinfo backend first costs per ``?avinfo`` request: CPU, latency, throughput.

    python bench/bench_order.py [DIR] [--backends pyav,ffprobe] [--requests 200] [--concurrency 4]

1. In this process, each file of DIR through ``FopMiddleware`` over a static app, with only that
   backend: CPU per request (this process and its children, so ffprobe's start-up counts) and
   the wall time per request (median of 3 per file; the table gives the fastest file, the median
   file and the slowest file).
2. A real ``fop-middleware serve DIR --backend NAME`` on a free loopback port, and
   ``--concurrency`` client threads sending ``--requests`` ``?avinfo`` requests over the files:
   requests per second on this machine.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import itertools
import os
import re
import statistics
import subprocess
import sys
import time
import typing as t
import urllib.error
import urllib.parse
import urllib.request

from werkzeug.test import Client

from fop_middleware import FopMiddleware
from fop_middleware.serve import static_app

DEFAULT_DIR = os.path.join("..", "shared", "corpus", "media")
READY = re.compile(r"on http://127\.0\.0\.1:(\d+)/")


def cpu_seconds() -> float:
    """CPU used so far by this process and the children it waited for (ffprobe runs)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def in_process(directory: str, files: list[str], backend: str) -> tuple[float, list[float]]:
    """CPU ms per request over every file, and each file's median wall ms."""
    client = Client(FopMiddleware(static_app(directory), backends={"avinfo": [backend]}))
    client.get(f"/{urllib.parse.quote(files[0])}?avinfo")  # warm-up: imports, self-test
    walls = []
    cpu_start, count = cpu_seconds(), 0
    for name in files:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            client.get(f"/{urllib.parse.quote(name)}?avinfo")
            times.append((time.perf_counter() - start) * 1000)
            count += 1
        walls.append(statistics.median(times))
    return (cpu_seconds() - cpu_start) * 1000 / count, walls


def throughput(directory: str, files: list[str], backend: str, requests: int, concurrency: int) -> float:
    """Requests per second a real ``fop-middleware serve`` answers with ``backend`` alone."""
    server = subprocess.Popen(
        [sys.executable, "-m", "fop_middleware", "serve", directory, "--port", "0", "--backend", backend],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    try:
        assert server.stderr is not None
        match = READY.search(server.stderr.readline())
        if match is None:
            raise RuntimeError("the server did not start")
        base = f"http://127.0.0.1:{match.group(1)}/"
        names = itertools.islice(itertools.cycle(files), requests)

        def fetch(name: str) -> int:
            try:
                with urllib.request.urlopen(f"{base}{urllib.parse.quote(name)}?avinfo", timeout=60) as response:
                    response.read()
                    return int(response.status)
            except urllib.error.HTTPError as e:
                return e.code

        fetch(files[0])
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(fetch, names))
        return requests / (time.perf_counter() - start)
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stderr is not None:
            server.stderr.close()


def main(argv: t.Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", nargs="?", default=DEFAULT_DIR)
    parser.add_argument("--backends", default="pyav,ffprobe")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    if not os.path.isdir(args.directory):
        args.directory = os.path.join(os.path.dirname(__file__), "..", "examples", "media")
    files = sorted(f for f in os.listdir(args.directory) if os.path.isfile(os.path.join(args.directory, f)))
    print(f"{len(files)} files in {args.directory}; {os.cpu_count()} cores")
    print(f"{'backend':<10} {'CPU ms/req':>10} {'wall ms: fastest':>17} {'median':>7} {'slowest':>8} {'req/s':>7}  slowest file")
    for backend in args.backends.split(","):
        cpu, walls = in_process(args.directory, files, backend)
        rate = throughput(args.directory, files, backend, args.requests, args.concurrency)
        slowest = files[walls.index(max(walls))]
        print(
            f"{backend:<10} {cpu:>10.1f} {min(walls):>17.1f} {statistics.median(walls):>7.1f} {max(walls):>8.1f} {rate:>7.1f}  {slowest}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
