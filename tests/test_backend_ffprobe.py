"""The ``ffprobe`` avinfo backend: the contract, plus what only a subprocess backend does."""

from __future__ import annotations

import io
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import typing as t

import pytest

from fop_middleware.backends.ffprobe import FfprobeExtractor
from fop_middleware.errors import BadRequest, ExtractorTimeout
from fop_middleware.extractor import Source

from avinfo_contract import BIG_SIZE, MEDIA, MEDIA_FILES, READ_BUDGET, AvinfoContract, big_moov_end_mp4, expected, rchar

HAS_FFPROBE = shutil.which("ffprobe") is not None
needs_ffprobe = pytest.mark.skipif(not HAS_FFPROBE, reason="ffprobe (Debian ffmpeg) not installed")


def ffprobe_version() -> str:
    out = subprocess.run(["ffprobe", "-version"], capture_output=True, text=True, check=False).stdout
    return out.split()[2] if out.startswith("ffprobe version") else ""


class TestFfprobe(AvinfoContract):
    backend_name = "ffprobe"
    reads_through_stream = False


@needs_ffprobe
@pytest.mark.parametrize("name", MEDIA_FILES)
def test_answer_is_ffprobe_51_json(name: str) -> None:
    if not ffprobe_version().startswith("5.1"):
        pytest.skip("the committed answers are those of ffprobe 5.1")
    got = extract(MEDIA / name)
    for stream in got["streams"]:
        stream.pop("codec_time_base", None)
    assert got == expected(name)


@needs_ffprobe
def test_codec_time_base_is_what_ffprobe_4_printed() -> None:
    streams = extract(MEDIA / "h264_2audio_srt.mkv")["streams"]
    # the example: "1/30" for 15 fps H.264 (two ticks per frame)
    assert [s["codec_time_base"] for s in streams] == ["1/30", "1/44100", "1/48000", "0/1"]
    assert list(streams[0])[list(streams[0]).index("codec_type") + 1] == "codec_time_base"
    mpeg4 = extract(MEDIA / "mpeg4_mp3.avi")["streams"][0]
    assert mpeg4["codec_time_base"] == "1/15"


@needs_ffprobe
def test_open_file_without_path_is_read_in_place(tmp_path: pathlib.Path) -> None:
    """A real file behind the stream is handed to ffprobe as is: nothing is copied."""
    path = big_moov_end_mp4(tmp_path / "big.mp4")
    before = rchar()
    with open(path, "rb") as f:
        got = FfprobeExtractor().extract(Source(f, "big.mp4", None, BIG_SIZE))
        assert not f.closed
    read = rchar() - before
    assert read < READ_BUDGET, f"read {read} bytes of a {BIG_SIZE} byte file"
    assert got["format"]["size"] == str(BIG_SIZE)


@needs_ffprobe
def test_stream_in_memory_is_spooled_and_cleaned_up(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A temporary directory of its own: other runs on the machine spool into the shared one.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    data = (MEDIA / "cbr_id3.mp3").read_bytes()
    before = spools()
    assert before == set()
    stream = io.BytesIO(data)
    got = FfprobeExtractor().extract(Source(stream, "song.mp3", None, len(data)))
    assert not stream.closed
    assert spools() == before
    assert got["format"]["filename"] == "song.mp3"
    assert got["format"]["format_name"] == "mp3"
    assert got["streams"][0]["duration"] == expected("cbr_id3.mp3")["streams"][0]["duration"]


@needs_ffprobe
def test_timeout_is_a_599() -> None:
    path = MEDIA / "h264_aac.ts"
    with open(path, "rb") as f, pytest.raises(ExtractorTimeout) as caught:
        FfprobeExtractor().extract(Source(f, path.name, str(path), timeout=0.001))
    assert caught.value.status == 599


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for ffprobe")
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("#EXTM3U\n#EXTINF:1,\n{target}\n", id="hls"),
        pytest.param("\ufeffffconcat version 1.0\nfile '{target}'\n", id="ffconcat"),
        pytest.param('<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"/>', id="dash"),
    ],
)
def test_playlists_are_refused_before_ffprobe_opens_what_they_list(tmp_path: pathlib.Path, text: str) -> None:
    ran = tmp_path / "ffprobe-ran"
    fake = tmp_path / "ffprobe"
    fake.write_text(f"#!/bin/sh\ntouch {ran}\nexit 1\n")
    fake.chmod(0o755)
    playlist = tmp_path / "list.m3u8"
    playlist.write_text(text.format(target=tmp_path / "secret.mp4"), encoding="utf-8")
    with open(playlist, "rb") as f, pytest.raises(BadRequest) as caught:
        FfprobeExtractor(str(fake)).extract(Source(f, playlist.name, str(playlist)))
    assert not ran.exists()
    assert str(tmp_path) not in caught.value.message


def test_unavailable_without_the_binary(tmp_path: pathlib.Path) -> None:
    backend = FfprobeExtractor()
    old = os.environ["PATH"]
    os.environ["PATH"] = str(tmp_path)
    try:
        status = backend.availability()
    finally:
        os.environ["PATH"] = old
    assert not status.ok and "ffprobe" in status.reason


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for ffprobe")
def test_a_crashing_ffprobe_is_a_599(tmp_path: pathlib.Path) -> None:
    fake = tmp_path / "ffprobe"
    fake.write_text("#!/bin/sh\nkill -SEGV $$\n")
    fake.chmod(0o755)
    path = MEDIA / "audio.flac"
    with open(path, "rb") as f, pytest.raises(Exception) as caught:
        FfprobeExtractor(str(fake)).extract(Source(f, path.name, str(path)))
    assert getattr(caught.value, "status", None) == 599


def extract(path: pathlib.Path) -> dict[str, t.Any]:
    with open(path, "rb") as f:
        return FfprobeExtractor().extract(Source(f, path.name, str(path), path.stat().st_size))


def spools() -> set[str]:
    return {n for n in os.listdir(tempfile.gettempdir()) if n.startswith("fop-ffprobe-")}
