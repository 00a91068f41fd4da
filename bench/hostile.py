"""Issue 8's done-when checks: hostile files, a growing file, a /dev/zero symlink and a 10 GiB
sparse file through a real server, per native backend.

Run from the project root: ``python bench/hostile.py [--timeout 2] [--backend mediainfo ...]``.
Every file of ``tests/files/hostile/`` (a copy of ``../shared/hostile/``) goes through
``fop-middleware serve DIR --backend B --timeout T``; the /dev/zero symlink through a
Django-``static.serve``-like app (``FileResponse(open(path))`` of anything that exists,
which ``serve``'s werkzeug app refuses). Printed per request: status, seconds, bytes the
server and its helpers read (``rchar`` of /proc/PID/io; ffprobe's own reads are not in
it), and after each backend the server's RSS and its helpers'. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "files" / "hostile"
MEDIA = ROOT / "tests" / "files" / "media"
BACKENDS = ("mediainfo", "pyav", "ffprobe")

ZERO_APP = """
import os, sys
from wsgiref.simple_server import make_server
from fop_middleware import FopMiddleware
from fop_middleware.serve import QuietHandler, ThreadingWSGIServer
root, port, backend, timeout = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
def app(environ, start_response):  # what django.views.static.serve does: FileResponse(open(...))
    path = os.path.join(root, environ["PATH_INFO"].lstrip("/"))
    if not os.path.exists(path) or os.path.isdir(path):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no"]
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    return environ["wsgi.file_wrapper"](open(path, "rb"))
mw = FopMiddleware(app, backends={"avinfo": [backend]}, timeout=timeout)
make_server("127.0.0.1", port, mw, server_class=ThreadingWSGIServer, handler_class=QuietHandler).serve_forever()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def _status(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def rchar(pid: int) -> int:
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/io") as f:
                total += int(next(line for line in f if line.startswith("rchar")).split()[1])
        except (OSError, StopIteration):
            pass
    return total


def start(cmd: list[str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"server did not start: {cmd}")


def get(port: int, name: str) -> tuple[int, str, float, bool]:
    start_time = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{name}?avinfo", timeout=30) as r:
            status, ctype, body = r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        status, ctype, body = e.code, e.headers.get("Content-Type", ""), e.read()
    elapsed = time.monotonic() - start_time
    try:
        ok = ctype.startswith("application/json") and isinstance(json.loads(body), dict)
    except ValueError:
        ok = False
    return status, (json.loads(body).get("error", "") if ok and status != 200 else ""), elapsed, ok


def grow(path: pathlib.Path, stop: threading.Event) -> None:
    """Append to ``path`` until told to stop (at most 1 GiB): a file written while it is served."""
    chunk = b"\x00" * (1024 * 1024)
    with open(path, "ab") as f:
        for _ in range(1024):
            if stop.is_set():
                return
            f.write(chunk)
            f.flush()
            time.sleep(0.002)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--backend", action="append", choices=BACKENDS)
    args = parser.parse_args()
    limit = args.timeout + 1.0
    failures = 0
    with tempfile.TemporaryDirectory(prefix="fop-hostile-") as tmp:
        root = pathlib.Path(tmp)
        for p in HOSTILE.iterdir():
            if p.suffix != ".md":
                shutil.copy(p, root / p.name)
        head = (MEDIA / "h264_aac_faststart.mp4").read_bytes()
        with open(root / "sparse-10g.mp4", "wb") as f:
            f.write(head[:4096])
            f.truncate(10 * 1024**3)
        (root / "zero.mp4").symlink_to("/dev/zero")
        names = sorted(p.name for p in root.iterdir() if p.name not in ("zero.mp4",))
        shutil.copy(MEDIA / "aac.m4a", root / "warm.mp4")
        for backend in args.backend or BACKENDS:
            port = free_port()
            cmd = [sys.executable, "-m", "fop_middleware", "serve", tmp, "--port", str(port), "--backend", backend, "--timeout", str(args.timeout)]
            server = start(cmd, port)
            zport = free_port()
            zero = start([sys.executable, "-c", ZERO_APP, tmp, str(zport), backend, str(args.timeout)], zport)
            # The first ?avinfo starts the worker's helper (and imports the backend's
            # libraries): a once-per-process cost, measured and shown apart.
            warm = get(port, "warm.mp4")[2], get(zport, "warm.mp4")[2]
            print(f"== {backend} (timeout {args.timeout} s; pass: JSON within {limit} s, server up); first request {warm[0]:.2f}s/{warm[1]:.2f}s")
            rows = [(n, server, port) for n in names] + [("grow.mp4", server, port), ("zero.mp4", zero, zport)]
            for name, proc, p in rows:
                stop = threading.Event()
                if name == "grow.mp4":
                    shutil.copy(MEDIA / "h264_aac_faststart.mp4", root / name)
                    writer = threading.Thread(target=grow, args=(root / name, stop))
                    writer.start()
                    time.sleep(0.05)
                before = rchar(proc.pid)
                status, error, elapsed, ok = get(p, name)
                read = rchar(proc.pid) - before
                stop.set()
                alive = proc.poll() is None
                good = ok and alive and elapsed <= args.timeout + 0.5 + 0.5
                failures += not good
                print(f"  {'ok ' if good else 'BAD'} {status} {elapsed:5.2f}s read={read / 1e6:8.2f} MB {name} {error}")
                if name == "grow.mp4":
                    (root / name).unlink()
            rss = _status(server.pid, "VmRSS")
            helpers = sum(_status(h, "VmRSS") for h in tree(server.pid)[1:])
            peak = _status(server.pid, "VmHWM")
            print(f"  server up: {server.poll() is None}, RSS {rss / 1e6:.0f} MB (peak {peak / 1e6:.0f} MB), helpers' RSS {helpers / 1e6:.0f} MB")
            failures += server.poll() is not None or rss > 300e6
            for proc in (server, zero):
                proc.terminate()
                proc.wait()
    print("PASS" if not failures else f"FAIL: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
