"""The framework-free core: parse_operation, Result, json_result, FopCore.respond."""

from __future__ import annotations

import io
import json
import typing as t

import pytest

from fop_middleware.core import FopCore, FopRequest, Result, json_result, last_segment, parse_operation

from conftest import FILES


@pytest.mark.parametrize(
    ("method", "query", "expected"),
    [
        pytest.param("GET", "exif", FopRequest("exif", "", False), id="exif"),
        pytest.param("HEAD", "avinfo", FopRequest("avinfo", "", True), id="head-avinfo"),
        pytest.param("GET", "exif&e=1700000000&token=ak:sig", FopRequest("exif", "e=1700000000&token=ak:sig", False), id="signed"),
        pytest.param("GET", "exif&", FopRequest("exif", "", False), id="trailing-amp"),
        pytest.param("POST", "exif", None, id="post"),
        pytest.param("get", "exif", None, id="lower-case-method"),
        pytest.param("GET", "exif=1", None, id="value"),
        pytest.param("GET", "foo&exif", None, id="second"),
        pytest.param("GET", "", None, id="empty"),
        pytest.param("GET", "EXIF", None, id="case"),
        pytest.param("GET", "exif;x", None, id="semicolon"),
        pytest.param("GET", "%65xif", None, id="percent-encoded"),
    ],
)
def test_parse_operation(method: str, query: str, expected: FopRequest | None) -> None:
    assert parse_operation(method, query) == expected
    assert FopCore.match(method, query) == expected


@pytest.mark.parametrize(
    ("path", "name"),
    [("/a/b/photo.jpg", "photo.jpg"), ("photo.jpg", "photo.jpg"), ("/a/dir/", "dir"), ("/", ""), ("", "")],
)
def test_last_segment(path: str, name: str) -> None:
    assert last_segment(path) == name


@pytest.mark.parametrize(
    ("status", "line"),
    [(200, "200 OK"), (404, "404 Not Found"), (599, "599 File Operation Failed"), (299, "299 Error")],
)
def test_result_status_line(status: int, line: str) -> None:
    result = Result(status, [], b"")
    assert result.status_line == line
    assert repr(result) == f"<Result {line} 0 bytes>"


def test_result_has_slots() -> None:
    with pytest.raises(AttributeError):
        Result(200, [], b"").extra = 1  # type: ignore[attr-defined]


def test_json_result() -> None:
    result = json_result(201, {"é": [1, 2.5, None]}, [("X-A", "1")])
    assert result.body == '{"é":[1,2.5,null]}'.encode()
    assert result.headers == [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Content-Length", str(len(result.body))),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-A", "1"),
    ]
    head = json_result(201, {"é": 1}, head=True)
    assert head.body == b"" and ("Content-Length", "8") in head.headers, "the UTF-8 length"


@pytest.fixture
def core(test_backends: dict[str, list[str]]) -> FopCore:
    return FopCore(backends=test_backends)


GET_EXIF = FopRequest("exif", "", False)


def test_respond_with_a_file(core: FopCore) -> None:
    f = io.BytesIO((FILES / "photo.jpg").read_bytes())
    f.seek(5)
    result = core.respond(GET_EXIF, 200, [("Content-Type", "image/jpeg")], "p.jpg", file=f)
    assert result is not None and result.status == 200
    answer = json.loads(result.body)
    assert answer["name"] == "p.jpg"
    assert answer["size"] == len(f.getvalue())
    assert not f.closed, "closing is the caller's job"


def test_respond_with_chunks(core: FopCore) -> None:
    data = (FILES / "tone.wav").read_bytes()
    result = core.respond(FopRequest("avinfo", "", False), 200, [("Content-Length", str(len(data)))], "t.wav", chunks=[data[:10], data[10:]])
    assert result is not None
    assert json.loads(result.body) == {"format": {"filename": "t.wav", "format_name": "wav", "size": len(data)}}


@pytest.mark.parametrize("length", ["", "abc", "-1", " 12x"])
def test_bad_content_length_is_ignored(core: FopCore, length: str) -> None:
    data = (FILES / "tone.wav").read_bytes()
    result = core.respond(FopRequest("avinfo", "", False), 200, [("Content-Length", length)], "t.wav", chunks=[data])
    assert result is not None and json.loads(result.body)["format"]["size"] is None


@pytest.mark.parametrize("status", [301, 302, 303, 304, 307, 308])
def test_respond_passes_3xx_through(core: FopCore, status: int) -> None:
    assert core.respond(GET_EXIF, status, [("Location", "/x")], "x.jpg", chunks=[b"x"]) is None


def test_respond_keeps_cors_and_www_authenticate_only(core: FopCore) -> None:
    headers = [
        ("WWW-Authenticate", "Basic"),
        ("access-control-allow-origin", "*"),
        ("Access-Control-Expose-Headers", "X-A"),
        ("Set-Cookie", "a=b"),
        ("Location", "/elsewhere"),
    ]
    result = core.respond(GET_EXIF, 401, headers, "x.jpg", chunks=[])
    assert result is not None
    assert result.headers[4:] == headers[:3]


@pytest.mark.parametrize("encoding", ["gzip", "br", "deflate"])
def test_encoded_body_is_a_599(core: FopCore, encoding: str) -> None:
    result = core.respond(GET_EXIF, 200, [("Content-Encoding", encoding)], "x.jpg", chunks=[b"\x1f\x8b"])
    assert result is not None and result.status == 599


@pytest.mark.parametrize("encoding", ["identity", "", " identity "])
def test_identity_encoding_is_fine(core: FopCore, encoding: str) -> None:
    data = (FILES / "photo.jpg").read_bytes()
    result = core.respond(GET_EXIF, 200, [("Content-Encoding", encoding)], "x.jpg", chunks=[data])
    assert result is not None and result.status == 200


def test_chunks_raising_is_a_599_without_details(core: FopCore, caplog: pytest.LogCaptureFixture) -> None:
    def chunks() -> t.Iterator[bytes]:
        yield b"\xff\xd8"
        raise OSError("/srv/media/x.jpg: I/O error")

    result = core.respond(GET_EXIF, 200, [], "x.jpg", chunks=chunks())
    assert result is not None and result.status == 599
    assert b"srv" not in result.body
    assert "/srv/media/x.jpg" in caplog.text


def test_none_body_is_empty(core: FopCore) -> None:
    result = core.respond(GET_EXIF, 200, [], "x.jpg")
    assert result is not None and json.loads(result.body) == {"code": 400, "error": "empty file"}


def test_defaults() -> None:
    core = FopCore()
    assert core.order["exif"][0] == "libexif"
    assert set(core.order) == {"exif", "avinfo", "imageAve", "imageInfo"}
    assert core.max_body_bytes == 512 * 1024 * 1024
    assert core.timeout == 5.0


def test_single_backend_name_as_string(test_backends: t.Any) -> None:
    assert FopCore(backends={"exif": "test-exif"}).order["exif"] == ("test-exif",)


def test_partial_content_is_a_599(core: FopCore, caplog: pytest.LogCaptureFixture) -> None:
    """A 206 means a Range reached the app after all; half a file must not be answered for."""
    data = (FILES / "photo.jpg").read_bytes()
    result = core.respond(GET_EXIF, 206, [("Content-Range", f"bytes 0-99/{len(data)}")], "x.jpg", chunks=[data[:100]])
    assert result is not None and result.status == 599
    assert "partial body" in caplog.text
