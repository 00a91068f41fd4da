"""For the answer-cache tests: a real ``redis-server`` on a free port, and a backend that counts its runs."""

from __future__ import annotations

import contextlib
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import typing as t

import pytest
from servers import HOST, free_port

from fop_middleware.errors import NoExifData
from fop_middleware.extractor import Extractor, Source

REDIS_SERVER = shutil.which("redis-server")
needs_redis = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed (apt-get install redis-server)")

#: When set, each run of :class:`Counting` appends a line to this file, so runs in other processes count too.
COUNT_FILE_ENV = "FOP_TEST_COUNT_FILE"


class Counting(Extractor):
    """Counts its runs; answers the file's name and length, or the verdict the test sets."""

    name = "test-counting"
    operation = "exif"
    calls: t.ClassVar[list[str]] = []
    fail_with: t.ClassVar[Exception | None] = None

    def extract(self, source: Source) -> dict[str, t.Any]:
        Counting.calls.append(source.name)
        count_file = os.environ.get(COUNT_FILE_ENV)
        if count_file:
            with open(count_file, "a") as f:
                f.write(f"{os.getpid()} {source.name}\n")
        if Counting.fail_with is not None:
            raise Counting.fail_with
        data = source.stream.read()
        if b"Exif\x00\x00" not in data:
            raise NoExifData()
        return {"name": source.name, "size": len(data), "first": data[0], "last": data[-1], "nested": {"list": [1, 2.5, "é"]}}


class RedisServer:
    """A ``redis-server`` of our own, in a temporary directory, with no persistence."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="fop-redis-")

    def start(self) -> None:
        assert REDIS_SERVER is not None
        argv = [REDIS_SERVER, "--port", str(self.port), "--bind", HOST, "--dir", self._dir.name, "--save", "", "--appendonly", "no"]
        with open(pathlib.Path(self._dir.name) / "redis.log", "ab") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start: " + (pathlib.Path(self._dir.name) / "redis.log").read_text())
            time.sleep(0.02)

    def _answers(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def pause(self) -> None:
        """Make the server hang: it accepts connections and answers nothing."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def client(self) -> t.Any:
        import redis

        return redis.Redis.from_url(self.url)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.resume()
        self.stop()
        self._dir.cleanup()


@contextlib.contextmanager
def redis_server() -> t.Iterator[RedisServer]:
    server = RedisServer()
    try:
        server.start()
        yield server
    finally:
        server.close()
