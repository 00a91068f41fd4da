"""FopMiddleware driven through werkzeug's test client: issue 2, bullet by bullet."""

from __future__ import annotations

import json
import logging
import pathlib
import random
import shutil
import sys
import typing as t
import wsgiref.util

import pytest
import werkzeug.wsgi
from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.test import Client, create_environ

from fop_middleware import FopMiddleware
from fop_middleware.body import FileWrapper
from fop_middleware.middleware import ENVIRON_OP

from conftest import FILES, TEST_EXIF_READ, CountingFile, require_backend, send_file_app, webob_file_iter

KIB = 1024
NEEDS_FFPROBE = pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe (Debian ffmpeg) not installed")
JSON_HEADERS = {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


class Body:
    """A non-file response body that counts the chunks pulled from it and its close() calls."""

    def __init__(self, data: bytes, chunk: int = KIB) -> None:
        self.chunks = [data[i : i + chunk] for i in range(0, len(data), chunk)]
        self.pulled = 0
        self.closes = 0

    def __iter__(self) -> t.Iterator[bytes]:
        for chunk in self.chunks:
            self.pulled += 1
            yield chunk

    def close(self) -> None:
        self.closes += 1


class App:
    """A WSGI app answering every request with one status, headers and body; remembers the environ."""

    def __init__(self, body: t.Any = None, status: str = "200 OK", headers: t.Sequence[tuple[str, str]] = ()) -> None:
        self.body = body
        self.status = status
        self.headers = list(headers) or [("Content-Type", "application/octet-stream")]
        self.environ: dict[str, t.Any] = {}
        self.calls = 0

    def __call__(self, environ: dict[str, t.Any], start_response: t.Any) -> t.Any:
        self.calls += 1
        self.environ = environ
        start_response(self.status, list(self.headers))
        return self.body


def wrappers() -> list[t.Any]:
    return [
        pytest.param(wsgiref.util.FileWrapper, id="wsgiref-filelike"),
        pytest.param(werkzeug.wsgi.FileWrapper, id="werkzeug-file"),
        webob_file_iter(),
        pytest.param(None, id="environ-file_wrapper"),
    ]


class FileApp:
    """Serves one file through a file wrapper, as a static-file app does."""

    def __init__(self, path: pathlib.Path, wrapper: t.Any = None, headers: t.Sequence[tuple[str, str]] = ()) -> None:
        self.path = path
        self.wrapper = wrapper
        self.headers = list(headers)
        self.files: list[CountingFile] = []

    def __call__(self, environ: dict[str, t.Any], start_response: t.Any) -> t.Any:
        f = CountingFile(self.path)
        self.files.append(f)
        start_response("200 OK", [("Content-Type", "image/jpeg"), ("ETag", '"abc"'), *self.headers])
        wrap = self.wrapper or environ["wsgi.file_wrapper"]
        return wrap(f)


def get(app: t.Any, url: str, method: str = "GET", **kwargs: t.Any) -> t.Any:
    """The response, buffered so that the body's close() has run."""
    return Client(app).open(url, method=method, buffered=True, **kwargs)


def assert_json_headers(response: t.Any) -> None:
    for name, value in JSON_HEADERS.items():
        assert response.headers[name] == value
    assert int(response.headers["Content-Length"]) == len(response.data) or response.request.method == "HEAD"


# Which requests are ours


@pytest.mark.parametrize(
    ("method", "query"),
    [
        pytest.param("POST", "exif", id="post"),
        pytest.param("PUT", "avinfo", id="put"),
        pytest.param("OPTIONS", "exif", id="options"),
        pytest.param("GET", "exif=1", id="with-value"),
        pytest.param("GET", "exif=", id="empty-value"),
        pytest.param("GET", "foo&exif", id="not-first"),
        pytest.param("GET", "", id="no-query"),
        pytest.param("GET", "EXIF", id="upper-case"),
        pytest.param("GET", "Avinfo", id="capitalised"),
        pytest.param("GET", "exifx", id="longer-name"),
        pytest.param("GET", "thumb", id="other-op"),
        pytest.param("HEAD", "e=1&exif", id="head-not-first"),
    ],
)
def test_other_requests_reach_the_app_untouched(test_backends: t.Any, method: str, query: str) -> None:
    body = Body(b"x")
    app = App(body)
    environ = create_environ("/photo.jpg", method=method, query_string=query, headers={"Range": "bytes=0-1"})
    started: list[t.Any] = []
    result = FopMiddleware(app, backends=test_backends)(environ, lambda *a: started.append(a))
    assert result is body
    assert app.environ is environ
    assert environ["QUERY_STRING"] == query and environ["REQUEST_METHOD"] == method
    assert environ["HTTP_RANGE"] == "bytes=0-1"
    assert ENVIRON_OP not in environ
    assert started == [("200 OK", [("Content-Type", "application/octet-stream")])]
    assert body.closes == 0, "closing a passed-through body is the server's job"


@pytest.mark.parametrize("wrapper", wrappers())
def test_untouched_file_wrapper_keeps_its_identity(test_backends: t.Any, wrapper: t.Any) -> None:
    """gunicorn only uses sendfile when it gets its own file_wrapper object back."""
    app = FileApp(FILES / "photo.jpg", wrapper)
    environ = create_environ("/photo.jpg")
    environ["wsgi.file_wrapper"] = wsgiref.util.FileWrapper
    result = FopMiddleware(app, backends=test_backends)(environ, lambda *a: None)
    assert result.__class__ is (wrapper or wsgiref.util.FileWrapper)
    app.files[0].close()


@pytest.mark.parametrize(
    ("method", "query", "op", "left"),
    [
        pytest.param("GET", "exif", "exif", "", id="exif"),
        pytest.param("HEAD", "exif", "exif", "", id="head"),
        pytest.param("GET", "avinfo", "avinfo", "", id="avinfo"),
        pytest.param("GET", "exif&e=1700000000&token=ak:sig", "exif", "e=1700000000&token=ak:sig", id="signed"),
        pytest.param("GET", "avinfo&&x", "avinfo", "&x", id="empty-component"),
    ],
)
def test_inner_request_is_a_plain_get(test_backends: t.Any, method: str, query: str, op: str, left: str) -> None:
    app = App(Body((FILES / "photo.jpg").read_bytes()))
    headers = {
        "Range": "bytes=0-10",
        "If-Range": '"abc"',
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT",
        "If-Match": '"abc"',
        "If-Unmodified-Since": "Sat, 01 Jan 2000 00:00:00 GMT",
        "Accept-Encoding": "gzip, br",
        "Authorization": "Bearer t0ken",
        "X-Forwarded-For": "10.0.0.1",
    }
    response = get(FopMiddleware(app, backends=test_backends), f"/a/photo.jpg?{query}", method=method, headers=headers)
    assert response.status_code in (200, 400)
    inner = app.environ
    assert inner["REQUEST_METHOD"] == "GET"
    assert inner["QUERY_STRING"] == left
    assert inner["PATH_INFO"] == "/a/photo.jpg"
    assert inner[ENVIRON_OP] == op
    assert inner["wsgi.file_wrapper"] is FileWrapper
    stripped = [k for k in inner if k in {"HTTP_RANGE", "HTTP_IF_RANGE", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_ACCEPT_ENCODING"}]
    assert stripped == []
    assert inner["HTTP_AUTHORIZATION"] == "Bearer t0ken"
    assert inner["HTTP_X_FORWARDED_FOR"] == "10.0.0.1"
    assert app.calls == 1


# The answer


def test_success_headers_and_compact_utf8_json(test_backends: t.Any) -> None:
    app = FileApp(FILES / "photo.jpg", headers=[("Set-Cookie", "a=b"), ("Access-Control-Allow-Origin", "*")])
    response = get(FopMiddleware(app, backends=test_backends), "/photo.jpg?exif")
    assert response.status_code == 200
    assert_json_headers(response)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    for dropped in ("ETag", "Set-Cookie", "Last-Modified"):
        assert dropped not in response.headers
    assert response.json["text"] == "Café ✓"
    assert "Café ✓".encode() in response.data, "non-ASCII must be kept as UTF-8, not escaped"
    assert response.data == json.dumps(response.json, ensure_ascii=False, separators=(",", ":")).encode()
    assert response.json["name"] == "photo.jpg"
    assert response.json["size"] == (FILES / "photo.jpg").stat().st_size


def test_head_has_get_headers_and_no_body(test_backends: t.Any) -> None:
    mw = FopMiddleware(FileApp(FILES / "photo.jpg"), backends=test_backends)
    got = get(mw, "/photo.jpg?exif")
    head = get(mw, "/photo.jpg?exif", method="HEAD")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers == got.headers
    assert int(head.headers["Content-Length"]) == len(got.data) > 0


def test_head_error_has_no_body(test_backends: t.Any) -> None:
    head = get(FopMiddleware(App([b"nope"], "404 Not Found"), backends=test_backends), "/x.jpg?exif", method="HEAD")
    assert head.status_code == 404
    assert head.data == b""
    assert head.headers["Content-Type"] == JSON_HEADERS["Content-Type"]


@pytest.fixture
def static_dir(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "dir").mkdir()
    for name in ("photo.jpg", "noexif.jpg", "notes.txt", "clip.mp4", "tone.wav"):
        (tmp_path / name).write_bytes((FILES / name).read_bytes())
    (tmp_path / "dir" / "my photoé.jpg").write_bytes((FILES / "photo.jpg").read_bytes())
    return tmp_path


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Range": "bytes=0-10"}, id="range"),
        pytest.param({"If-None-Match": "ETAG"}, id="if-none-match"),
        pytest.param({"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}, id="if-modified-since"),
        pytest.param({"If-Range": "ETAG", "Range": "bytes=5-"}, id="if-range"),
    ],
)
def test_range_and_conditionals_get_the_full_json(test_backends: t.Any, static_dir: pathlib.Path, headers: dict[str, str]) -> None:
    static = send_file_app(static_dir)
    etag = get(static, "/photo.jpg").headers["ETag"]
    headers = {k: v.replace("ETAG", etag) for k, v in headers.items()}
    plain = get(static, "/photo.jpg", headers=headers)
    assert plain.status_code in (206, 304), "the static app itself honours these headers"
    response = get(FopMiddleware(static, backends=test_backends), "/photo.jpg?exif", headers=headers)
    assert response.status_code == 200
    assert response.json["size"] == (static_dir / "photo.jpg").stat().st_size
    assert response.json["has_path"] is True


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        pytest.param("404 Not Found", 404, "no such file", id="404"),
        pytest.param("410 Gone", 404, "no such file", id="410"),
        pytest.param("403 Forbidden", 403, "forbidden", id="403"),
        pytest.param("500 Internal Server Error", 500, "server error", id="500"),
        pytest.param("503 Service Unavailable", 503, "service unavailable", id="503"),
        pytest.param("418 I'm a teapot", 418, "the file could not be served (HTTP 418)", id="418"),
    ],
)
def test_app_errors_become_json(test_backends: t.Any, status: str, code: int, error: str) -> None:
    body = Body(b"<html>server page with /srv/www/secret</html>")
    app = App(body, status, [("Content-Type", "text/html"), ("Access-Control-Allow-Origin", "https://a.example"), ("X-Secret", "1")])
    response = get(FopMiddleware(app, backends=test_backends), "/photo.jpg?exif")
    assert response.status_code == code
    assert response.json == {"code": code, "error": error}
    assert_json_headers(response)
    assert response.headers["Access-Control-Allow-Origin"] == "https://a.example"
    assert "X-Secret" not in response.headers
    assert body.closes == 1
    assert body.pulled == 0, "an error page is not read"


def test_401_keeps_www_authenticate(test_backends: t.Any) -> None:
    app = App([b"login"], "401 Unauthorized", [("Content-Type", "text/plain"), ("WWW-Authenticate", 'Bearer realm="files"')])
    response = get(FopMiddleware(app, backends=test_backends), "/photo.jpg?avinfo&token=bad")
    assert response.status_code == 401
    assert response.json == {"code": 401, "error": "unauthorized"}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="files"'
    assert app.environ["QUERY_STRING"] == "token=bad"


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_redirect_is_passed_through(test_backends: t.Any, method: str) -> None:
    body = Body(b"moved")
    headers = [("Content-Type", "text/plain"), ("Location", "/new.jpg?exif"), ("X-App", "1")]
    app = App(body, "302 Found", headers)
    response = get(FopMiddleware(app, backends=test_backends), "/old.jpg?exif", method=method)
    assert response.status_code == 302
    assert list(response.headers.items()) == headers
    assert response.data == (b"moved" if method == "GET" else b"")
    assert body.closes == 1


def test_text_file_for_exif_is_400(test_backends: t.Any) -> None:
    response = get(FopMiddleware(FileApp(FILES / "notes.txt"), backends=test_backends), "/notes.txt?exif")
    assert response.status_code == 400
    assert response.json == {"code": 400, "error": "unsupported file format for exif"}


def test_image_without_exif_is_exactly_no_exif_data(test_backends: t.Any) -> None:
    response = get(FopMiddleware(FileApp(FILES / "noexif.jpg"), backends=test_backends), "/noexif.jpg?exif")
    assert response.status_code == 400
    assert response.data == b'{"code":400,"error":"no exif data"}'


def test_random_bytes_for_avinfo_is_400(test_backends: t.Any) -> None:
    app = App(Body(bytes(range(256)) * 64))
    response = get(FopMiddleware(app, backends=test_backends), "/noise.bin?avinfo")
    assert response.status_code == 400
    assert response.json["code"] == 400


def test_empty_body_is_400(test_backends: t.Any) -> None:
    response = get(FopMiddleware(App([]), backends=test_backends), "/empty.jpg?exif")
    assert response.json == {"code": 400, "error": "empty file"}


def test_backend_crash_is_a_generic_599(test_backends: t.Any, caplog: pytest.LogCaptureFixture) -> None:
    from conftest import Crashing

    app = FileApp(FILES / "photo.jpg")
    with caplog.at_level(logging.ERROR, logger="fop_middleware"):
        response = get(FopMiddleware(app, backends={"exif": ["test-crash"]}), "/srv/secret/photo.jpg?exif")
    assert response.status_code == 599
    assert response.status == "599 File Operation Failed"
    assert response.json == {"code": 599, "error": "server failed to process the file"}
    assert b"secret" not in response.data and b"Traceback" not in response.data
    crashes = [r for r in caplog.records if r.name == "fop_middleware" and r.exc_info]
    assert crashes and Crashing.message in str(crashes[0].exc_info[1])
    assert app.files[0].close_calls == 1


def test_encoded_body_is_599(test_backends: t.Any, caplog: pytest.LogCaptureFixture) -> None:
    app = App(Body((FILES / "photo.jpg").read_bytes()), headers=[("Content-Type", "image/jpeg"), ("Content-Encoding", "gzip")])
    response = get(FopMiddleware(app, backends=test_backends), "/photo.jpg?exif")
    assert response.status_code == 599
    assert "encoded body" in caplog.text


@pytest.mark.parametrize(
    ("url", "name"),
    [
        pytest.param("/dir/my%20photo%C3%A9.jpg?exif", "my photoé.jpg", id="space-and-utf8"),
        pytest.param("/d%C3%A9j%C3%A0/%E5%86%99%E7%9C%9F.jpg?exif", "写真.jpg", id="cjk"),
    ],
)
def test_path_with_spaces_and_non_ascii(test_backends: t.Any, url: str, name: str) -> None:
    response = get(FopMiddleware(FileApp(FILES / "photo.jpg"), backends=test_backends), url)
    assert response.status_code == 200
    assert response.json["name"] == name


def test_static_app_with_space_and_non_ascii(test_backends: t.Any, static_dir: pathlib.Path) -> None:
    static = SharedDataMiddleware(App([b"404"], "404 Not Found"), {"/": str(static_dir)})
    response = get(FopMiddleware(static, backends=test_backends), "/dir/my%20photo%C3%A9.jpg?exif")
    assert response.status_code == 200
    assert response.json["name"] == "my photoé.jpg"
    missing = get(FopMiddleware(static, backends=test_backends), "/dir/nothing.jpg?exif")
    assert missing.status_code == 404
    assert missing.json == {"code": 404, "error": "no such file"}


# How the file is obtained


@pytest.mark.parametrize("wrapper", wrappers())
def test_file_wrapper_is_read_in_place(test_backends: t.Any, wrapper: t.Any) -> None:
    app = FileApp(FILES / "photo.jpg", wrapper)
    response = get(FopMiddleware(app, backends=test_backends), "/photo.jpg?exif")
    assert response.status_code == 200
    (f,) = app.files
    assert f.close_calls == 1
    assert f.bytes_read <= 2 * (FILES / "photo.jpg").stat().st_size
    assert response.json["size"] == (FILES / "photo.jpg").stat().st_size


@pytest.mark.parametrize("wrapper", wrappers())
def test_big_jpeg_through_a_file_wrapper_reads_little(test_backends: t.Any, big_files: dict[str, pathlib.Path], wrapper: t.Any) -> None:
    app = FileApp(big_files["jpeg"], wrapper)
    response = get(FopMiddleware(app, backends=test_backends), "/big.jpg?exif")
    assert response.status_code == 200
    assert response.json["size"] == big_files["jpeg"].stat().st_size > 10_000_000
    assert app.files[0].bytes_read <= TEST_EXIF_READ + 64


@pytest.mark.parametrize("wrapper", wrappers())
def test_big_jpeg_with_the_libexif_backend_reads_under_512_kib(clean_registry: None, big_files: dict[str, pathlib.Path], wrapper: t.Any) -> None:
    require_backend("libexif")
    app = FileApp(big_files["jpeg"], wrapper)
    response = get(FopMiddleware(app, backends={"exif": ["libexif"]}), "/big.jpg?exif")
    assert response.status_code == 200, response.data
    assert response.json["Make"] == {"val": "Canon", "type": 2}
    assert app.files[0].bytes_read < 512 * KIB
    assert app.files[0].close_calls == 1


@pytest.mark.parametrize("backend", ["pyav", "mediainfo"])
def test_big_moov_at_end_mp4_reads_under_8_mib(clean_registry: None, big_files: dict[str, pathlib.Path], backend: str) -> None:
    require_backend(backend)
    app = FileApp(big_files["mp4"], wsgiref.util.FileWrapper)
    response = get(FopMiddleware(app, backends={"avinfo": [backend]}), "/big.mp4?avinfo")
    assert response.status_code == 200, response.data
    assert response.json["format"]["filename"] == "big.mp4"
    assert {s["codec_type"] for s in response.json["streams"]} == {"video", "audio"}
    assert app.files[0].bytes_read < 8 * 1024 * KIB
    assert app.files[0].close_calls == 1


def test_non_file_body_is_spooled_lazily(test_backends: t.Any) -> None:
    data = (FILES / "photo.jpg").read_bytes() + bytes(4 * 1024 * KIB)
    body = Body(data)
    response = get(FopMiddleware(App(body), backends=test_backends), "/photo.jpg?exif")
    assert response.status_code == 200
    assert response.json["read"] == TEST_EXIF_READ
    assert response.json["has_path"] is False
    assert body.pulled <= TEST_EXIF_READ // KIB + 1
    assert body.closes == 1


def test_content_length_of_a_spooled_body_is_its_size(test_backends: t.Any) -> None:
    data = (FILES / "clip.mp4").read_bytes()
    app = App(Body(data), headers=[("Content-Type", "video/mp4"), ("Content-Length", str(len(data)))])
    response = get(FopMiddleware(app, backends=test_backends), "/clip.mp4?avinfo")
    assert response.json == {"format": {"filename": "clip.mp4", "format_name": "mp4", "size": len(data)}}


def test_spool_cap_is_a_400(test_backends: t.Any) -> None:
    body = Body(b"\xff\xd8" + bytes(64 * KIB))
    response = get(FopMiddleware(App(body), backends=test_backends, max_body_bytes=4 * KIB), "/photo.jpg?exif")
    assert response.status_code == 400
    assert response.json == {"code": 400, "error": "file is too large for this operation"}
    assert body.pulled <= 5
    assert body.closes == 1


def test_spool_cap_survives_a_backend_that_hides_it(test_backends: t.Any) -> None:
    """Regression: a backend that turned the spool's error into "not an image" hid the cap."""
    from fop_middleware import Extractor, registry
    from fop_middleware.errors import UnsupportedFile

    class Hiding(Extractor):
        name = "test-hiding"
        operation = "exif"

        def extract(self, source: t.Any) -> dict[str, t.Any]:
            try:
                source.stream.read()
            except Exception as e:
                raise UnsupportedFile("not an image") from e
            return {}

    registry.register("test-hiding", Hiding, clobber=True)
    body = Body(b"\xff\xd8" + bytes(64 * KIB))
    response = get(FopMiddleware(App(body), backends={"exif": ["test-hiding"]}, max_body_bytes=4 * KIB), "/p.jpg?exif")
    assert response.json == {"code": 400, "error": "file is too large for this operation"}


def test_spool_past_memory_goes_to_disk_and_is_dropped(test_backends: t.Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from fop_middleware import Extractor, registry

    seen: list[t.Any] = []

    class ReadAll(Extractor):
        name = "test-read-all"
        operation = "avinfo"

        def extract(self, source: t.Any) -> dict[str, t.Any]:
            size = len(source.stream.read())
            spool = source.stream.stream  # behind the size-bounded view every backend reads
            seen.append((spool, spool._spool._rolled))
            return {"read": size}

    registry.register("test-read-all", ReadAll, clobber=True)
    body = Body(b"RIFF" + bytes(200 * KIB))
    mw = FopMiddleware(App(body), backends={"avinfo": ["test-read-all"]}, spool_memory_bytes=64 * KIB)
    response = get(mw, "/a.wav?avinfo")
    assert response.json == {"read": 200 * KIB + 4}
    ((stream, rolled),) = seen
    assert rolled is True, "past spool_memory_bytes the spool is a temporary file"
    assert stream.closed, "nothing of the body is kept afterwards"


def test_lazy_start_response_and_write(test_backends: t.Any) -> None:
    data = (FILES / "photo.jpg").read_bytes()
    closed: list[bool] = []

    def app(environ: t.Any, start_response: t.Any) -> t.Iterator[bytes]:
        def body() -> t.Iterator[bytes]:
            try:
                write = start_response("200 OK", [("Content-Type", "image/jpeg")])
                write(data[:100])
                yield data[100:300]
                yield data[300:]
            finally:
                closed.append(True)

        return body()

    response = get(FopMiddleware(app, backends=test_backends), "/photo.jpg?exif")
    assert response.status_code == 200
    assert response.json["read"] == len(data)
    assert closed == [True]


def test_write_then_file_wrapper_is_spooled_in_order(test_backends: t.Any) -> None:
    data = (FILES / "photo.jpg").read_bytes()
    files: list[CountingFile] = []

    def app(environ: t.Any, start_response: t.Any) -> t.Any:
        start_response("200 OK", [("Content-Type", "image/jpeg")])(data[:2])
        f = CountingFile(FILES / "photo.jpg")
        f.seek(2)
        files.append(f)
        return environ["wsgi.file_wrapper"](f)

    response = get(FopMiddleware(app, backends=test_backends), "/photo.jpg?exif")
    assert response.json["read"] == len(data)
    assert files[0].close_calls == 1


def test_error_page_with_exc_info_replaces_the_first_status(test_backends: t.Any) -> None:
    """Regression: a second start_response with exc_info re-raised although nothing was sent."""

    def app(environ: t.Any, start_response: t.Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "image/jpeg")])
        try:
            raise OSError("disk gone")
        except OSError:
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")], sys.exc_info())
        return [b"error"]

    response = get(FopMiddleware(app, backends=test_backends), "/photo.jpg?exif")
    assert response.status_code == 500
    assert response.json == {"code": 500, "error": "server error"}


def test_app_that_never_starts_the_response(test_backends: t.Any, caplog: pytest.LogCaptureFixture) -> None:
    body = Body(b"")
    app = lambda environ, start_response: body  # noqa: E731
    response = get(FopMiddleware(app, backends=test_backends), "/photo.jpg?exif")
    assert (response.status_code, response.json) == (500, {"code": 500, "error": "server error"})
    assert "without calling start_response" in caplog.text
    assert body.closes == 1


# close() exactly once


class Boom(Exception):
    pass


def _raising_start_response(*args: t.Any) -> t.NoReturn:
    raise Boom()


@pytest.mark.parametrize(
    ("status", "data", "query"),
    [
        pytest.param("200 OK", (FILES / "photo.jpg").read_bytes(), "exif", id="success"),
        pytest.param("200 OK", b"text", "exif", id="400"),
        pytest.param("404 Not Found", b"", "exif", id="404"),
        pytest.param("302 Found", b"", "exif", id="3xx"),
    ],
)
def test_close_once_even_when_start_response_raises(test_backends: t.Any, status: str, data: bytes, query: str) -> None:
    """Regression: a passthrough whose start_response raised left the app's body open."""
    body = Body(data)
    environ = create_environ("/photo.jpg", query_string=query)
    mw = FopMiddleware(App(body, status, [("Content-Type", "text/plain")]), backends=test_backends)
    with pytest.raises(Boom):
        result = mw(environ, _raising_start_response)
        result.close()  # a server closes what it got
    assert body.closes == 1


@pytest.mark.parametrize(
    ("make_app", "query", "code"),
    [
        pytest.param(lambda b: App(b), "exif", 200, id="success"),
        pytest.param(lambda b: App(b, "302 Found"), "exif", 302, id="3xx"),
        pytest.param(lambda b: App(b, "500 Internal Server Error"), "exif", 500, id="5xx"),
        pytest.param(lambda b: App(b), "", 200, id="passthrough"),
    ],
)
def test_close_once_on_every_path(test_backends: t.Any, make_app: t.Any, query: str, code: int) -> None:
    body = Body((FILES / "photo.jpg").read_bytes())
    response = get(FopMiddleware(make_app(body), backends=test_backends), f"/photo.jpg?{query}")
    assert response.status_code == code
    assert body.closes == 1


def test_close_once_when_the_body_raises(test_backends: t.Any) -> None:
    closed: list[bool] = []

    def app(environ: t.Any, start_response: t.Any) -> t.Iterator[bytes]:
        try:
            raise Boom()
            yield b""
        finally:
            closed.append(True)

    response = get(FopMiddleware(app, backends=test_backends), "/photo.jpg?exif")
    assert response.json == {"code": 500, "error": "server error"}
    assert closed == [True]


def test_close_once_when_the_body_raises_while_spooled(test_backends: t.Any, caplog: pytest.LogCaptureFixture) -> None:
    closed: list[bool] = []

    def app(environ: t.Any, start_response: t.Any) -> t.Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "image/jpeg")])
        try:
            yield b"\xff\xd8\xff"
            raise Boom("/srv/files/photo.jpg")
        finally:
            closed.append(True)

    response = get(FopMiddleware(app, backends=test_backends), "/photo.jpg?exif")
    assert response.status_code == 500
    assert b"/srv" not in response.data
    assert "/srv/files/photo.jpg" in caplog.text
    assert closed == [True]


# Configuration


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"max_body_bytes": -1}, id="negative-cap"),
        pytest.param({"max_body_bytes": 1.5}, id="float-cap"),
        pytest.param({"max_body_bytes": True}, id="bool-cap"),
        pytest.param({"spool_memory_bytes": "1"}, id="str-memory"),
        pytest.param({"timeout": 0}, id="zero-timeout"),
        pytest.param({"timeout": -1.0}, id="negative-timeout"),
        pytest.param({"timeout": "30"}, id="str-timeout"),
        pytest.param({"backends": {"thumb": ["libexif"]}}, id="unknown-op"),
        pytest.param({"backends": {"exif": ["nosuch"]}}, id="unknown-backend"),
        pytest.param({"backends": {"exif": []}}, id="empty-order"),
        pytest.param({"backends": {"exif": ["test-avinfo"]}}, id="backend-of-the-other-op"),
    ],
)
def test_bad_configuration_raises_at_init(test_backends: t.Any, options: dict[str, t.Any]) -> None:
    with pytest.raises(ValueError):
        FopMiddleware(App([]), **options)


def test_unknown_option_raises_at_init() -> None:
    with pytest.raises(TypeError):
        FopMiddleware(App([]), max_bytes=1)


AVINFO_BACKENDS = ["pyav", "mediainfo", pytest.param("ffprobe", marks=NEEDS_FFPROBE)]


@pytest.mark.parametrize("backend", AVINFO_BACKENDS)
def test_real_avinfo_backend_refuses_random_bytes(clean_registry: None, tmp_path: pathlib.Path, backend: str) -> None:
    require_backend(backend)
    noise = tmp_path / "noise.mp4"
    noise.write_bytes(random.Random(1).randbytes(64 * KIB))
    app = FileApp(noise, wsgiref.util.FileWrapper)
    response = get(FopMiddleware(app, backends={"avinfo": [backend]}), "/noise.mp4?avinfo")
    assert response.status_code == 400, response.data
    assert set(response.json) == {"code", "error"}
    assert str(tmp_path) not in response.data.decode()
    assert app.files[0].close_calls == 1


@pytest.mark.parametrize("backend", AVINFO_BACKENDS)
def test_real_avinfo_backend_same_answer_from_file_and_spool(clean_registry: None, backend: str) -> None:
    require_backend(backend)
    mw = FopMiddleware(FileApp(FILES / "clip.mp4", wsgiref.util.FileWrapper), backends={"avinfo": [backend]})
    from_file = get(mw, "/clip.mp4?avinfo")
    data = (FILES / "clip.mp4").read_bytes()
    spooled = App(Body(data, 512), headers=[("Content-Type", "video/mp4"), ("Content-Length", str(len(data)))])
    from_spool = get(FopMiddleware(spooled, backends={"avinfo": [backend]}), "/clip.mp4?avinfo")
    assert from_file.status_code == from_spool.status_code == 200, (from_file.data, from_spool.data)
    assert from_file.json == from_spool.json
    assert from_file.json["format"]["filename"] == "clip.mp4"


def test_path_that_is_not_utf8(test_backends: t.Any) -> None:
    environ = create_environ("/x", query_string="exif")
    environ["PATH_INFO"] = "/caf\xe9.jpg"  # the latin-1 byte 0xE9, as a server decodes %E9
    app = FileApp(FILES / "photo.jpg")
    started: list[str] = []
    body = b"".join(FopMiddleware(app, backends=test_backends)(environ, lambda s, h, e=None: started.append(s)))
    assert started == ["200 OK"]
    assert json.loads(body)["name"] == "caf\xe9.jpg"
