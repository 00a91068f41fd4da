"""Real servers on loopback for the adapter tests: a subprocess (gunicorn, an example) or wsgiref in a thread."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import http.client
import json
import os
import pathlib
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import typing as t
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

ROOT = pathlib.Path(__file__).resolve().parent.parent
MEDIA = ROOT / "examples" / "media"
HOST = "127.0.0.1"
START_TIMEOUT = 30.0
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


@dataclasses.dataclass
class Reply:
    """What a real HTTP client got back."""

    status: int
    headers: t.Any  # http.client.HTTPMessage or werkzeug Headers: both get() case-insensitively
    body: bytes

    def json(self) -> t.Any:
        return json.loads(self.body.decode("utf-8"))

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return None if value is None else str(value)


@dataclasses.dataclass
class Server:
    """A running server: its base URL parts, and a one-call HTTP client."""

    host: str
    port: int
    process: subprocess.Popen[bytes] | None = None
    #: What a fixture wants to remember about this server (a log path, the worker class).
    notes: dict[str, t.Any] = dataclasses.field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def request(self, path: str, method: str = "GET", headers: t.Mapping[str, str] | None = None) -> Reply:
        """One request on a fresh connection, as ``curl`` would send it."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, headers=dict(headers or {}))
            response = conn.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            conn.close()

    def get(self, path: str, **kwargs: t.Any) -> Reply:
        return self.request(path, "GET", **kwargs)

    def head(self, path: str, **kwargs: t.Any) -> Reply:
        return self.request(path, "HEAD", **kwargs)


def free_port(host: str = HOST) -> int:
    """A port nothing listens on right now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _answers(host: str, port: int) -> bool:
    conn = http.client.HTTPConnection(host, port, timeout=2)
    try:
        conn.request("HEAD", "/")
        conn.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        # A server still booting may reset the connection after accepting it.
        conn.close()


@contextlib.contextmanager
def subprocess_server(
    argv: t.Sequence[str],
    *,
    cwd: str | os.PathLike[str] = ROOT,
    env: t.Mapping[str, str] | None = None,
    host: str = HOST,
) -> t.Iterator[Server]:
    """Run ``argv`` (``{host}`` and ``{port}`` filled in) until it answers HTTP; stop it afterwards.

    Its output goes to a temporary file that is shown if it dies or never answers.
    """
    port = free_port(host)
    args = [a.format(host=host, port=port) for a in argv]
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(args, cwd=cwd, env=full_env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not _answers(host, port):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"{' '.join(args)} did not start:\n{log.read().decode(errors='replace')}")
                time.sleep(0.05)
            yield Server(host, port, process)
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def gunicorn(app: str, *extra: str, worker_class: str = "sync", **kwargs: t.Any) -> t.ContextManager[Server]:
    """``gunicorn APP`` on a free loopback port with one worker of ``worker_class``.

    gthread gets two threads; a sync worker must get none, or gunicorn quietly makes it gthread.
    """
    pytest.importorskip("gunicorn", reason="gunicorn is not installed (extra [test])")
    threads = ["--threads", "2"] if worker_class == "gthread" else []
    argv = [
        sys.executable, "-m", "gunicorn", app,
        "--bind", "{host}:{port}", "--workers", "1", "--worker-class", worker_class, *threads,
        "--graceful-timeout", "2", "--log-level", "warning", *extra,
    ]  # fmt: skip
    return subprocess_server(argv, **kwargs)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: t.Any) -> None:
        pass


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    block_on_close = True


@contextlib.contextmanager
def wsgi_server(app: WSGIApplication, host: str = HOST) -> t.Iterator[Server]:
    """``app`` on wsgiref's server, one thread per request, in this process."""
    httpd = make_server(host, 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Server(host, int(httpd.server_address[1]))
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


@functools.lru_cache(maxsize=None)
def plain_answer(path: str, method: str = "GET") -> Reply:
    """What the plain WSGI ``FopMiddleware`` over a static app of ``examples/media/`` answers.

    Cached: the files do not change during a run, and each answer is compared many times.
    """
    from werkzeug.test import Client

    from fop_middleware.middleware import FopMiddleware
    from fop_middleware.serve import static_app

    response = Client(FopMiddleware(static_app(str(MEDIA)))).open(path, method=method)
    try:
        return Reply(response.status_code, response.headers, response.get_data())
    finally:
        response.close()


def assert_fop_answer(reply: Reply, expected: Reply, *, head: bool = False) -> None:
    """``reply`` is the fop answer ``expected`` (a GET's) is: same status, JSON, headers; HEAD has no body."""
    assert reply.status == expected.status, reply.body[:300]
    assert reply.body == (b"" if head else expected.body)
    assert reply.header("Content-Type") == JSON_CONTENT_TYPE
    assert reply.header("Cache-Control") == "no-store"
    assert reply.header("X-Content-Type-Options") == "nosniff"
    assert reply.header("Content-Length") == str(len(expected.body))
