"""The contract every ``avinfo`` backend fulfils; each backend's test module subclasses it.

Usage::

    class TestFfprobe(AvinfoContract):
        backend_name = "ffprobe"

The expected answers are the real ffprobe 5.1 JSON committed next to the small files in
``tests/files/media/`` (see its README), so the contract runs without ffprobe.
"""

from __future__ import annotations

import json
import pathlib
import random
import sys
import typing as t

import pytest
from PIL import Image

from fop_middleware import registry
from fop_middleware.errors import BadRequest
from fop_middleware.extractor import Extractor, Source

from bigfiles import BIG_SIZE, MEDIA, CountingFile, big_moov_end_mp4  # noqa: E402,F401 - re-exported to backend tests
MEDIA_FILES = sorted(p.name for p in MEDIA.iterdir() if (MEDIA / (p.name + ".json")).exists())

#: The most a backend may read of a 100+ MB file whose index (moov) is at its end.
READ_BUDGET = 8 * 1024 * 1024

#: Seconds of difference tolerated on durations, as the project's scorer does.
DURATION_TOLERANCE = 0.05

STREAM_FIELDS = ("codec_name", "codec_type", "width", "height", "sample_rate", "channels", "duration")
FORMAT_FIELDS = ("format_name", "nb_streams", "duration")


def expected(name: str) -> dict[str, t.Any]:
    with open(MEDIA / (name + ".json"), encoding="utf-8") as f:
        answer: dict[str, t.Any] = json.load(f)
    return answer


def rchar() -> int:
    """Bytes this process and its reaped children have read (Linux ``/proc/self/io``)."""
    with open("/proc/self/io", encoding="ascii") as f:
        for line in f:
            if line.startswith("rchar:"):
                return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def bad_inputs(tmp_path: pathlib.Path) -> dict[str, pathlib.Path]:
    """Files no avinfo backend may answer: each must be a 400."""
    files = {
        "random.mp4": random.Random(4).randbytes(64 * 1024),
        "notes.txt": b"Just some text, no audio or video here.\n" * 50,
        # cut inside the mdat, so the moov is lost: ffprobe 5.1 refuses it ("moov atom not found")
        "truncated.mp4": (MEDIA / "h264_aac_moov_end.mp4").read_bytes()[:6000],
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    png = tmp_path / "image.png"
    Image.new("RGB", (32, 24), (200, 30, 30)).save(png)
    return {name: tmp_path / name for name in [*files, "image.png"]}


class AvinfoContract:
    """Tests every avinfo backend passes; subclasses set ``backend_name``."""

    backend_name: t.ClassVar[str]
    #: False for a backend that needs a real file: given a bare stream it spools a copy.
    reads_through_stream: t.ClassVar[bool] = True
    #: (file, field) pairs where the backend is known to differ from ffprobe, each with the
    #: reason; fields are named as :func:`core_differences` names them.
    known_differences: t.ClassVar[dict[tuple[str, str], str]] = {}

    @pytest.fixture
    def backend(self) -> Extractor:
        status = registry.availability(self.backend_name)
        if not status.ok:
            pytest.skip(f"backend {self.backend_name!r} unavailable: {status.reason}")
        return registry.get_backend(self.backend_name)

    def extract(self, backend: Extractor, path: pathlib.Path, *, name: str | None = None, with_path: bool = True) -> dict[str, t.Any]:
        with open(path, "rb") as f:
            source = Source(f, name or path.name, str(path) if with_path else None, path.stat().st_size)
            return backend.extract(source)

    @pytest.mark.parametrize("name", MEDIA_FILES)
    def test_core_fields_match_ffprobe(self, backend: Extractor, name: str) -> None:
        want = expected(name)
        got = self.extract(backend, MEDIA / name)
        assert list(got) == ["streams", "format"]
        assert isinstance(got["streams"], list) and isinstance(got["format"], dict)
        assert len(got["streams"]) == len(want["streams"]), got["streams"]
        differences = core_differences(got, want)
        allowed = {field for (file, field) in self.known_differences if file == name}
        unexpected = {k: v for k, v in differences.items() if k not in allowed}
        assert not unexpected, f"(got, ffprobe) differ: {unexpected}"
        assert [s["index"] for s in got["streams"]] == list(range(len(want["streams"])))

    def test_filename_is_the_name_never_a_path(self, backend: Extractor) -> None:
        got = self.extract(backend, MEDIA / "h264_aac_faststart.mp4", name="holiday.mp4")
        assert got["format"]["filename"] == "holiday.mp4"
        assert str(MEDIA) not in json.dumps(got)

    def test_answer_is_json_ready(self, backend: Extractor) -> None:
        got = self.extract(backend, MEDIA / "h264_2audio_srt.mkv")
        assert json.loads(json.dumps(got, allow_nan=False)) == got

    def test_stream_without_path(self, backend: Extractor) -> None:
        path = MEDIA / "h264_2audio_srt.mkv"
        stream = CountingFile(path)
        try:
            got = backend.extract(Source(t.cast("t.BinaryIO", stream), path.name, None, path.stat().st_size))
            assert not stream.closed and stream.close_calls == 0
        finally:
            stream.close()
        assert [s["codec_name"] for s in got["streams"]] == [s["codec_name"] for s in expected(path.name)["streams"]]

    def test_stream_is_not_closed(self, backend: Extractor) -> None:
        path = MEDIA / "vp9_opus.webm"
        with open(path, "rb") as f:
            backend.extract(Source(f, path.name, str(path), path.stat().st_size))
            assert not f.closed

    @pytest.mark.parametrize("name", ["random.mp4", "notes.txt", "truncated.mp4", "image.png"])
    def test_bad_input_is_a_400(self, backend: Extractor, tmp_path: pathlib.Path, name: str) -> None:
        path = bad_inputs(tmp_path)[name]
        with pytest.raises(BadRequest) as caught:
            self.extract(backend, path)
        assert caught.value.status == 400
        assert str(tmp_path) not in caught.value.message

    @pytest.mark.skipif(not sys.platform.startswith("linux"), reason="bytes read are counted with Linux /proc/self/io")
    def test_big_moov_end_mp4_is_read_in_part(self, backend: Extractor, tmp_path: pathlib.Path) -> None:
        path = big_moov_end_mp4(tmp_path / "big.mp4")
        before = rchar()
        with open(path, "rb") as f:
            got = backend.extract(Source(f, path.name, str(path), BIG_SIZE))
        read = rchar() - before
        assert read < READ_BUDGET, f"read {read} bytes of a {BIG_SIZE} byte file"
        assert [s["codec_name"] for s in got["streams"]] == ["h264", "aac"]
        assert got["format"]["size"] == str(BIG_SIZE)

    def test_big_moov_end_mp4_through_a_stream(self, backend: Extractor, tmp_path: pathlib.Path) -> None:
        path = big_moov_end_mp4(tmp_path / "big.mp4")
        stream = CountingFile(path)
        try:
            got = backend.extract(Source(t.cast("t.BinaryIO", stream), path.name, None, BIG_SIZE))
        finally:
            stream.close()
        assert [s["codec_name"] for s in got["streams"]] == ["h264", "aac"]
        if self.reads_through_stream:
            assert stream.bytes_read < READ_BUDGET, f"read {stream.bytes_read} bytes of a {BIG_SIZE} byte file"
        else:
            # A program needs a path: a stream with no file behind it is copied whole, once.
            assert stream.bytes_read >= BIG_SIZE


def core_differences(got: dict[str, t.Any], want: dict[str, t.Any]) -> dict[str, tuple[t.Any, t.Any]]:
    """The core fields where ``got`` is not ffprobe's ``want``: name -> (got, want).

    Values and JSON types must be equal, except durations (strings within the tolerance).
    Names look like ``format.duration`` and ``streams.1.sample_rate``.
    """
    pairs = [(f"format.{f}", got["format"], want["format"]) for f in FORMAT_FIELDS]
    for i, w in enumerate(want["streams"]):
        g = got["streams"][i] if i < len(got["streams"]) else {}
        pairs += [(f"streams.{i}.{f}", g, w) for f in STREAM_FIELDS]
    out = {}
    for name, g, w in pairs:
        field = name.rpartition(".")[2]
        if field not in w:
            continue
        if not same(field, g.get(field), w[field]):
            out[name] = (g.get(field), w[field])
    return out


def same(field: str, got: t.Any, want: t.Any) -> bool:
    if type(got) is not type(want):
        return False
    if field == "duration":
        return abs(float(got) - float(want)) <= DURATION_TOLERANCE
    return bool(got == want)
