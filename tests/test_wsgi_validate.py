"""wsgiref.validate around the middleware (and around the wrapped app) on every path."""

from __future__ import annotations

import typing as t
import wsgiref.util
from wsgiref.validate import validator

import pytest
from werkzeug.test import create_environ

from fop_middleware import FopMiddleware

from conftest import FILES

pytestmark = pytest.mark.filterwarnings("error")

PHOTO = (FILES / "photo.jpg").read_bytes()


class Body:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.closes = 0

    def __iter__(self) -> t.Iterator[bytes]:
        yield self.data[:100]
        yield self.data[100:]

    def close(self) -> None:
        self.closes += 1


def app_for(kind: str) -> t.Any:
    """A wrapped app for each kind of answer the middleware must handle."""

    def app(environ: dict[str, t.Any], start_response: t.Any) -> t.Any:
        if kind == "file":
            start_response("200 OK", [("Content-Type", "image/jpeg")])
            return environ["wsgi.file_wrapper"](open(FILES / "photo.jpg", "rb"))
        if kind == "spool":
            start_response("200 OK", [("Content-Type", "image/jpeg")])
            return Body(PHOTO)
        if kind == "write":
            start_response("200 OK", [("Content-Type", "image/jpeg")])(PHOTO[:50])
            return Body(PHOTO[50:])
        if kind == "text":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return Body(b"just text, no image here")
        if kind == "redirect":
            start_response("302 Found", [("Content-Type", "text/plain"), ("Location", "/b.jpg")])
            return Body(b"moved")
        if kind == "401":
            start_response("401 Unauthorized", [("Content-Type", "text/plain"), ("WWW-Authenticate", "Basic")])
            return Body(b"who are you")
        if kind == "404":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return Body(b"nope")
        raise AssertionError(kind)

    return app


def run(app: t.Any, query: str, method: str = "GET") -> tuple[str, dict[str, str], bytes]:
    """Drive ``app`` like a server: start_response, iterate, close; the validator checks each step."""
    environ = create_environ("/a/photo.jpg", method=method, query_string=query)
    environ["wsgi.file_wrapper"] = wsgiref.util.FileWrapper
    got: list[t.Any] = []
    app_iter = app(environ, lambda status, headers, exc_info=None: got.append((status, headers)) or (lambda b: None))
    try:
        body = b"".join(app_iter)
    finally:
        app_iter.close()
    status, headers = got[-1]
    return status, dict(headers), body


CASES = [
    pytest.param("file", "exif", "GET", "200", id="file-success"),
    pytest.param("file", "exif", "HEAD", "200", id="file-head"),
    pytest.param("spool", "exif", "GET", "200", id="spool-success"),
    pytest.param("write", "exif", "GET", "200", id="write-callable"),
    pytest.param("text", "exif", "GET", "400", id="400"),
    pytest.param("404", "exif", "GET", "404", id="404"),
    pytest.param("401", "avinfo", "GET", "401", id="401"),
    pytest.param("redirect", "exif", "GET", "302", id="3xx"),
    pytest.param("redirect", "exif", "HEAD", "302", id="3xx-head"),
    pytest.param("file", "", "GET", "200", id="passthrough"),
    pytest.param("spool", "exif=1", "GET", "200", id="passthrough-query"),
]


@pytest.mark.parametrize(("kind", "query", "method", "status"), CASES)
def test_outer_validator(test_backends: t.Any, kind: str, query: str, method: str, status: str) -> None:
    app = validator(FopMiddleware(app_for(kind), backends=test_backends))
    got, headers, body = run(app, query, method)
    assert got.startswith(status)
    if query in ("exif", "avinfo") and status != "302":
        assert headers["Content-Type"] == "application/json; charset=utf-8"
        assert body == b"" if method == "HEAD" else len(body) == int(headers["Content-Length"])


@pytest.mark.parametrize(("kind", "query", "method", "status"), CASES)
def test_validator_on_both_sides(test_backends: t.Any, kind: str, query: str, method: str, status: str) -> None:
    """The inner environ must be a valid WSGI environ too, and the app's iterator closed."""
    app = validator(FopMiddleware(validator(app_for(kind)), backends=test_backends))
    got, _, _ = run(app, query, method)
    assert got.startswith(status)


def test_backend_crash_under_validator(test_backends: t.Any) -> None:
    app = validator(FopMiddleware(validator(app_for("file")), backends={"exif": ["test-crash"]}))
    got, headers, body = run(app, "exif")
    assert got == "599 File Operation Failed"
    assert body == b'{"code":599,"error":"server failed to process the file"}'
