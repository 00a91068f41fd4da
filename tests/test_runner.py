"""runner.run: which backend answers, and how failures become client-safe errors."""

from __future__ import annotations

import io
import logging
import math
import typing as t

import pytest

from fop_middleware import Extractor, Source
from fop_middleware.errors import BadRequest, ExtractorFailure, ExtractorTimeout, NoExifData, UnsupportedFile
from fop_middleware.runner import dumps, read_head, run

from conftest import FILES


class Fake(Extractor):
    """Accepts files starting with ``magic``; then answers, raises, or crashes as told."""

    operation = "exif"

    def __init__(self, name: str, magic: bytes = b"", outcome: t.Any = None) -> None:
        self.name = name  # type: ignore[misc]
        self.magic = magic
        self.outcome = outcome
        self.calls = 0
        self.positions: list[int] = []

    def accepts(self, head: bytes) -> bool:
        return head.startswith(self.magic)

    def extract(self, source: Source) -> dict[str, t.Any]:
        self.calls += 1
        self.positions.append(source.stream.tell())
        source.stream.read(3)
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return {"by": self.name}


def source(data: bytes = b"\xff\xd8\xff rest of a jpeg") -> Source:
    return Source(io.BytesIO(data), "x.jpg", None, len(data))


def test_first_accepting_backend_wins() -> None:
    skip, first, second = Fake("skip", b"GIF"), Fake("first", b"\xff\xd8"), Fake("second")
    assert run("exif", source(), [skip, first, second]) == {"by": "first"}
    assert (skip.calls, first.calls, second.calls) == (0, 1, 0)


def test_nobody_accepts() -> None:
    with pytest.raises(UnsupportedFile, match="unsupported file format for exif"):
        run("exif", source(b"plain text"), [Fake("jpeg", b"\xff\xd8")])


def test_empty_file() -> None:
    with pytest.raises(UnsupportedFile, match="empty file"):
        run("exif", source(b""), [Fake("any")])


def test_a_verdict_on_the_file_is_final() -> None:
    first, second = Fake("first", outcome=NoExifData()), Fake("second")
    with pytest.raises(NoExifData):
        run("exif", source(), [first, second])
    assert second.calls == 0


def test_a_crash_lets_the_next_backend_try(caplog: pytest.LogCaptureFixture) -> None:
    first, second = Fake("first", outcome=KeyError("boom")), Fake("second")
    with caplog.at_level(logging.ERROR, logger="fop_middleware"):
        assert run("exif", source(), [first, second]) == {"by": "second"}
    assert second.positions == [0], "each backend starts at offset 0"
    assert "crashed" in caplog.text and "boom" in caplog.text


def test_a_failure_lets_the_next_backend_try(caplog: pytest.LogCaptureFixture) -> None:
    first, second = Fake("first", outcome=ExtractorFailure("timed out")), Fake("second")
    assert run("exif", source(), [first, second]) == {"by": "second"}
    assert "timed out" in caplog.text


def test_every_backend_crashing_is_a_generic_599(caplog: pytest.LogCaptureFixture) -> None:
    backends = [Fake("a", outcome=RuntimeError("/srv/x failed")), Fake("b", outcome=ZeroDivisionError())]
    with pytest.raises(ExtractorFailure) as info:
        run("exif", source(), backends)
    assert info.value.as_dict() == {"code": 599, "error": "server failed to process the file"}
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    assert "/srv/x failed" in caplog.text


def test_last_failure_message_is_kept() -> None:
    with pytest.raises(ExtractorFailure, match="file operation timed out"):
        from fop_middleware.errors import ExtractorTimeout

        run("exif", source(), [Fake("a", outcome=ExtractorTimeout())])


def test_bad_request_from_a_backend() -> None:
    with pytest.raises(BadRequest) as info:
        run("exif", source(), [Fake("a", outcome=BadRequest("corrupt file"))])
    assert info.value.as_dict() == {"code": 400, "error": "corrupt file"}


def test_read_head_leaves_the_stream_at_zero() -> None:
    with open(FILES / "clip.mp4", "rb") as f:
        f.seek(100)
        src = Source(f, "clip.mp4")
        head = read_head(src)
        assert len(head) == 64 and head[4:8] == b"ftyp"
        assert f.tell() == 0


def test_dumps_is_compact_utf8_in_backend_order() -> None:
    assert dumps({"b": "é✓", "a": [1, 2.5, None, True]}) == '{"b":"é✓","a":[1,2.5,null,true]}'.encode()
    with pytest.raises(ValueError):
        dumps({"x": math.nan})


def test_extractor_defaults() -> None:
    class Minimal(Extractor):
        name = "minimal"
        operation = "exif"

        def extract(self, source: Source) -> dict[str, t.Any]:
            return super().extract(source)  # type: ignore[safe-super]

    backend = Minimal()
    assert backend.is_available() and backend.accepts(b"anything")
    with pytest.raises(NotImplementedError, match="Minimal must implement extract"):
        backend.extract(source())
    with pytest.raises(TypeError):
        Extractor()  # type: ignore[abstract]


def test_a_timeout_is_final(caplog: pytest.LogCaptureFixture) -> None:
    slow, second = Fake("slow", outcome=ExtractorTimeout()), Fake("second")
    with pytest.raises(ExtractorTimeout):
        run("exif", source(), [slow, second])
    assert second.calls == 0
    assert "timed out" in caplog.text


def test_the_configured_order_holds_whatever_the_body(tmp_path: t.Any) -> None:
    """Same file, same answer: a spooled body must not switch backends (adapters compare answers)."""
    path = tmp_path / "x.jpg"
    path.write_bytes(b"\xff\xd8\xff a jpeg")
    first, second = Fake("first"), Fake("second")
    with path.open("rb") as f:
        assert run("exif", Source(f, "x.jpg", str(path), 10), [first, second]) == {"by": "first"}
    assert run("exif", source(), [first, second]) == {"by": "first"}
