"""Streamed bodies against the request's deadline: stalls, declared lengths, endless files."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import typing as t

import pytest
from werkzeug.test import Client

from fop_middleware import FopMiddleware, registry
from fop_middleware.body import FileWrapper, LazySpool, is_regular_file
from fop_middleware.core import FopCore, FopRequest
from fop_middleware.errors import BodyLengthMismatch, ExtractorTimeout, FileTooLarge
from fop_middleware.extractor import Extractor, Source
from fop_middleware.pump import close_body, lease_pump

from conftest import FILES

DATA = bytes(range(256)) * 40  # 10240 bytes
AVINFO = FopRequest("avinfo", "", False)
#: The slack the brief allows past ``timeout``.
SLACK = 0.5


class Counted:
    """Chunks of ``data``, counting what was pulled; optionally stalls after ``stall_after`` chunks."""

    def __init__(self, data: bytes, size: int, stall_after: int | None = None, stall: float = 0.0) -> None:
        self.parts = [data[i : i + size] for i in range(0, len(data), size)]
        self.pulled = 0
        self.stall_after = stall_after
        self.stall = stall
        self.closed = threading.Event()
        self.threads: set[str] = set()

    def __iter__(self) -> t.Iterator[bytes]:
        try:
            for i, part in enumerate(self.parts):
                self.threads.add(threading.current_thread().name)
                if i == self.stall_after:
                    time.sleep(self.stall)
                self.pulled += len(part)
                yield part
        finally:
            self.closed.set()


def test_seek_end_is_answered_from_the_declared_size() -> None:
    body = Counted(DATA, 1000)
    with LazySpool(body, max_bytes=1 << 20, size=len(DATA)) as spool:
        assert spool.seek(0, os.SEEK_END) == len(DATA)
        assert body.pulled == 0, "nothing pulled to learn the size"
        spool.seek(4500)
        assert spool.read(100) == DATA[4500:4600]
        assert body.pulled == 5000, "a read past what was pulled pulls forward to it"
        spool.seek(len(DATA))
        assert spool.read(10) == b"" and body.pulled == 5000, "end of file, from the declared size"


def test_read_reaching_the_declared_end_checks_the_body_ends_there() -> None:
    with LazySpool(Counted(DATA, 1000), max_bytes=1 << 20, size=len(DATA)) as spool:
        spool.seek(len(DATA) - 10)
        assert spool.read() == DATA[-10:]


@pytest.mark.parametrize(
    "declared",
    [pytest.param(len(DATA) + 1, id="ends-short"), pytest.param(len(DATA) - 1, id="runs-past")],
)
def test_body_not_matching_its_length_is_an_error(declared: int) -> None:
    with LazySpool(Counted(DATA, 1000), max_bytes=1 << 20, size=declared) as spool:
        spool.seek(declared - 5)
        with pytest.raises(BodyLengthMismatch):
            spool.read(5)
        assert isinstance(spool.error, BodyLengthMismatch)


def test_stalled_body_is_abandoned_at_the_deadline() -> None:
    body = Counted(DATA, 1000, stall_after=2, stall=3.0)
    start = time.monotonic()
    spool = LazySpool(body, max_bytes=1 << 20, deadline=start + 0.3)
    with spool:
        assert spool.read(1500) == DATA[:1500]
        with pytest.raises(ExtractorTimeout):
            spool.read(2000)
    assert time.monotonic() - start < 0.3 + SLACK
    assert isinstance(spool.error, ExtractorTimeout)
    assert "MainThread" not in body.threads, "pulled on the pump's thread"


def test_close_of_a_stalled_generator_waits_for_it() -> None:
    """Closing a generator another thread is running raises; the pump closes it afterwards."""
    body = Counted(DATA, 1000, stall_after=1, stall=0.5)
    gen = iter(body)
    with LazySpool(gen, max_bytes=1 << 20, deadline=time.monotonic() + 0.1) as spool:
        with pytest.raises(ExtractorTimeout):
            spool.read(5000)
    close_body(gen.close)  # would raise "generator already executing" if called now
    assert body.closed.wait(2.0), "closed once the stalled pull returned"


def test_close_body_closes_at_once_when_nothing_stalls() -> None:
    body = Counted(DATA, 1000)
    gen = iter(body)
    with LazySpool(gen, max_bytes=1 << 20, deadline=time.monotonic() + 5) as spool:
        spool.read(10)
    close_body(gen.close)
    assert body.closed.is_set()


def test_pump_passes_results_and_errors() -> None:
    pump = lease_pump()
    assert pump.call(lambda: 42, 1.0) == 42
    with pytest.raises(KeyError):
        pump.call(lambda: {}["x"], 1.0)
    pump.release()


def test_idle_pumps_are_reused_abandoned_ones_never() -> None:
    pump = lease_pump()
    pump.release()
    assert lease_pump() is pump, "an idle pump serves the next request"
    with pytest.raises(ExtractorTimeout):
        pump.call(lambda: time.sleep(0.3), 0.05)
    pump.release()
    assert lease_pump() is not pump


def test_declared_length_over_the_cap_is_refused_before_any_pull(test_backends: dict[str, list[str]]) -> None:
    body = Counted(DATA, 1000)
    core = FopCore(backends=test_backends, max_body_bytes=len(DATA) - 1)
    result = core.respond(AVINFO, 200, [("Content-Length", str(len(DATA)))], "x.wav", chunks=iter(body))
    assert result is not None and result.status == 400
    assert json.loads(result.body) == FileTooLarge().as_dict()
    assert body.pulled == 0


def test_body_longer_than_its_length_is_a_599(test_backends: dict[str, list[str]]) -> None:
    from fop_middleware.backends.mediainfo import MediainfoExtractor

    data = (FILES / "tone.wav").read_bytes()
    if not MediainfoExtractor().is_available():
        pytest.skip("libmediainfo is not installed")
    core = FopCore(backends={"avinfo": ["mediainfo"]})
    chunks = [data, b"trailing bytes the Content-Length did not announce"]
    result = core.respond(AVINFO, 200, [("Content-Length", str(len(data)))], "t.wav", chunks=iter(chunks))
    assert result is not None and result.status == 599
    assert json.loads(result.body) == BodyLengthMismatch().as_dict()


def test_stalled_generator_through_the_middleware_is_a_599_in_time(test_backends: dict[str, list[str]]) -> None:
    body = Counted((FILES / "tone.wav").read_bytes(), 8, stall_after=1, stall=3.0)

    def app(environ: dict[str, t.Any], start_response: t.Any) -> t.Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "audio/wav")])
        return iter(body)

    client = Client(FopMiddleware(app, backends=test_backends, timeout=0.5))
    start = time.monotonic()
    response = client.get("/t.wav?avinfo")
    assert time.monotonic() - start < 0.5 + SLACK
    assert response.status_code == 599
    assert response.get_json() == ExtractorTimeout().as_dict()
    assert body.closed.wait(4.0), "the app's generator is closed once it wakes up"


class SeeksToEnd(Extractor):
    """Seeks to the end to learn the size, as FFmpeg and libmediainfo do."""

    name = "test-seek-end"
    operation = "avinfo"

    def extract(self, source: Source) -> dict[str, t.Any]:
        return {"size": source.stream.seek(0, os.SEEK_END)}


class CountingZero:
    """``/dev/zero`` opened for real (seekable, not a regular file), counting what is read."""

    def __init__(self) -> None:
        self.f = open("/dev/zero", "rb")  # noqa: SIM115 - closed by close()
        self.bytes_read = 0

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self.bytes_read += len(data)
        return data

    def seekable(self) -> bool:
        return self.f.seekable()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self.f.seek(offset, whence)

    def fileno(self) -> int:
        return self.f.fileno()

    def close(self) -> None:
        self.f.close()


def test_dev_zero_file_body_is_spooled_under_the_cap_only(clean_registry: None) -> None:
    """Issue 8: Django's static.serve of a symlink to /dev/zero was copied at 400 MB/s, uncapped."""
    registry.register("test-seek-end", SeeksToEnd, clobber=True)
    zero = CountingZero()
    assert not is_regular_file(zero)

    def app(environ: dict[str, t.Any], start_response: t.Any) -> t.Any:
        start_response("200 OK", [("Content-Type", "video/mp4"), ("Content-Length", "0")])
        return environ["wsgi.file_wrapper"](zero)

    cap = 4 * 1024 * 1024
    middleware = FopMiddleware(app, backends={"avinfo": ["test-seek-end"]}, max_body_bytes=cap, timeout=5)
    start = time.monotonic()
    response = Client(middleware).get("/zero.mp4?avinfo")
    assert response.status_code == 400
    assert response.get_json() == FileTooLarge().as_dict()
    assert cap < zero.bytes_read <= cap + 64 * 1024, "read up to the cap and one chunk, no further"
    assert time.monotonic() - start < 5
    assert zero.f.closed


def test_regular_files_stay_read_in_place(tmp_path: t.Any) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"x")
    with open(path, "rb") as f:
        assert is_regular_file(f)
    assert is_regular_file(FileWrapper(None)), "no descriptor: an object in memory"


needs_ffprobe = pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe (Debian ffmpeg) not installed")


@needs_ffprobe
def test_ffprobe_reads_the_spools_own_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 10: ffprobe copied the spool a second time (2x on disk); it now reads the spool's file."""
    from fop_middleware.backends import ffprobe

    def no_second_copy(*args: t.Any) -> None:
        raise AssertionError("the spool was copied")

    # The self-test copies its in-memory sample: run it before the copy is forbidden.
    assert registry.availability("ffprobe").ok
    monkeypatch.setattr(ffprobe, "_spool", no_second_copy)
    data = (FILES / "clip.mp4").read_bytes()
    # Inline: only this process can hand ffprobe the spool's own file (a helper reads it over its socket).
    core = FopCore(backends={"avinfo": ["ffprobe"]}, spool_memory_bytes=1024, isolation="inline", cache=None)
    streamed = core.respond(AVINFO, 200, [("Content-Length", str(len(data)))], "clip.mp4", chunks=iter(Counted(data, 1000)))
    with open(FILES / "clip.mp4", "rb") as f:
        in_place = core.respond(AVINFO, 200, [], "clip.mp4", file=f)
    assert streamed is not None and in_place is not None
    assert streamed.status == 200 and json.loads(streamed.body) == json.loads(in_place.body)


@needs_ffprobe
def test_ffprobe_on_a_stalled_body_is_a_599_in_time() -> None:
    data = (FILES / "clip.mp4").read_bytes()
    core = FopCore(backends={"avinfo": ["ffprobe"]}, timeout=0.5)
    start = time.monotonic()
    body = Counted(data, 1000, stall_after=2, stall=3.0)
    result = core.respond(AVINFO, 200, [], "clip.mp4", chunks=iter(body))
    assert time.monotonic() - start < 0.5 + SLACK
    assert result is not None and result.status == 599
    assert json.loads(result.body) == ExtractorTimeout().as_dict()


def test_flask_stream_with_context_body_is_pulled_and_closed_in_its_context(test_backends: dict[str, list[str]]) -> None:
    """The pump pulls in a copy of the request thread's context and closes the body there.

    Flask 3.1's ``stream_with_context`` pushes its contexts on the second ``next()`` (on the
    pump) and pops them when closed: popped in another context, that raised ``ValueError``.
    """
    flask = pytest.importorskip("flask")
    from fop_middleware.flask import FlaskFop

    app = flask.Flask(__name__)
    app.config["FOP_BACKENDS"] = test_backends
    data = (FILES / "tone.wav").read_bytes()
    seen: list[str] = []
    closed = threading.Event()

    @app.route("/<name>")
    def stream(name: str) -> t.Any:
        def generate() -> t.Iterator[bytes]:
            try:
                for i in range(0, len(data), 100):
                    seen.append(flask.request.path)
                    yield data[i : i + 100]
            finally:
                closed.set()

        return flask.Response(flask.stream_with_context(generate()), mimetype="audio/wav")

    FlaskFop(app)
    response = app.test_client().get("/tone.wav?avinfo")
    assert response.status_code == 200, response.get_data()
    assert response.get_json()["format"]["format_name"] == "wav"
    assert seen == ["/tone.wav"], "one chunk pulled, in the request's context"
    assert closed.is_set()


def test_app_stalling_before_start_response_is_a_599_in_time(test_backends: dict[str, list[str]]) -> None:
    """A generator app calls start_response at its first next(): that pull is timed too."""
    woke = threading.Event()

    def app(environ: dict[str, t.Any], start_response: t.Any) -> t.Iterator[bytes]:
        try:
            time.sleep(2.0)
            start_response("200 OK", [("Content-Type", "audio/wav")])
            yield (FILES / "tone.wav").read_bytes()
        finally:
            woke.set()

    client = Client(FopMiddleware(app, backends=test_backends, timeout=0.3))
    start = time.monotonic()
    response = client.get("/t.wav?avinfo")
    assert time.monotonic() - start < 0.3 + SLACK
    assert response.status_code == 599 and response.get_json() == ExtractorTimeout().as_dict()
    assert woke.wait(4.0), "the app's generator is closed once it wakes up"


def test_lazy_start_app_is_answered(test_backends: dict[str, list[str]]) -> None:
    def app(environ: dict[str, t.Any], start_response: t.Any) -> t.Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "audio/wav")])
        yield (FILES / "tone.wav").read_bytes()

    response = Client(FopMiddleware(app, backends=test_backends)).get("/t.wav?avinfo")
    assert response.status_code == 200 and response.get_json()["format"]["format_name"] == "wav"


def test_ffprobe_copy_of_a_memory_stream_is_timed(tmp_path: t.Any) -> None:
    import io

    from fop_middleware.backends import ffprobe

    source = Source(io.BytesIO(b"x" * 100), "x.mp4")
    with pytest.raises(ExtractorTimeout):
        ffprobe._spool(source, str(tmp_path / "copy"), time.monotonic() - 1)


@pytest.mark.parametrize("backend", ["pyav", "mediainfo", "ffprobe"])
@pytest.mark.parametrize("stall_at", [pytest.param(0, id="before-the-head"), pytest.param(2, id="mid-body")])
def test_real_backends_on_a_stalled_body_answer_599_in_time(clean_registry: None, backend: str, stall_at: int) -> None:
    status = registry.availability(backend)
    if not status.ok:
        pytest.skip(f"backend {backend!r}: {status.reason}")
    data = (FILES / "clip.mp4").read_bytes()
    body = Counted(data, 1000, stall_after=stall_at, stall=2.0)
    core = FopCore(backends={"avinfo": [backend]}, timeout=0.5)
    start = time.monotonic()
    result = core.respond(AVINFO, 200, [("Content-Length", str(len(data)))], "clip.mp4", chunks=iter(body))
    assert time.monotonic() - start < 0.5 + SLACK
    assert result is not None and json.loads(result.body) == ExtractorTimeout().as_dict()


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg (Debian) not installed: it makes the moov-first clip")
@pytest.mark.parametrize("backend", ["pyav", "mediainfo"])
def test_1_gib_moov_first_generator_pulls_little(clean_registry: None, backend: str, tmp_path: t.Any) -> None:
    """Issue 10: a 1 GB moov-first MP4 served as a generator wrote 954 MiB of temporary file."""
    from bigfiles import moov_first, padded_mp4_chunks

    status = registry.availability(backend)
    if not status.ok:
        pytest.skip(f"backend {backend!r}: {status.reason}")
    clip = moov_first(FILES / "clip.mp4", tmp_path / "faststart.mp4").read_bytes()
    size = 1 << 30
    pulled = 0

    def body() -> t.Iterator[bytes]:
        nonlocal pulled
        for chunk in padded_mp4_chunks(clip, size):
            pulled += len(chunk)
            yield chunk

    core = FopCore(backends={"avinfo": [backend]}, max_body_bytes=size)
    result = core.respond(AVINFO, 200, [("Content-Length", str(size))], "big.mp4", chunks=body())
    assert result is not None and result.status == 200, result.body
    answer = json.loads(result.body)
    assert answer["format"]["size"] == str(size)
    assert [s["codec_type"] for s in answer["streams"]] == ["video", "audio"]
    assert pulled <= 16 * 1024 * 1024
