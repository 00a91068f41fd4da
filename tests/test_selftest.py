"""A backend whose library imports but does not work is unavailable, with the reason, logged once.

Regression (issue 9): with PyAV 19, ``av.open(metadata_errors=...)`` raised TypeError
on every ``?avinfo``; the pyav backend still counted as available, crashed on each
request, and ``fop-middleware backends`` said it was fine.
"""

from __future__ import annotations

import io
import json
import logging
import pathlib
import shutil
import typing as t

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Response

from fop_middleware import FopMiddleware, cli, registry, selftest
from fop_middleware.errors import BadRequest
from fop_middleware.extractor import Extractor, Source

NEEDS_FFPROBE = pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe (Debian ffmpeg) not installed")


@pytest.fixture(autouse=True)
def fresh_verdicts() -> t.Iterator[None]:
    selftest.forget()
    yield
    selftest.forget()


class CountingAvinfo(Extractor):
    """Answers the sample like a real backend would, counting its calls."""

    name = "test-counting"
    operation = "avinfo"
    calls = 0

    def availability(self) -> t.Any:
        return selftest.verify(self)

    def extract(self, source: Source) -> dict[str, t.Any]:
        type(self).calls += 1
        return {"streams": [{"codec_name": "pcm_s16le", "sample_rate": "8000"}], "format": {}}


class RefusingAvinfo(CountingAvinfo):
    def extract(self, source: Source) -> dict[str, t.Any]:
        raise BadRequest("unsupported or corrupt media file")


class WrongShapeAvinfo(CountingAvinfo):
    def extract(self, source: Source) -> dict[str, t.Any]:
        return {"media": {"track": []}}


def test_the_sample_is_a_real_wav() -> None:
    data = selftest.sample_wav()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert int.from_bytes(data[4:8], "little") == len(data) - 8


def test_the_verdict_is_kept_for_the_process() -> None:
    CountingAvinfo.calls = 0
    backend = CountingAvinfo()
    assert backend.availability().ok and CountingAvinfo().availability().ok
    assert CountingAvinfo.calls == 1


@pytest.mark.parametrize(
    ("cls", "reason"),
    [
        pytest.param(RefusingAvinfo, "failed its self-test: BadRequest: unsupported or corrupt media file", id="refuses"),
        pytest.param(WrongShapeAvinfo, "failed its self-test: no streams in the answer", id="wrong-shape"),
    ],
)
def test_a_backend_that_cannot_read_the_sample_is_unavailable(cls: type[Extractor], reason: str) -> None:
    status = cls().availability()
    assert not status.ok
    assert status.reason == reason


def test_pyav_whose_open_raises_type_error_is_unavailable_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    av = pytest.importorskip("av")
    from fop_middleware.backends.pyav import PyavExtractor

    def broken_open(*args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        raise TypeError("open() got an unexpected keyword argument 'metadata_errors'")

    monkeypatch.setattr(av, "open", broken_open)
    with caplog.at_level(logging.WARNING, logger="fop_middleware"):
        first = PyavExtractor().availability()
        again = registry.availability("pyav")
    assert not first.ok
    assert first.reason == "failed its self-test: TypeError: open() got an unexpected keyword argument 'metadata_errors'"
    assert again == first
    warnings = [r for r in caplog.records if "self-test" in r.getMessage()]
    assert len(warnings) == 1, "logged once, not per check"


def test_a_broken_pyav_is_skipped_without_a_crash_per_request(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    av = pytest.importorskip("av")
    monkeypatch.setattr(av, "open", lambda *a, **k: (_ for _ in ()).throw(TypeError("broken")))
    wav = selftest.sample_wav()
    app = FopMiddleware(lambda environ, start: Response(wav, mimetype="audio/wav")(environ, start), backends={"avinfo": ["pyav", "mediainfo"]})
    client = Client(app)
    with caplog.at_level(logging.INFO, logger="fop_middleware"):
        answers = [client.get("/tone.wav?avinfo") for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert json.loads(answers[0].data)["streams"][0]["codec_name"] == "pcm_s16le"
    assert not [r for r in caplog.records if "crashed" in r.getMessage()]
    assert len([r for r in caplog.records if "self-test" in r.getMessage()]) == 1
    only_pyav = Client(FopMiddleware(app.app, backends={"avinfo": ["pyav"]}))
    assert only_pyav.get("/tone.wav?avinfo").status_code == 599


def test_the_backends_command_shows_the_reason(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    av = pytest.importorskip("av")
    monkeypatch.setattr(av, "open", lambda *a, **k: (_ for _ in ()).throw(TypeError("no such argument")))
    assert cli.main(["backends"]) == 0
    line = next(row for row in capsys.readouterr().out.splitlines() if row.startswith("pyav "))
    assert line.split(None, 2)[2] == "unavailable: failed its self-test: TypeError: no such argument"


def test_mediainfo_whose_library_fails_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    from pymediainfo import MediaInfo

    from fop_middleware.backends.mediainfo import MediainfoExtractor

    if not MediaInfo.can_parse():
        pytest.skip("libmediainfo not installed")

    def broken_parse(*args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        raise OSError("libmediainfo.so.0: undefined symbol")

    monkeypatch.setattr(MediaInfo, "parse", broken_parse)
    status = MediainfoExtractor().availability()
    assert not status.ok
    assert "OSError: libmediainfo.so.0: undefined symbol" in status.reason


def test_an_ffprobe_that_prints_nothing_is_unavailable(tmp_path: pathlib.Path) -> None:
    from fop_middleware.backends.ffprobe import FfprobeExtractor

    fake = tmp_path / "ffprobe"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    status = FfprobeExtractor(binary=str(fake)).availability()
    assert not status.ok
    assert status.reason.startswith("failed its self-test:")


@pytest.mark.parametrize("name", ["pyav", "mediainfo", pytest.param("ffprobe", marks=NEEDS_FFPROBE)])
def test_the_installed_backends_pass(name: str) -> None:
    if name == "pyav":
        pytest.importorskip("av")
    status = registry.availability(name)
    assert status.ok, status.reason
    backend = registry.get_backend(name)
    data = selftest.sample_wav()
    answer = backend.extract(Source(io.BytesIO(data), selftest.SAMPLE_NAME, None, len(data)))
    assert answer["streams"][0]["codec_name"] == "pcm_s16le"
