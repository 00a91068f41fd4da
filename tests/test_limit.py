"""The per-process bound on concurrent extractions, with real threads and a real server."""

from __future__ import annotations

import http.client
import json
import socketserver
import threading
import time
import typing as t
import wsgiref.simple_server

import pytest

from fop_middleware import FopMiddleware, registry
from fop_middleware.core import FopCore
from fop_middleware.extractor import Extractor, Source
from fop_middleware.errors import ServiceBusy
from fop_middleware.limit import ExtractionLimiter, default_slots

#: Opened by a test to let the blocked extractions finish.
release = threading.Event()
started = threading.Semaphore(0)


class Blocking(Extractor):
    """An extraction that holds its slot until the test releases it."""

    name = "test-blocking"
    operation = "avinfo"

    def extract(self, source: Source) -> dict[str, t.Any]:
        started.release()
        release.wait(10)
        return {"format": {"filename": source.name}}


def test_default_slots() -> None:
    assert 1 <= default_slots() <= 4
    assert default_slots(1) == 1
    assert default_slots(2) == 1, "one thread is kept for plain requests"
    assert default_slots(64) <= 64


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"max_extractions": 0}, id="zero"),
        pytest.param({"max_extractions": True}, id="bool"),
        pytest.param({"max_extractions": 1.5}, id="float"),
        pytest.param({"extraction_wait": -1}, id="negative-wait"),
    ],
)
def test_bad_options_fail_at_init(options: dict[str, t.Any]) -> None:
    with pytest.raises(ValueError):
        FopCore(**options)


def test_limiter_waits_then_refuses() -> None:
    limiter = ExtractionLimiter(1, wait=0.2)
    with limiter.slot():
        start = time.monotonic()
        with pytest.raises(ServiceBusy) as info:
            with limiter.slot():
                pass
        assert 0.2 <= time.monotonic() - start < 0.7
        assert info.value.status == 503 and info.value.headers == [("Retry-After", "1")]
    with limiter.slot():
        assert limiter.busy == 1
    assert limiter.busy == 0


class ThreadingServer(socketserver.ThreadingMixIn, wsgiref.simple_server.WSGIServer):
    daemon_threads = True


class Quiet(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, *args: t.Any) -> None:
        pass


@pytest.fixture
def server(clean_registry: None) -> t.Iterator[int]:
    """A threaded wsgiref server on a free port: plain GETs and ``?avinfo`` through the middleware."""
    registry.register("test-blocking", Blocking, clobber=True)

    def app(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", "12")])
        return [b"RIFF\x00\x00\x00\x00WAVE"]

    wrapped = FopMiddleware(app, backends={"avinfo": ["test-blocking"]}, max_extractions=2, extraction_wait=0.3)
    httpd = wsgiref.simple_server.make_server("127.0.0.1", 0, wrapped, ThreadingServer, Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    release.clear()
    try:
        yield httpd.server_port
    finally:
        release.set()
        httpd.shutdown()
        httpd.server_close()


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_past_the_bound_a_503_and_plain_requests_still_served(server: int) -> None:
    answers: list[int] = []
    holders = [threading.Thread(target=lambda: answers.append(get(server, "/a.wav?avinfo")[0])) for _ in range(2)]
    for holder in holders:
        holder.start()
    for _ in holders:
        assert started.acquire(timeout=5), "both slots taken"
    start = time.monotonic()
    status, headers, body = get(server, "/b.wav?avinfo")
    waited = time.monotonic() - start
    assert status == 503 and headers["Retry-After"] == "1"
    assert json.loads(body) == {"code": 503, "error": "too many file operations at once; retry later"}
    assert 0.3 <= waited < 2.0, "a bounded wait"
    start = time.monotonic()
    assert get(server, "/plain.wav")[0] == 200
    assert time.monotonic() - start < 0.5, "a plain GET does not queue behind the extractions"
    release.set()
    for holder in holders:
        holder.join(5)
    assert answers == [200, 200]
    assert get(server, "/c.wav?avinfo")[0] == 200, "slots are given back"
