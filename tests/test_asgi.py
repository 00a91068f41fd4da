"""``FopASGIMiddleware`` driven in process with raw ASGI messages, with the test backends."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import pathlib
import time
import typing as t

import pytest

from conftest import FILES, TEST_EXIF_READ, FakeExif
from fop_middleware import asgi, registry
from fop_middleware.asgi import SCOPE_OP, FopASGIMiddleware
from fop_middleware.extractor import Source

PHOTO = FILES / "photo.jpg"
KIB = 1024


class Exchange(t.NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes
    messages: list[dict[str, t.Any]]

    def json(self) -> t.Any:
        return json.loads(self.body)


def make_scope(target: str, method: str = "GET", headers: t.Sequence[tuple[str, str]] = (), extensions: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
    path, _, query = target.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "extensions": extensions if extensions is not None else {},
    }


async def call(app: t.Any, target: str, method: str = "GET", *, disconnect_at_once: bool = False, **kwargs: t.Any) -> Exchange:
    """One request as uvicorn makes it: ``receive`` gives the request, then a disconnect once answered."""
    scope = make_scope(target, method, **kwargs)
    sent: list[dict[str, t.Any]] = []
    answered = asyncio.Event()
    requested = False

    async def receive() -> dict[str, t.Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        if not disconnect_at_once:
            await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, t.Any]) -> None:
        sent.append(message)
        if message["type"] in ("http.response.body", "http.response.pathsend") and not message.get("more_body", False):
            answered.set()

    await app(scope, receive, send)
    start = sent[0]
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent[1:] if m["type"] == "http.response.body")
    return Exchange(start["status"], headers, body, sent)


def run(coro: t.Awaitable[Exchange]) -> Exchange:
    return asyncio.run(asyncio.wait_for(coro, 20))  # type: ignore[arg-type]


class StreamApp:
    """Streams ``data`` in ``chunk``-byte messages; counts them and records that it finished."""

    def __init__(self, data: bytes, chunk: int = 64 * KIB, status: int = 200, headers: t.Sequence[tuple[bytes, bytes]] = ()) -> None:
        self.data = data
        self.chunk = chunk
        self.status = status
        self.headers = list(headers)
        self.chunks_sent = 0
        self.finished = 0
        self.scope: dict[str, t.Any] | None = None

    async def __call__(self, scope: dict[str, t.Any], receive: t.Any, send: t.Any) -> None:
        self.scope = scope
        try:
            await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
            for i in range(0, len(self.data), self.chunk):
                self.chunks_sent += 1
                await send({"type": "http.response.body", "body": self.data[i : i + self.chunk], "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            self.finished += 1


class PathApp:
    """Sends ``path`` with ``http.response.pathsend`` when offered, else its bytes."""

    def __init__(self, path: pathlib.Path, status: int = 200, headers: t.Sequence[tuple[bytes, bytes]] = ()) -> None:
        self.path = path
        self.status = status
        self.headers = list(headers)
        self.used_pathsend: bool | None = None
        self.scope: dict[str, t.Any] | None = None

    async def __call__(self, scope: dict[str, t.Any], receive: t.Any, send: t.Any) -> None:
        self.scope = scope
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        self.used_pathsend = "http.response.pathsend" in scope.get("extensions", {})
        if self.used_pathsend:
            await send({"type": "http.response.pathsend", "path": str(self.path)})
        else:
            await send({"type": "http.response.body", "body": self.path.read_bytes()})


@pytest.mark.parametrize(
    ("method", "target"),
    [
        pytest.param("GET", "/photo.jpg", id="no-query"),
        pytest.param("POST", "/photo.jpg?exif", id="post"),
        pytest.param("GET", "/photo.jpg?exif=1", id="exif=1"),
        pytest.param("GET", "/photo.jpg?foo&exif", id="not-first"),
    ],
)
def test_other_requests_reach_the_app_untouched(test_backends: t.Any, method: str, target: str) -> None:
    seen: list[tuple[t.Any, ...]] = []

    async def app(scope: t.Any, receive: t.Any, send: t.Any) -> None:
        seen.append((scope, receive, send))

    async def main() -> None:
        scope = make_scope(target, method)
        receive, send = object(), object()
        await FopASGIMiddleware(app, backends=test_backends)(scope, receive, send)  # type: ignore[arg-type]
        assert seen == [(scope, receive, send)]

    asyncio.run(main())


def test_lifespan_reaches_the_app_untouched(test_backends: t.Any) -> None:
    seen: list[t.Any] = []

    async def app(scope: t.Any, receive: t.Any, send: t.Any) -> None:
        seen.append(scope)

    scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
    asyncio.run(FopASGIMiddleware(app, backends=test_backends)(scope, None, None))  # type: ignore[arg-type]
    assert seen == [scope]


def test_inner_scope_is_a_plain_get_offering_pathsend(test_backends: t.Any) -> None:
    app = PathApp(PHOTO)
    headers = [("Range", "bytes=0-9"), ("If-None-Match", '"x"'), ("Accept-Encoding", "gzip"), ("X-Keep", "1")]
    extensions = {"http.response.zerocopy": {}, "http.response.trailers": {}, "tls": {}}
    outer = make_scope("/a/photo.jpg?exif&token=ok", "HEAD", headers=headers, extensions=extensions)
    snapshot = repr(outer)
    seen: list[dict[str, t.Any]] = []

    async def outer_app(scope: t.Any, receive: t.Any, send: t.Any) -> None:
        seen.append(scope)
        await FopASGIMiddleware(app, backends=test_backends)(scope, receive, send)

    reply = run(call(outer_app, "/a/photo.jpg?exif&token=ok", "HEAD", headers=headers, extensions=extensions))
    assert repr(seen[0]) == snapshot, "the scope outer middleware holds is left as it was"
    inner = app.scope
    assert inner is not None
    assert inner["method"] == "GET"
    assert inner["query_string"] == b"token=ok"
    assert inner["headers"] == [(b"x-keep", b"1")]
    assert set(inner["extensions"]) == {"tls", "http.response.pathsend"}
    assert inner[SCOPE_OP] == "exif"
    assert reply.status == 200 and reply.body == b""


def test_pathsend_file_is_read_in_place(test_backends: t.Any) -> None:
    app = PathApp(PHOTO)
    reply = run(call(FopASGIMiddleware(app, backends=test_backends), "/a/photo.jpg?exif"))
    assert app.used_pathsend is True
    assert reply.status == 200
    assert reply.json() == {"name": "photo.jpg", "size": PHOTO.stat().st_size, "has_path": True, "read": min(TEST_EXIF_READ, PHOTO.stat().st_size), "text": "Café ✓"}
    assert reply.headers == {
        "content-type": "application/json; charset=utf-8",
        "content-length": str(len(reply.body)),
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
    }


def test_streamed_body_is_pulled_only_as_far_as_the_backend_reads(test_backends: t.Any) -> None:
    starlette = pytest.importorskip("starlette.responses", reason="Starlette is not installed (extra [test])")
    data = PHOTO.read_bytes() + bytes(4 * KIB * KIB)
    chunk = 4 * KIB
    yielded: list[int] = []
    closed: list[bool] = []

    async def chunks() -> t.AsyncIterator[bytes]:
        try:
            for i in range(0, len(data), chunk):
                yielded.append(i)
                yield data[i : i + chunk]
        finally:
            closed.append(True)

    app = starlette.StreamingResponse(chunks(), headers={"content-length": str(len(data))})
    reply = run(call(FopASGIMiddleware(app, backends=test_backends), "/photo.jpg?exif"))
    assert reply.status == 200
    assert reply.json()["size"] == len(data) and reply.json()["has_path"] is False
    # The backend reads 16 KiB (5 messages); one more waits in the outbox, and the app
    # sends a few into the void before it hears of the disconnect. The body has 1025.
    assert len(yielded) <= TEST_EXIF_READ // chunk + 6
    assert closed == [True]


def test_raw_app_streaming_into_the_void_still_finishes(test_backends: t.Any) -> None:
    app = StreamApp(PHOTO.read_bytes() + bytes(KIB * KIB), chunk=4 * KIB)
    reply = run(call(FopASGIMiddleware(app, backends=test_backends), "/photo.jpg?exif"))
    assert reply.status == 200 and reply.json()["name"] == "photo.jpg"
    assert app.finished == 1


def test_head_has_the_get_headers_and_no_body(test_backends: t.Any) -> None:
    mw = FopASGIMiddleware(PathApp(PHOTO), backends=test_backends)
    get, head = run(call(mw, "/photo.jpg?exif")), run(call(mw, "/photo.jpg?exif", "HEAD"))
    assert head.status == get.status == 200
    assert head.headers == get.headers and head.body == b"" and get.body


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        pytest.param(404, 404, "no such file", id="404"),
        pytest.param(403, 403, "forbidden", id="403"),
        pytest.param(500, 500, "server error", id="500"),
    ],
)
def test_app_errors_become_json(test_backends: t.Any, status: int, code: int, error: str) -> None:
    app = StreamApp(b"<html>secret page</html>", status=status)
    reply = run(call(FopASGIMiddleware(app, backends=test_backends), "/photo.jpg?exif"))
    assert (reply.status, reply.json()) == (code, {"code": code, "error": error})
    assert app.finished == 1


def test_401_keeps_www_authenticate(test_backends: t.Any) -> None:
    app = StreamApp(b"no", status=401, headers=[(b"www-authenticate", b'Bearer realm="x"'), (b"x-other", b"1")])
    reply = run(call(FopASGIMiddleware(app, backends=test_backends), "/photo.jpg?avinfo"))
    assert reply.status == 401
    assert reply.headers["www-authenticate"] == 'Bearer realm="x"' and "x-other" not in reply.headers


@pytest.mark.parametrize("when", ["before-head", "after-head", "mid-body", "no-response"])
def test_app_exception_on_a_fop_request_is_json_500_and_logged(test_backends: t.Any, caplog: pytest.LogCaptureFixture, when: str) -> None:
    async def app(scope: t.Any, receive: t.Any, send: t.Any) -> None:
        if when == "no-response":
            return
        if when != "before-head":
            await send({"type": "http.response.start", "status": 200, "headers": []})
        if when == "mid-body":
            await send({"type": "http.response.body", "body": b"\xff\xd8", "more_body": True})
        raise RuntimeError("failed reading /srv/secret/photo.jpg")

    with caplog.at_level(logging.ERROR, "fop_middleware"):
        reply = run(call(FopASGIMiddleware(app, backends=test_backends), "/photo.jpg?exif"))
    assert (reply.status, reply.json()) == (500, {"code": 500, "error": "server error"})
    assert b"secret" not in reply.body
    expected = "returned without a response" if when == "no-response" else "/srv/secret/photo.jpg"
    assert expected in caplog.text


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_redirect_is_passed_through(test_backends: t.Any, method: str) -> None:
    app = StreamApp(b"moved", chunk=2, status=302, headers=[(b"location", b"/new.jpg"), (b"content-length", b"5")])
    reply = run(call(FopASGIMiddleware(app, backends=test_backends), "/old.jpg?exif", method))
    assert reply.status == 302 and reply.headers == {"location": "/new.jpg", "content-length": "5"}
    assert reply.body == (b"" if method == "HEAD" else b"moved")
    assert app.finished == 1


@pytest.mark.parametrize("server_has_pathsend", [True, False])
def test_passed_through_path_goes_to_the_server_as_it_can_take_it(test_backends: t.Any, server_has_pathsend: bool) -> None:
    app = PathApp(PHOTO, status=300, headers=[(b"content-type", b"image/jpeg")])
    extensions = {"http.response.pathsend": {}} if server_has_pathsend else {}
    reply = run(call(FopASGIMiddleware(app, backends=test_backends), "/choices?exif", extensions=extensions))
    assert reply.status == 300
    if server_has_pathsend:
        assert reply.messages[1] == {"type": "http.response.pathsend", "path": str(PHOTO)}
    else:
        assert reply.body == PHOTO.read_bytes()
        assert all(m["type"] == "http.response.body" for m in reply.messages[1:])


def test_client_that_leaves_stops_the_app(test_backends: t.Any, caplog: pytest.LogCaptureFixture) -> None:
    starlette = pytest.importorskip("starlette.responses", reason="Starlette is not installed (extra [test])")
    closed: list[bool] = []

    async def chunks() -> t.AsyncIterator[bytes]:
        try:
            yield PHOTO.read_bytes()[:100]
            for _ in range(1000):
                await asyncio.sleep(0.01)
                yield b"x" * KIB
        finally:
            closed.append(True)

    app = starlette.StreamingResponse(chunks())
    began = time.monotonic()
    with caplog.at_level(logging.INFO, "fop_middleware"):
        reply = run(call(FopASGIMiddleware(app, backends=test_backends), "/photo.jpg?exif", disconnect_at_once=True))
    assert time.monotonic() - began < 5
    assert "the client left" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "a client leaving is not a server error"
    assert (reply.status, reply.json()) == (599, {"code": 599, "error": "the client left"})


def test_app_that_never_returns_is_cancelled(test_backends: t.Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asgi, "APP_GRACE", 0.2)
    cancelled: list[bool] = []

    async def app(scope: t.Any, receive: t.Any, send: t.Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": PHOTO.read_bytes()})
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    began = time.monotonic()
    reply = run(call(FopASGIMiddleware(app, backends=test_backends), "/photo.jpg?exif"))
    assert reply.status == 200 and cancelled == [True]
    assert time.monotonic() - began < 5


def test_body_that_stalls_times_out(test_backends: t.Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asgi, "APP_GRACE", 0.2)

    async def app(scope: t.Any, receive: t.Any, send: t.Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": PHOTO.read_bytes()[:100], "more_body": True})
        await asyncio.sleep(3600)

    reply = run(call(FopASGIMiddleware(app, backends=test_backends, timeout=0.3), "/photo.jpg?exif"))
    assert (reply.status, reply.json()) == (599, {"code": 599, "error": "file operation timed out"})


class SlowExif(FakeExif):
    name = "test-slow-exif"

    def extract(self, source: Source) -> dict[str, t.Any]:
        time.sleep(0.5)
        return super().extract(source)


def test_extraction_does_not_block_the_event_loop(test_backends: t.Any) -> None:
    registry.register(SlowExif.name, SlowExif, clobber=True)
    mw = FopASGIMiddleware(StreamApp(PHOTO.read_bytes()), backends={"exif": [SlowExif.name]})
    ticks = 0

    async def ticker(stop: asyncio.Event) -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    async def main() -> Exchange:
        stop = asyncio.Event()
        task = asyncio.ensure_future(ticker(stop))
        try:
            return await call(mw, "/photo.jpg?exif")
        finally:
            stop.set()
            await task

    reply = run(main())
    assert reply.status == 200 and reply.json()["name"] == "photo.jpg"
    # 0.5 s of extraction: a blocked loop would tick once or twice.
    assert ticks >= 20


def test_app_reading_through_the_default_executor_is_not_starved(test_backends: t.Any) -> None:
    """The extraction once ran in the loop's default executor, where it waited for chunks that
    an app reading its file with ``run_in_executor(None, ...)`` (as aiofiles does) could then
    not read: with every default thread taken, each request hung until its timeout."""

    async def app(scope: t.Any, receive: t.Any, send: t.Any) -> None:
        loop = asyncio.get_running_loop()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        with PHOTO.open("rb") as f:
            while data := await loop.run_in_executor(None, f.read, 100):
                await send({"type": "http.response.body", "body": data, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def main() -> Exchange:
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as one:
            asyncio.get_running_loop().set_default_executor(one)
            return await call(FopASGIMiddleware(app, backends=test_backends, timeout=3), "/photo.jpg?exif")

    reply = run(main())
    assert reply.status == 200 and reply.json()["name"] == "photo.jpg"


@pytest.mark.parametrize(
    ("status", "path", "code"),
    [
        pytest.param(404, PHOTO, 404, id="404-page-as-a-path"),
        pytest.param(404, FILES / "gone.html", 404, id="404-page-path-missing"),
        pytest.param(200, FILES / "gone.jpg", 599, id="200-path-missing"),
    ],
)
def test_path_is_opened_only_for_a_file_to_read(test_backends: t.Any, status: int, path: pathlib.Path, code: int) -> None:
    reply = run(call(FopASGIMiddleware(PathApp(path, status=status), backends=test_backends), "/photo.jpg?exif"))
    assert reply.status == code and reply.json()["code"] == code
    assert str(FILES) not in reply.body.decode()
