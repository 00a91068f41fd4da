"""Edge cases of ffprobe 5.1's answer that every avinfo backend must give, field for field.

The files and their real ffprobe answers are in ``tests/files/media-edge/`` (made by its
``generate.sh``): an MP4 with no stream, an MP4 whose only track is of an unknown kind,
MP3s followed by ID3v1/APEv2/Lyrics3 tags, an FLV whose duration rounds to 0 µs, one
frame of H.264 in MPEG-TS and of MPEG-2 in MPEG-PS (too few frames to measure a rate), an
AVI shorter than its RIFF header says.
"""

from __future__ import annotations

import io
import json
import pathlib
import typing as t

import pytest

from fop_middleware import registry
from fop_middleware.avinfo import mp3, tsprobe
from fop_middleware.backends.mediainfo.flv import FlvInfo, flv_duration, last_timestamp
from fop_middleware.extractor import Source

EDGE = pathlib.Path(__file__).parent / "files" / "media-edge"
EDGE_FILES = sorted(p.name for p in EDGE.iterdir() if (EDGE / (p.name + ".json")).exists())
BACKENDS = ("ffprobe", "pyav", "mediainfo")

#: Fields MediaInfo cannot give here, each with the reason; (file, flattened field prefix).
MEDIAINFO_GAPS = {
    # MediaInfo lists the unknown track but not its id, time base, timing or tags
    ("unknown_track.mp4", "streams.0."): "MediaInfo's data tracks",
    # MediaInfo merges ID3v1, APEv2 and ID3v2 tags; the mp3 demuxer shows one kind
    ("cbr_ape_id3v1.mp3", "format.tags."): "MediaInfo's merged MP3 tags",
    ("cbr_lyrics3_id3v1.mp3", "format.tags."): "MediaInfo's merged MP3 tags",
    ("info_ape_id3v1.mp3", "format.tags."): "MediaInfo's merged MP3 tags",
    ("info_lyrics3_id3v1.mp3", "format.tags."): "MediaInfo's merged MP3 tags",
    ("vbr_ape.mp3", "format.tags."): "MediaInfo's merged MP3 tags",
    # 5.1 timed it by the parser's average bit rate over the first frames, not in the report
    ("vbr_ape.mp3", "streams.0.bit_rate"): "the parser's average rate",
    ("vbr_ape.mp3", "streams.0.duration"): "the parser's average rate",
    ("vbr_ape.mp3", "format.duration"): "the parser's average rate",
    ("vbr_ape.mp3", "format.bit_rate"): "the parser's average rate",
    # MediaInfo's transport stream path reads no aspect ratio, field order or extradata
    ("one_frame_h264.ts", "streams.0.sample_aspect_ratio"): "MediaInfo's TS path",
    ("one_frame_h264.ts", "streams.0.display_aspect_ratio"): "MediaInfo's TS path",
    ("one_frame_h264.ts", "streams.0.field_order"): "MediaInfo's TS path",
    ("one_frame_h264.ts", "streams.0.extradata_size"): "MediaInfo's TS path",
    # MediaInfo gives the sequence header's rate as the average, and no extradata or CPB
    ("one_frame_mpeg2.mpg", "streams.0.avg_frame_rate"): "MediaInfo's frame rate",
    ("one_frame_mpeg2.mpg", "streams.0.extradata_size"): "MediaInfo's MPEG-PS path",
    ("one_frame_mpeg2.mpg", "streams.0.side_data_list"): "MediaInfo's MPEG-PS path",
    # MediaInfo reads no MPEG-4 part 2 headers from a cut file
    ("truncated.avi", "streams.0.profile"): "MediaInfo on a truncated file",
    ("truncated.avi", "streams.0.level"): "MediaInfo on a truncated file",
    ("truncated.avi", "streams.0.has_b_frames"): "MediaInfo on a truncated file",
    ("truncated.avi", "streams.0.quarter_sample"): "MediaInfo on a truncated file",
    ("truncated.avi", "streams.0.divx_packed"): "MediaInfo on a truncated file",
    ("truncated.avi", "streams.0.extradata_size"): "MediaInfo on a truncated file",
}


def flatten(answer: dict[str, t.Any]) -> dict[str, t.Any]:
    """Every leaf as ``streams.0.tags.language`` / ``format.duration`` (lists of streams expanded)."""
    out: dict[str, t.Any] = {}

    def walk(value: t.Any, prefix: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{prefix}{key}.")
        elif isinstance(value, list) and prefix == "streams.":
            for i, item in enumerate(value):
                walk(item, f"{prefix}{i}.")
        else:
            out[prefix[:-1]] = value

    walk(answer, "")
    return out


def answer_of(name: str, backend_name: str) -> dict[str, t.Any]:
    status = registry.availability(backend_name)
    if not status.ok:
        pytest.skip(f"backend {backend_name!r} unavailable: {status.reason}")
    path = EDGE / name
    with open(path, "rb") as f:
        return registry.get_backend(backend_name).extract(Source(f, name, str(path), path.stat().st_size))


@pytest.mark.parametrize("backend_name", BACKENDS)
@pytest.mark.parametrize("name", EDGE_FILES)
def test_every_field_is_ffprobes(name: str, backend_name: str) -> None:
    with open(EDGE / (name + ".json"), encoding="utf-8") as f:
        want = json.load(f)
    want["format"]["filename"] = name
    answer = answer_of(name, backend_name)
    assert len(answer["streams"]) == len(want["streams"])
    got = flatten(answer)
    gaps = [prefix for (file, prefix) in MEDIAINFO_GAPS if file == name] if backend_name == "mediainfo" else []
    wrong = {
        field: (got.get(field, "<missing>"), value)
        for field, value in flatten(want).items()
        if (got.get(field) != value or type(got.get(field)) is not type(value))
        and not any(field.startswith(prefix) for prefix in gaps)
    }
    assert not wrong, f"(got, ffprobe): {wrong}"


@pytest.mark.parametrize("backend_name", BACKENDS)
def test_a_file_without_streams_is_answered(backend_name: str) -> None:
    """Was a 400 "no audio or video stream found" where ffprobe answers ``"streams": []``."""
    answer = answer_of("meta_only.mp4", backend_name)
    assert answer["streams"] == []
    assert answer["format"]["nb_streams"] == 0
    assert answer["format"]["tags"]["title"] == "fop-test"


@pytest.mark.parametrize("backend_name", BACKENDS)
def test_duration_below_half_a_microsecond(backend_name: str) -> None:
    """Regression: mediainfo divided the size by the duration rounded to 0 µs (a 599).

    Found on ``mediainfo-exc-825150f5e25b08e8.flv`` of the shared hostile files; 5.1 then
    takes the last tag's timestamp as the duration.
    """
    fmt = answer_of("tiny_duration.flv", backend_name)["format"]
    assert float(fmt["duration"]) > 0.2
    assert int(fmt["bit_rate"]) == int(fmt["size"]) * 8 * 1_000_000 // round(float(fmt["duration"]) * 1_000_000)


def test_flv_metadata_duration_rounding_to_zero_falls_back_to_last_tag() -> None:
    assert flv_duration(FlvInfo(duration=1e-7, end=261)) == 0.261
    assert flv_duration(FlvInfo(duration=2.0000019, end=261)) == 2.000001  # cut, as int64_t
    assert flv_duration(FlvInfo(duration=float("nan"))) is None


def test_last_timestamp_skips_tags_stamped_zero() -> None:
    def tag(timestamp: int, body: bytes) -> bytes:
        head = bytes([9]) + len(body).to_bytes(3, "big") + (timestamp & 0xFFFFFF).to_bytes(3, "big")
        return head + bytes([timestamp >> 24]) + b"\0\0\0" + body + (11 + len(body)).to_bytes(4, "big")

    data = b"FLV\x01\x01\0\0\0\x09\0\0\0\0" + tag(40, b"ab") + tag(0, b"cde")
    assert last_timestamp(io.BytesIO(data)) == 40
    assert last_timestamp(io.BytesIO(data[:-1])) == 0


def test_concatenation_check_distrusts_the_frame_count() -> None:
    """5.1 drops the Info count once the bytes after it outgrow its byte count by 1/16."""
    with open(EDGE / "info_ape_id3v1.mp3", "rb") as f:
        data = f.read()
    end = data.index(b"APETAGEX")
    trusted = mp3.read_head(io.BytesIO(data[:end]), end)
    distrusted = mp3.read_head(io.BytesIO(data), len(data))
    assert trusted is not None and distrusted is not None
    assert trusted.frames == 40 and trusted.is_cbr and trusted.vbr_tag
    assert distrusted.frames == 0 and distrusted.bit_rate == 32000
    ticks = mp3.bit_rate_duration(distrusted, len(data), 32000, (1, 14112000))
    want = json.loads((EDGE / "info_ape_id3v1.mp3.json").read_text())["streams"][0]["duration_ts"]
    assert ticks == want


@pytest.mark.parametrize(
    ("packets", "name", "score"),
    [
        pytest.param(None, "h264_aac.ts", 50, id="whole-file"),  # 10+ packets in the first 2 KiB
        pytest.param(6, "small.ts", 2, id="six-packets"),  # under ten 204-byte blocks: ffprobe says 2
        pytest.param(6, "small.bin", 2, id="six-packets-no-extension"),
    ],
)
def test_transport_stream_probe_score(packets: int | None, name: str, score: int) -> None:
    """ffprobe gave a 1,344-byte M2TS probe score 2 where 50 was answered for every TS."""
    data = (pathlib.Path(__file__).parent / "files" / "media" / "h264_aac.ts").read_bytes()
    if packets is not None:
        data = data[: 188 * packets]
    assert tsprobe.probe_score(io.BytesIO(data), name) == score


def test_transport_stream_probe_score_of_noise_is_zero() -> None:
    assert tsprobe.mpegts_probe(bytes(4096)) == 0
    assert tsprobe.mpegts_probe(b"\x47" * 100) == 0  # under one 204-byte block


@pytest.mark.parametrize("name", ["one_frame_h264.ts", "one_frame_mpeg2.mpg"])
def test_one_frame_of_field_codec_keeps_the_frame_rate(name: str) -> None:
    """PyAV's newer FFmpeg doubles the fallback rate of codecs that can code fields (50/1 for
    25 fps); 5.1 said 25/1 and timed the last frame as a frame (``compat.field_rate_fallback``)."""
    video = answer_of(name, "pyav")["streams"][0]
    assert video["r_frame_rate"] == "25/1"
    if "duration_ts" in video:
        assert video["duration_ts"] == 3600  # one frame at 25 fps in 1/90000


def test_truncated_avi_durations_are_cut_in_proportion() -> None:
    """mediainfo gave the header's full length (1.067 s); 5.1 scaled it by the bytes present."""
    want = json.loads((EDGE / "truncated.avi.json").read_text())
    answer = answer_of("truncated.avi", "mediainfo")
    assert [s.get("duration_ts") for s in answer["streams"]] == [s.get("duration_ts") for s in want["streams"]]
    assert answer["format"]["duration"] == want["format"]["duration"]
