"""The pyav backend on every PyAV release it supports (18 and later).

Regression: PyAV 19 removed ``av.open(metadata_errors=...)``; every ``?avinfo`` then
crashed with a TypeError and fell back to the next backend (issue 9).
"""

from __future__ import annotations

import io
import json
import struct

import pytest

from fop_middleware.extractor import Source

av = pytest.importorskip("av")

from fop_middleware.backends.pyav import PyavExtractor, api  # noqa: E402

SPS_PPS_3 = b"\x00\x00\x01\x67\x64\x00\x0a\xac\x00" + b"\x00\x00\x01\x68\xef\x82"
SPS_PPS_4 = b"\x00\x00\x00\x01\x67\x64\x00\x0a\xac\x00" + b"\x00\x00\x00\x01\x68\xef\x82"


def wav_with_title(title: bytes) -> bytes:
    """A 0.1 s silent WAV whose LIST/INFO title is ``title``, bytes as given (FFmpeg keeps them raw)."""
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    data = bytes(1600)
    inam = b"INAM" + struct.pack("<I", len(title)) + title + (b"\0" if len(title) % 2 else b"")
    info = b"LIST" + struct.pack("<I", 4 + len(inam)) + b"INFO" + inam
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + info
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_the_installed_pyav_opens_a_file() -> None:
    """Whatever PyAV pip chose (19.x on Python 3.12+), a plain WAV gets its answer."""
    data = wav_with_title(b"tone")
    answer = PyavExtractor().extract(Source(io.BytesIO(data), "tone.wav", None, len(data)))
    assert answer["streams"][0]["codec_name"] == "pcm_s16le"
    assert answer["format"]["tags"] == {"title": "tone"}


def test_tags_that_are_not_utf8_become_replacement_characters() -> None:
    data = wav_with_title(b"caf\xe9 \xff")
    answer = PyavExtractor().extract(Source(io.BytesIO(data), "t.wav", None, len(data)))
    assert answer["format"]["tags"]["title"] == "caf\ufffd \ufffd"
    json.dumps(answer, ensure_ascii=False).encode("utf-8")  # no lone surrogate left


@pytest.mark.parametrize(
    ("version", "kwargs"),
    [
        pytest.param("18.1.0", {"metadata_errors": "replace"}, id="18"),
        pytest.param("19.0.2", {}, id="19"),
        pytest.param("20.0.0", {}, id="20"),
    ],
)
def test_open_options_follow_the_release(monkeypatch: pytest.MonkeyPatch, version: str, kwargs: dict[str, str]) -> None:
    monkeypatch.setattr(av, "__version__", version)
    assert api.open_options.__wrapped__() == kwargs


def test_surrogate_escaped_text_is_replaced() -> None:
    assert api.text("caf\udce9") == "caf\ufffd"
    assert api.text("Genré") == "Genré"


@pytest.mark.parametrize(
    ("major", "want"),
    [pytest.param(8, {"artist": "a;a", "genre": "Rock;Pop"}, id="ffmpeg8"), pytest.param(9, {"artist": "a", "genre": "Rock;Pop"}, id="ffmpeg9")],
)
def test_mov_tags_joined_by_ffmpeg_9_are_one_value(monkeypatch: pytest.MonkeyPatch, major: int, want: dict[str, str]) -> None:
    monkeypatch.setattr(api, "ffmpeg_major", lambda: major)
    assert api.tags({"artist": "a;a", "genre": "Rock;Pop"}, api.MOV_DEMUXER) == want
    assert api.tags({"artist": "a;a"}, "matroska,webm") == {"artist": "a;a"}


@pytest.mark.parametrize(
    ("major", "demuxer", "extradata", "want"),
    [
        pytest.param(9, "mpegts", SPS_PPS_4, len(SPS_PPS_3), id="ffmpeg9-ts-4-byte-codes"),
        pytest.param(8, "mpegts", SPS_PPS_3, len(SPS_PPS_3), id="ffmpeg8-ts"),
        pytest.param(9, "matroska,webm", SPS_PPS_4, len(SPS_PPS_4), id="header-extradata-kept"),
        pytest.param(9, "mpegts", b"\x01\x64\x00\x0a", 4, id="avcc-kept"),
    ],
)
def test_extradata_size_counts_3_byte_start_codes(
    monkeypatch: pytest.MonkeyPatch, major: int, demuxer: str, extradata: bytes, want: int
) -> None:
    monkeypatch.setattr(api, "ffmpeg_major", lambda: major)
    assert api.extradata_size(demuxer, "h264", extradata) == want


def test_major() -> None:
    assert api.major("19.0.2") == 19
    assert api.major("n9.0.2") == 0


def test_release() -> None:
    assert api.release("18.1.0") == (18, 1)
    assert api.release("19") == (19, 0)
    assert api.release("20.0rc1") == (20, 0)


def test_pyav_18_0_is_too_old(monkeypatch: pytest.MonkeyPatch) -> None:
    """18.0 lacks ``CodecContext.level``: every video crashed with AttributeError (found by the oldest-deps CI run)."""
    monkeypatch.setattr(av, "__version__", "18.0.0")
    status = PyavExtractor().availability()
    assert not status.ok
    assert status.reason == "PyAV 18.0.0 is too old: 18.1+ needed (Python 3.11+)"
