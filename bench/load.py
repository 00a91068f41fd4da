"""60 s at 64 connections under gunicorn: plain GETs, ?exif, ?avinfo and hostile files mixed.

Run from the project root: ``python bench/load.py [--worker-class gthread|sync] [--seconds 60]``.
Loopback only, bounded in time. 60 client threads loop over plain GETs of media files,
``?exif`` of photos and ``?avinfo`` of media; 4 more loop over ``tests/files/hostile/``
with ``?avinfo`` (so at most 4 hostile requests run at once). Reported: answers per kind
and status, any 5xx that is not a hostile file's 599, worker deaths (gunicorn workers
whose pid disappeared), and the workers' and helpers' RSS sampled every 2 s.
Pass: no 5xx but hostile 599s, no worker death, the workers' RSS at the end within 20 %
(or 20 MB) of its value after the first 10 s.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import os
import pathlib
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests" / "files"
sys.path.insert(0, str(ROOT / "bench"))

from hostile import free_port, tree, _status  # noqa: E402 - same directory

NORMAL_CLIENTS = 60
HOSTILE_CLIENTS = 4


def gunicorn_workers(master: int) -> list[int]:
    try:
        with open(f"/proc/{master}/task/{master}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def request(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return -1
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker-class", default="gthread", choices=("gthread", "sync"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fop-load-") as tmp:
        root = pathlib.Path(tmp)
        media = [p.name for p in (TESTS / "media").iterdir() if p.suffix in (".mp4", ".m4a", ".mkv", ".mp3", ".ogg", ".wav", ".ts", ".webm")]
        for name in media:
            shutil.copy(TESTS / "media" / name, root / name)
        photos = [p.name for p in (TESTS / "core").iterdir() if p.suffix.lower() in (".jpg", ".jpeg")] or []
        for name in photos:
            shutil.copy(TESTS / "core" / name, root / name)
        (root / "hostile").mkdir()
        hostile = [p.name for p in (TESTS / "hostile").iterdir() if p.suffix != ".md"]
        for name in hostile:
            shutil.copy(TESTS / "hostile" / name, root / "hostile" / name)
        port = free_port()
        env = dict(os.environ, FOP_LOAD_ROOT=tmp, PYTHONPATH=str(ROOT))
        cmd = [
            sys.executable, "-m", "gunicorn", "--chdir", str(ROOT / "bench"), "-b", f"127.0.0.1:{port}",
            "-w", str(args.workers), "-k", args.worker_class, "--threads", str(args.threads),
            "--timeout", "30", "--log-level", "warning", "load_app:app",
        ]  # fmt: skip
        if args.worker_class == "sync":
            cmd[cmd.index("--threads") : cmd.index("--threads") + 2] = []
        log = open(root / "gunicorn.log", "wb")
        master = subprocess.Popen(cmd, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start")
                time.sleep(0.2)
        counts: collections.Counter[tuple[str, int]] = collections.Counter()
        latencies: dict[str, list[float]] = collections.defaultdict(list)
        lock = threading.Lock()
        end = time.monotonic() + args.seconds
        stop = threading.Event()

        def client(kind_of: str, seed: int) -> None:
            rng = random.Random(seed)
            while time.monotonic() < end:
                if kind_of == "hostile":
                    kind, path = "hostile", f"/hostile/{rng.choice(hostile)}?avinfo"
                else:
                    kind = rng.choices(["plain", "exif", "avinfo"], [4, 2, 4])[0]
                    if kind == "plain":
                        path = "/" + rng.choice(media + photos)
                    elif kind == "exif":
                        path = "/" + rng.choice(photos) + "?exif"
                    else:
                        path = "/" + rng.choice(media) + "?avinfo"
                start = time.monotonic()
                status = request(port, path)
                with lock:
                    counts[(kind, status)] += 1
                    latencies[kind].append(time.monotonic() - start)

        workers_seen: set[int] = set(gunicorn_workers(master.pid))
        samples: list[tuple[float, int, int]] = []

        def sampler() -> None:
            t0 = time.monotonic()
            while not stop.is_set():
                workers = gunicorn_workers(master.pid)
                workers_seen.update(workers)
                rss = sum(_status(w, "VmRSS") for w in workers)
                helpers = sum(_status(h, "VmRSS") for w in workers for h in tree(w)[1:])
                samples.append((time.monotonic() - t0, rss, helpers))
                stop.wait(2)

        threads = [threading.Thread(target=client, args=("normal", i)) for i in range(NORMAL_CLIENTS)]
        threads += [threading.Thread(target=client, args=("hostile", 1000 + i)) for i in range(HOSTILE_CLIENTS)]
        watcher = threading.Thread(target=sampler)
        watcher.start()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        stop.set()
        watcher.join()
        alive = set(gunicorn_workers(master.pid))
        master.terminate()
        master.wait(timeout=30)
        log.close()
        deaths = len(workers_seen - alive)
        print(f"gunicorn {args.worker_class}, {args.workers} workers" + (f" x {args.threads} threads" if args.worker_class == "gthread" else "") + f", {args.seconds:.0f} s, {NORMAL_CLIENTS}+{HOSTILE_CLIENTS} connections")
        for kind in ("plain", "exif", "avinfo", "hostile"):
            statuses = {s: n for (k, s), n in sorted(counts.items()) if k == kind}
            lat = sorted(latencies[kind]) or [0.0]
            print(f"  {kind:<8} {sum(statuses.values()):6d} requests  statuses {statuses}  p50 {lat[len(lat) // 2] * 1000:.0f} ms  max {lat[-1]:.2f} s")
        bad = sum(n for (k, s), n in counts.items() if s == -1 or (s >= 500 and not (k == "hostile" and s == 599)))
        after = [s for s in samples if s[0] >= 10] or samples
        first, last = after[0], after[-1]
        peak = max(s[1] for s in samples)
        print(f"  unexpected 5xx or failed connections: {bad}; worker deaths: {deaths}")
        print(f"  workers' RSS: {first[1] / 1e6:.0f} MB at {first[0]:.0f} s, {last[1] / 1e6:.0f} MB at {last[0]:.0f} s, peak {peak / 1e6:.0f} MB; helpers' RSS {first[2] / 1e6:.0f} -> {last[2] / 1e6:.0f} MB")
        flat = last[1] <= max(first[1] * 1.2, first[1] + 20e6)
        ok = bad == 0 and deaths == 0 and flat
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
