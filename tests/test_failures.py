"""Issue 8: the wrapped app's own exceptions on a fop request answer JSON and are logged.

Before, an app that raised on ``/photo.jpg?exif`` sent the server's HTML 500 (or, in the
body iterator, a 599 blaming the file operation, or a 400 when the backend turned the
app's ``ValueError`` into "corrupt image file"). A plain request still propagates.
"""

from __future__ import annotations

import logging
import typing as t

import pytest
from werkzeug.test import Client, create_environ

from fop_middleware import FopMiddleware
from fop_middleware.errors import FopError

from conftest import FILES

PHOTO = (FILES / "photo.jpg").read_bytes()
SERVER_ERROR = {"code": 500, "error": "server error"}
SECRET = "/srv/secret/photo.jpg"


class Boom(Exception):
    pass


class Closing:
    """A body of ``chunks`` that raises ``fail_at`` (a chunk index) and counts its close() calls."""

    def __init__(self, chunks: t.Sequence[bytes], fail_at: int | None = None, close_raises: bool = False, error: type[Exception] = Boom) -> None:
        self.chunks = chunks
        self.fail_at = fail_at
        self.close_raises = close_raises
        self.error = error
        self.closes = 0

    def __iter__(self) -> t.Iterator[bytes]:
        for i, chunk in enumerate(self.chunks):
            if i == self.fail_at:
                # A FopError's message goes to the client by contract: it gets none here.
                raise self.error() if issubclass(self.error, FopError) else self.error(SECRET)
            yield chunk

    def close(self) -> None:
        self.closes += 1
        if self.close_raises:
            raise Boom(SECRET)


class FailingApp:
    """A WSGI app failing in one of the ways PEP 3333 leaves open."""

    def __init__(self, how: str) -> None:
        self.how = how
        self.body: Closing | None = None

    def __call__(self, environ: dict[str, t.Any], start_response: t.Any) -> t.Iterable[bytes]:
        how = self.how
        if how == "before-start_response":
            raise Boom(SECRET)
        status = {"bad-status": "OK 200", "empty-status": ""}.get(how, "200 OK")
        if how != "lazy-start_response":
            start_response(status, [("Content-Type", "image/jpeg")])
        if how == "after-start_response":
            raise Boom(SECRET)
        halves = [PHOTO[:1000], PHOTO[1000:]]
        if how == "lazy-start_response":
            self.body = Closing(halves, fail_at=0)
        elif how == "first-chunk":
            self.body = Closing(halves, fail_at=0)
        elif how == "later-chunk":
            self.body = Closing(halves, fail_at=1)
        elif how == "later-chunk-valueerror":
            self.body = Closing(halves, fail_at=1, error=ValueError)
        elif how == "close":
            self.body = Closing(halves, close_raises=True)
        else:
            self.body = Closing(halves)
        return self.body


FAILURES = [
    pytest.param("before-start_response", id="before-start_response"),
    pytest.param("after-start_response", id="after-start_response"),
    pytest.param("lazy-start_response", id="body-raises-before-start_response"),
    pytest.param("first-chunk", id="body-raises-on-first-chunk"),
    pytest.param("later-chunk", id="body-raises-while-spooled"),
    pytest.param("later-chunk-valueerror", id="body-valueerror-while-spooled"),
    pytest.param("close", id="close-raises"),
    pytest.param("bad-status", id="malformed-status"),
    pytest.param("empty-status", id="empty-status"),
]


@pytest.fixture(params=["libexif", "test-exif"])
def backends(request: pytest.FixtureRequest, clean_registry: None, test_backends: t.Any) -> dict[str, list[str]]:
    """The real pure-Python reader (which turns a ValueError into a 400) and the test one."""
    return {"exif": [request.param]}


@pytest.mark.parametrize("how", FAILURES)
def test_app_failure_on_a_fop_request_is_a_500_json(how: str, backends: t.Any, caplog: pytest.LogCaptureFixture) -> None:
    app = FailingApp(how)
    with caplog.at_level(logging.ERROR, logger="fop_middleware"):
        response = Client(FopMiddleware(app, backends=backends)).get("/photo.jpg?exif", buffered=True)
    assert response.status_code == 500
    assert response.json == SERVER_ERROR
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert SECRET not in response.get_data(as_text=True) and "Traceback" not in response.get_data(as_text=True)
    failure = [r for r in caplog.records if "wrapped app failed" in r.getMessage()]
    assert len(failure) == 1 and failure[0].exc_info is not None, "the traceback must reach the log"
    if app.body is not None:
        assert app.body.closes == 1


@pytest.mark.parametrize("how", ["before-start_response", "after-start_response", "close"])
def test_app_failure_on_a_head_fop_request_has_no_body(how: str, test_backends: t.Any) -> None:
    response = Client(FopMiddleware(FailingApp(how), backends=test_backends)).head("/photo.jpg?exif", buffered=True)
    assert (response.status_code, response.data) == (500, b"")
    assert response.headers["Content-Length"] == str(len(b'{"code":500,"error":"server error"}'))


@pytest.mark.parametrize("how", ["before-start_response", "after-start_response", "first-chunk"])
def test_plain_requests_keep_the_servers_behaviour(how: str, test_backends: t.Any) -> None:
    with pytest.raises(Boom):
        Client(FopMiddleware(FailingApp(how), backends=test_backends)).get("/photo.jpg", buffered=True)


def test_close_raising_after_a_passthrough_is_the_servers_business(test_backends: t.Any) -> None:
    """A redirect goes back as the app made it; its close() runs under the server, once."""
    body = Closing([b"moved"], close_raises=True)

    def app(environ: t.Any, start_response: t.Any) -> Closing:
        start_response("302 Found", [("Location", "/elsewhere.jpg")])
        return body

    result = FopMiddleware(app, backends=test_backends)(create_environ("/photo.jpg", query_string="exif"), lambda *a: None)
    assert b"".join(result) == b"moved"
    with pytest.raises(Boom):
        result.close()  # type: ignore[attr-defined]
    result.close()  # type: ignore[attr-defined]
    assert body.closes == 1


def test_a_fop_aware_body_error_keeps_its_own_answer(test_backends: t.Any) -> None:
    """A FopError from the body (FlaskFop's unservable X-Sendfile) is a deliberate 599, not an app crash."""
    from fop_middleware.errors import ExtractorFailure

    def app(environ: t.Any, start_response: t.Any) -> Closing:
        start_response("200 OK", [("Content-Type", "image/jpeg")])
        return Closing([PHOTO[:10], PHOTO[10:]], fail_at=0, error=ExtractorFailure)

    response = Client(FopMiddleware(app, backends=test_backends)).get("/photo.jpg?exif", buffered=True)
    assert (response.status_code, response.json) == (599, {"code": 599, "error": "server failed to process the file"})
