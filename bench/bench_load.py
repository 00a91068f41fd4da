"""Plain GET latency while many clients ask ``?avinfo`` of a big file, with and without the bound.

Run from the project root: ``python bench/bench_load.py [--clients 16] [--seconds 8]``.
A threaded wsgiref server (``fop-middleware serve``'s) runs in a child process on a free
port, serving a 2.7 KB file and a 228 MB moov-at-end MP4 (sparse, built from the tests'
clip). ``--clients`` threads ask ``?avinfo`` of the MP4 in a loop while one thread GETs
the small file; the table gives that GET's latency and how the ``?avinfo`` requests ended.
"""

from __future__ import annotations

import argparse
import http.client
import pathlib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import typing as t

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from bigfiles import big_moov_end_mp4  # noqa: E402 - the tests' own generator

SERVER = """
import sys
from wsgiref.simple_server import make_server
from fop_middleware.middleware import FopMiddleware
from fop_middleware.serve import QuietHandler, ThreadingWSGIServer, static_app

class Silent(QuietHandler):
    def log_message(self, *args):
        pass

slots = None if sys.argv[2] == "auto" else int(sys.argv[2])
app = FopMiddleware(static_app(sys.argv[1]), max_extractions=slots)
httpd = make_server("127.0.0.1", 0, app, server_class=ThreadingWSGIServer, handler_class=Silent)
httpd.request_queue_size = 128
print(httpd.server_port, flush=True)
httpd.serve_forever()
"""


def get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def measure(root: str, slots: str, clients: int, seconds: float) -> dict[str, t.Any]:
    """Plain GET latencies (ms) and ``?avinfo`` statuses under ``clients`` concurrent ``?avinfo``."""
    server = subprocess.Popen([sys.executable, "-c", SERVER, root, slots], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        for _ in range(20):
            get(port, "/small.bin")
        stop = threading.Event()
        statuses: list[int] = []

        def load() -> None:
            while not stop.is_set():
                statuses.append(get(port, "/big.mp4?avinfo"))

        loaders = [threading.Thread(target=load) for _ in range(clients)]
        for loader in loaders:
            loader.start()
        time.sleep(0.5)
        latencies = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            start = time.perf_counter()
            assert get(port, "/small.bin") == 200
            latencies.append((time.perf_counter() - start) * 1000)
            time.sleep(0.02)
        stop.set()
        for loader in loaders:
            loader.join()
    finally:
        server.terminate()
        server.wait()
    latencies.sort()
    return {
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95)],
        "gets": len(latencies),
        "ok": statuses.count(200),
        "busy": statuses.count(503),
    }


def idle_latency(root: str) -> float:
    server = subprocess.Popen([sys.executable, "-c", SERVER, root, "auto"], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        times = []
        for _ in range(200):
            start = time.perf_counter()
            get(port, "/small.bin")
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent ?avinfo clients")
    parser.add_argument("--seconds", type=float, default=8.0, help="measuring time per row")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        (pathlib.Path(tmp) / "small.bin").write_bytes(bytes(2700))
        big_moov_end_mp4(pathlib.Path(tmp) / "big.mp4", size=228 * 1024 * 1024, clip_path=ROOT / "tests" / "files" / "core" / "clip.mp4")
        print(f"plain GET of 2.7 KB, idle: p50 {idle_latency(tmp):.2f} ms")
        print(f"while {args.clients} clients ask ?avinfo of a 228 MB MP4 (default backend order):")
        print(f"{'max_extractions':<16} {'GET p50 ms':>10} {'GET p95 ms':>10} {'?avinfo 200':>12} {'?avinfo 503':>12}")
        for slots in ("auto", "64"):
            row = measure(tmp, slots, args.clients, args.seconds)
            print(f"{slots:<16} {row['p50']:>10.2f} {row['p95']:>10.2f} {row['ok']:>12} {row['busy']:>12}")


if __name__ == "__main__":
    main()
