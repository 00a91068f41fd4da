"""Issue 8: the pure-Python EXIF reader reads at most 512 KiB of a file, within ``timeout``.

A JPEG of 163,837 COM segments made libexif's marker scan read 655 MB and run 13 s with
``timeout=0.5``; the file is refused with a 400 after 512 KiB now, and the deadline is a 599.
"""

from __future__ import annotations

import io
import pathlib
import struct
import typing as t

import pytest
from werkzeug.test import Client

from fop_middleware import FopMiddleware
from fop_middleware.errors import ExtractorTimeout, ReadCapExceeded
from fop_middleware.exif.budget import MAX_READ_BYTES, BudgetedStream
from fop_middleware.extractor import HEAD_SIZE

from conftest import FILES, CountingFile, require_backend

COM_SIZE = 4000


def exif_segment() -> bytes:
    """The APP1 ``Exif`` segment of the test photo, marker included."""
    data = (FILES / "photo.jpg").read_bytes()
    pos = 2
    while data[pos + 1] != 0xE1:
        pos += 2 + struct.unpack(">H", data[pos + 2 : pos + 4])[0]
    return data[pos : pos + 2 + struct.unpack(">H", data[pos + 2 : pos + 4])[0]]


def com_jpeg(path: pathlib.Path, segments: int) -> pathlib.Path:
    """SOI, ``segments`` COM segments of 4000 bytes, then the photo's EXIF: libexif skips COM."""
    com = b"\xff\xfe" + struct.pack(">H", COM_SIZE - 2) + b"c" * (COM_SIZE - 4)
    path.write_bytes(b"\xff\xd8" + com * segments + exif_segment() + b"\xff\xd9")
    return path


def file_app(path: pathlib.Path, files: list[CountingFile]) -> t.Any:
    def app(environ: dict[str, t.Any], start_response: t.Any) -> t.Any:
        files.append(CountingFile(path))
        start_response("200 OK", [("Content-Type", "image/jpeg")])
        return environ["wsgi.file_wrapper"](files[-1])

    return app


@pytest.fixture(autouse=True)
def libexif(clean_registry: None) -> None:
    require_backend("libexif")


def test_many_com_segments_are_refused_after_512_kib(tmp_path: pathlib.Path) -> None:
    path = com_jpeg(tmp_path / "comments.jpg", 2000)  # 8 MB of comments before the EXIF
    files: list[CountingFile] = []
    response = Client(FopMiddleware(file_app(path, files), timeout=30)).get("/comments.jpg?exif", buffered=True)
    assert (response.status_code, response.json) == (400, {"code": 400, "error": "file too large to find exif within 512 KiB"})
    assert files[0].bytes_read <= MAX_READ_BYTES + HEAD_SIZE  # the runner sniffs the head first
    assert files[0].close_calls == 1


def test_a_few_com_segments_still_find_the_exif(tmp_path: pathlib.Path) -> None:
    path = com_jpeg(tmp_path / "comments.jpg", 20)
    files: list[CountingFile] = []
    response = Client(FopMiddleware(file_app(path, files))).get("/comments.jpg?exif", buffered=True)
    assert response.status_code == 200
    assert response.json["Make"] == {"val": "Canon", "type": 2}
    assert files[0].bytes_read < 128 * 1024


def test_the_cap_holds_for_a_spooled_body(tmp_path: pathlib.Path) -> None:
    data = com_jpeg(tmp_path / "comments.jpg", 2000).read_bytes()
    pulled: list[int] = []

    def app(environ: dict[str, t.Any], start_response: t.Any) -> t.Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "image/jpeg")])
        for i in range(0, len(data), 64 * 1024):
            pulled.append(i)
            yield data[i : i + 64 * 1024]

    response = Client(FopMiddleware(app)).get("/comments.jpg?exif", buffered=True)
    assert response.status_code == 400
    assert len(pulled) * 64 * 1024 < 2 * 1024 * 1024, "the spool pulled far past the cap"


def test_the_deadline_is_a_599(tmp_path: pathlib.Path) -> None:
    path = com_jpeg(tmp_path / "comments.jpg", 20)
    response = Client(FopMiddleware(file_app(path, []), timeout=1e-9)).get("/comments.jpg?exif", buffered=True)
    assert (response.status_code, response.json) == (599, {"code": 599, "error": "file operation timed out"})


def test_the_deadline_is_checked_inside_the_scan(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each read and seek of the scan looks at the clock: a slow scan stops part-way."""
    from fop_middleware.backends.libexif import LibexifExtractor
    from fop_middleware.extractor import Source

    clock = iter(range(10_000))
    monkeypatch.setattr("fop_middleware.exif.budget.time.monotonic", lambda: float(next(clock)))
    path = com_jpeg(tmp_path / "comments.jpg", 100)
    with CountingFile(path) as f, pytest.raises(ExtractorTimeout):
        LibexifExtractor().extract(Source(f, "comments.jpg", timeout=20))
    assert 0 < f.bytes_read < 100 * COM_SIZE


@pytest.mark.parametrize(
    ("size", "raises"),
    [
        pytest.param(10, False, id="under"),
        pytest.param(MAX_READ_BYTES, False, id="exactly"),
        pytest.param(MAX_READ_BYTES + 1, True, id="over"),
        pytest.param(-1, True, id="read-all"),
    ],
)
def test_budgeted_stream_counts_what_is_asked(size: int, raises: bool) -> None:
    stream = BudgetedStream(io.BytesIO(b"x" * (MAX_READ_BYTES + 10)), timeout=30)
    if raises:
        with pytest.raises(ReadCapExceeded):
            stream.read(size)
    else:
        assert len(stream.read(size)) == size
        assert stream.bytes_read == size
