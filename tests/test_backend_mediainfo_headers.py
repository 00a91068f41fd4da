"""The ``mediainfo`` backend's own header readers: FLV tags, AVI stream headers, RealAudio,
and the fields ffprobe prints for every stream (disposition, fixed video fields)."""

from __future__ import annotations

import io
import json
import pathlib
import shutil
import struct
import subprocess
import typing as t

import pytest

from fop_middleware import registry
from fop_middleware.backends.mediainfo import READ_BUDGETS, _read_budget
from fop_middleware.backends.mediainfo.flv import read_flv
from fop_middleware.backends.mediainfo.riff import avi_streams, realaudio
from fop_middleware.avinfo.h264 import parse_sps
from fop_middleware.backends.mediainfo.ts import scan_ts
from fop_middleware.extractor import Source

from avinfo_contract import MEDIA, core_differences

EXTRA = pathlib.Path(__file__).parent / "files" / "media-extra"
MEDIAINFO = registry.availability("mediainfo")
needs_mediainfo = pytest.mark.skipif(not MEDIAINFO.ok, reason=f"mediainfo unavailable: {MEDIAINFO.reason}")
needs_ffprobe = pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe (Debian ffmpeg) not installed")

#: Fields these readers decide, compared with the committed ffprobe answers.
TIMING_FIELDS = ("codec_name", "codec_type", "r_frame_rate", "avg_frame_rate", "time_base", "start_pts",
                 "start_time", "duration_ts", "duration", "nb_frames", "bit_rate", "width", "height")


@needs_mediainfo
@pytest.mark.parametrize("name", ["flv1_mp3.flv", "x264_aac.flv", "xvid_pcm.avi"])
def test_header_fields_match_ffprobe(name: str) -> None:
    got, want = extract_bytes((EXTRA / name).read_bytes(), name), load(EXTRA / (name + ".json"))
    assert core_differences(got, want) == {}
    assert len(got["streams"]) == len(want["streams"])
    for g, w in zip(got["streams"], want["streams"]):
        assert {k: g.get(k) for k in TIMING_FIELDS if k in w} == {k: w[k] for k in TIMING_FIELDS if k in w}
    assert got["format"]["duration"] == want["format"]["duration"]
    assert got["format"]["bit_rate"] == want["format"]["bit_rate"]
    if name.endswith(".flv"):  # the decoder configuration tags
        config = ("extradata_size", "is_avc", "nal_length_size", "has_b_frames", "channels")
        for g, w in zip(got["streams"], want["streams"]):
            assert {k: g.get(k) for k in config if k in w} == {k: w[k] for k in config if k in w}


def test_flv_streams_come_in_the_order_of_their_first_tags() -> None:
    with open(EXTRA / "flv1_mp3.flv", "rb") as f:
        info = read_flv(f)
    assert info is not None
    assert [(s.kind, s.codec) for s in info.streams] == [("audio", "mp3"), ("video", "flv1")]
    assert info.duration == pytest.approx(1.0, abs=0.1)


@needs_mediainfo
def test_a_cue_point_script_tag_is_a_text_stream() -> None:
    """A script tag after the header's is a subtitle stream, and its values are tags.

    It comes before the first audio tag here, so its stream comes first."""
    data = with_script_tag((EXTRA / "flv1_mp3.flv").read_bytes(), 40, "onCuePoint",
                           {"name": "Cue1", "time": 0.04, "type": "event"})
    got = extract_bytes(data, "cue.flv")
    kinds = [(s["codec_type"], s.get("codec_name")) for s in got["streams"]]
    assert kinds == [("subtitle", "text"), ("audio", "mp3"), ("video", "flv1")]
    assert (got["streams"][0]["start_pts"], got["streams"][0]["start_time"]) == (40, "0.040000")
    assert {k: got["format"]["tags"][k] for k in ("name", "time", "type")} == {"name": "Cue1", "time": "0", "type": "event"}
    if shutil.which("ffprobe"):
        want = ffprobe_bytes(data)
        assert [(s["codec_type"], s.get("codec_name")) for s in want["streams"]] == kinds
        assert {k: want["format"]["tags"][k] for k in ("name", "time", "type")} == {"name": "Cue1", "time": "0", "type": "event"}


def test_vp6_size_comes_from_the_key_frame_cropped_by_the_adjustment_byte() -> None:
    # FLV video tag: key frame, VP6 (0x14); adjustment 0x06 (crop 0 x 6); VP6 key frame
    # header without separated coefficients: 10 macroblock rows, 12 columns
    vp6 = bytes([0x14, 0x06, 0x78, 0x46, 10, 12, 10, 12]) + b"\0" * 8
    data = flv_file([tag(9, 0, vp6)])
    info = read_flv(io.BytesIO(data))
    assert info is not None
    (video,) = info.streams
    assert (video.codec, video.width, video.height, video.extradata_size) == ("vp6f", 192, 154, 1)


def test_avi_stream_headers_give_exact_rates() -> None:
    with open(EXTRA / "xvid_pcm.avi", "rb") as f:
        headers = avi_streams(f)
    assert [(h.kind, h.scale, h.rate) for h in headers] == [(b"vids", 1001, 30000), (b"auds", 1, 8000)]
    assert avi_streams(io.BytesIO(b"RIFF\0\0\0\0WAVEfmt ")) == []


@needs_mediainfo
def test_realaudio_4_is_read_from_its_header(tmp_path: pathlib.Path) -> None:
    data = realaudio4(b"dnet", 22050, 1, bytes_per_minute=300000, title=b"A title", copyright_=b"(c) me")
    info = realaudio(io.BytesIO(data))
    assert info is not None and (info["codec"], info["sample_rate"], info["channels"]) == ("ac3", 22050, 1)
    got = extract_bytes(data, "song.ra")
    audio = got["streams"][0]
    assert (audio["codec_name"], audio["codec_tag_string"], audio["sample_rate"], audio["bit_rate"]) == (
        "ac3", "dnet", "22050", str(300000 * 8 // 60))
    assert got["format"]["format_name"] == "rm" and got["format"]["tags"] == {"title": "A title", "copyright": "(c) me"}
    if shutil.which("ffprobe"):
        want = ffprobe_bytes(data)
        assert core_differences(got, want) == {}
        assert got["format"]["tags"] == want["format"]["tags"]


def test_not_realaudio() -> None:
    assert realaudio(io.BytesIO(b".RMF\0\0\0\x12" + b"\0" * 40)) is None
    assert realaudio(io.BytesIO(b".ra\xfd\0\x04")) is None


@needs_mediainfo
def test_a_transport_stream_too_short_for_mediainfo_is_read_from_its_tables() -> None:
    """Ten packets: MediaInfo finds nothing; the PAT, PMT, PES timestamps and SPS still say
    what ffprobe says of the whole file."""
    data = (MEDIA / "h264_aac.ts").read_bytes()[:188 * 10]
    got, want = extract_bytes(data, "cut.ts"), load(MEDIA / "h264_aac.ts.json")
    fields = ("codec_name", "codec_type", "profile", "width", "height", "r_frame_rate", "start_pts", "start_time", "id")
    video = {k: got["streams"][0].get(k) for k in fields}
    assert video == {k: want["streams"][0].get(k) for k in fields}
    assert [(s.get("codec_name"), s["codec_type"]) for s in got["streams"]] == [("h264", "video"), ("aac", "audio")]
    assert got["format"]["format_name"] == "mpegts" and got["format"]["nb_programs"] == 1
    # no audio PES starts in these packets: the video's timestamp is the earliest
    assert got["format"]["start_time"] == want["streams"][0]["start_time"]
    assert "start_time" not in got["streams"][1]


@needs_mediainfo
def test_transport_stream_frame_rate_from_the_sps() -> None:
    got, want = extract_bytes((MEDIA / "h264_aac.ts").read_bytes(), "h264_aac.ts"), load(MEDIA / "h264_aac.ts.json")
    assert got["streams"][0]["r_frame_rate"] == want["streams"][0]["r_frame_rate"]


def test_h264_sps_fields() -> None:
    with open(MEDIA / "h264_aac.ts", "rb") as f:
        info = scan_ts(f)
    assert info is not None and info.packet_size == 188
    sps = info.streams[0].sps
    want = load(MEDIA / "h264_aac.ts.json")["streams"][0]
    assert sps is not None and (sps["width"], sps["height"], sps["level"]) == (want["width"], want["height"], want["level"])
    assert parse_sps(b"\x67") is None
    assert scan_ts(io.BytesIO(b"\0" * 1000)) is None


@needs_mediainfo
@pytest.mark.parametrize("name", ["h264_aac_faststart.mp4", "h264_aac_moov_end.mp4", "aac.m4a", "cover.m4a"])
def test_mp4_track_facts_come_from_the_moov(name: str) -> None:
    """Time scales, sample counts, codec configuration sizes and track tags, as the mov demuxer reads them."""
    path = MEDIA / name if (MEDIA / name).exists() else EXTRA / name
    got, want = extract_bytes(path.read_bytes(), name), load(path.with_name(name + ".json"))
    fields = ("time_base", "start_pts", "start_time", "duration_ts", "nb_frames", "extradata_size", "is_avc",
              "nal_length_size", "has_b_frames", "tags")
    for g, w in zip(got["streams"], want["streams"]):
        if w.get("disposition", {}).get("attached_pic"):
            continue
        assert {k: g.get(k) for k in fields if k in w} == {k: w[k] for k in fields if k in w}
    assert got["format"]["tags"].get("minor_version") == want["format"]["tags"]["minor_version"]


@needs_mediainfo
@pytest.mark.parametrize("name", ["cbr_id3.mp3", "audio.flac", "vorbis.ogg", "voice.opus", "pcm_stereo.wav"])
def test_audio_timing_follows_each_demuxer(name: str) -> None:
    """Time base, first timestamp (an MP3's LAME encoder delay) and duration in ticks."""
    got, want = extract_bytes((MEDIA / name).read_bytes(), name), load(MEDIA / (name + ".json"))
    fields = ("time_base", "start_pts", "start_time", "duration_ts", "duration", "bits_per_raw_sample", "sample_fmt")
    assert {k: got["streams"][0].get(k) for k in fields} == {k: want["streams"][0].get(k) for k in fields}
    assert {k: got["format"].get(k) for k in ("start_time", "duration")} == {
        k: want["format"].get(k) for k in ("start_time", "duration")}


@needs_mediainfo
@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg (Debian ffmpeg) not installed")
@pytest.mark.parametrize(("codec", "suffix"), [("pcm_s24le", "wav"), ("pcm_mulaw", "au"), ("pcm_s16be", "aiff"),
                                               ("wavpack", "wv"), ("ac3", "ac3"), ("adpcm_ms", "wav")])
def test_raw_audio_containers_match_ffprobe(tmp_path: pathlib.Path, codec: str, suffix: str) -> None:
    """Codec tags (WAVE_FORMAT_EXTENSIBLE, AU encodings), layouts, sample formats and timing."""
    path = tmp_path / f"tone.{suffix}"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2",
                    "-c:a", codec, "-bitexact", str(path)], check=True)
    got, want = extract_bytes(path.read_bytes(), path.name), ffprobe_path(path)
    fields = ("codec_name", "codec_tag_string", "codec_tag", "sample_fmt", "channel_layout", "bits_per_raw_sample",
              "time_base", "start_pts", "duration_ts", "bit_rate")
    assert {k: got["streams"][0].get(k) for k in fields} == {k: want["streams"][0].get(k) for k in fields}


@needs_mediainfo
@pytest.mark.parametrize("name", ["vp9_opus.webm", "h264_aac.mkv", "h264_2audio_srt.mkv"])
def test_matroska_track_entries(name: str) -> None:
    """CodecPrivate sizes, the avcC options and the Opus codec delay's shift of the start."""
    got, want = extract_bytes((MEDIA / name).read_bytes(), name), load(MEDIA / (name + ".json"))
    fields = ("extradata_size", "is_avc", "nal_length_size", "has_b_frames", "start_pts", "start_time")
    for g, w in zip(got["streams"], want["streams"]):
        if w["codec_type"] in ("video", "audio"):
            assert {k: g.get(k) for k in fields if k in w} == {k: w[k] for k in fields if k in w}
    assert got["format"]["start_time"] == want["format"]["start_time"]
    assert [s.get("tags") for s in got["streams"]] == [s.get("tags") for s in want["streams"]]
    assert got["format"].get("tags") == want["format"].get("tags")


@needs_mediainfo
@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg (Debian ffmpeg) not installed")
def test_mpeg4_part2_decoder_fields(tmp_path: pathlib.Path) -> None:
    """From the VOL header in the esds, which MediaInfo reads."""
    path = tmp_path / "part2.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=25:duration=1", "-c:v", "mpeg4",
                    str(path)], check=True)
    got, want = extract_bytes(path.read_bytes(), path.name), ffprobe_path(path)
    fields = ("profile", "level", "has_b_frames", "quarter_sample", "divx_packed", "chroma_location", "refs")
    assert {k: got["streams"][0].get(k) for k in fields} == {k: want["streams"][0].get(k) for k in fields}


@needs_mediainfo
@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg (Debian ffmpeg) not installed")
def test_mpeg_program_stream_matches_ffprobe(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "clip.mpg"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=25:duration=1", "-f", "lavfi",
                    "-i", "sine=sample_rate=32000:duration=1", "-c:v", "mpeg2video", "-c:a", "mp2", str(path)], check=True)
    got, want = extract_bytes(path.read_bytes(), path.name), ffprobe_path(path)
    fields = ("codec_name", "profile", "codec_tag", "coded_width", "has_b_frames", "level", "color_range", "id",
              "sample_fmt", "time_base", "start_pts")
    for g, w in zip(got["streams"], want["streams"]):
        assert {k: g.get(k) for k in fields} == {k: w.get(k) for k in fields}


@needs_mediainfo
@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg (Debian ffmpeg) not installed")
def test_colour_description_names(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "pq.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:duration=0.2", "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace",
                    "bt2020nc", str(path)], check=True)
    got, want = extract_bytes(path.read_bytes(), path.name), ffprobe_path(path)
    fields = ("color_range", "color_space", "color_transfer", "color_primaries")
    assert {k: got["streams"][0].get(k) for k in fields} == {k: want["streams"][0].get(k) for k in fields}


@needs_mediainfo
@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg (Debian ffmpeg) not installed")
@pytest.mark.parametrize(("suffix", "pix_fmt"), [("avi", "yuvj444p"), ("mov", "yuvj420p"), ("avi", "yuvj422p")])
def test_mjpeg_fields_from_the_first_frame(tmp_path: pathlib.Path, suffix: str, pix_fmt: str) -> None:
    path = tmp_path / f"clip.{suffix}"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=25:duration=0.2",
                    "-c:v", "mjpeg", "-pix_fmt", pix_fmt, str(path)], check=True)
    got, want = extract_bytes(path.read_bytes(), path.name), ffprobe_path(path)
    fields = ("profile", "pix_fmt", "color_range", "color_space", "chroma_location", "bits_per_raw_sample")
    assert {k: got["streams"][0].get(k) for k in fields} == {k: want["streams"][0].get(k) for k in fields}
    assert got["streams"][0]["pix_fmt"] == pix_fmt


@needs_mediainfo
@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg (Debian ffmpeg) not installed")
def test_theora_pixel_format_and_coded_size(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "clip.ogv"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=72x40:rate=25:duration=0.2",
                    "-c:v", "libtheora", "-pix_fmt", "yuv422p", str(path)], check=True)
    got, want = extract_bytes(path.read_bytes(), path.name), ffprobe_path(path)
    fields = ("pix_fmt", "coded_width", "coded_height", "width", "height")
    assert {k: got["streams"][0].get(k) for k in fields} == {k: want["streams"][0].get(k) for k in fields}


def test_avi_reads_are_capped() -> None:
    """libmediainfo reads ~9 MiB of any large AVI's frames; its header and index say it all."""
    with open(MEDIA / "mpeg4_mp3.avi", "rb") as f:
        assert _read_budget(f) == dict(READ_BUDGETS)[b"RIFFAVI "]
        assert f.tell() == 0
    assert _read_budget(io.BytesIO((MEDIA / "pcm_stereo.wav").read_bytes())) is None


@needs_mediainfo
@pytest.mark.parametrize("name", ["h264_2audio_srt.mkv", "h264_aac_faststart.mp4", "aac.m4a", "mpeg4_mp3.avi", "h264_aac.ts"])
def test_dispositions_follow_the_container_flags(name: str) -> None:
    got, want = extract_bytes((MEDIA / name).read_bytes(), name), load(MEDIA / (name + ".json"))
    assert [s["disposition"] for s in got["streams"]] == [s["disposition"] for s in want["streams"]]


@needs_mediainfo
@pytest.mark.parametrize("name", ["cover.m4a", "cover.mp3", "attachments.mkv"])
def test_attached_pictures_have_their_disposition(name: str) -> None:
    got, want = extract_bytes((EXTRA / name).read_bytes(), name), load(EXTRA / (name + ".json"))
    assert [s["disposition"] for s in got["streams"]] == [s["disposition"] for s in want["streams"]]


@needs_mediainfo
def test_video_fields_ffprobe_always_prints_and_its_key_order() -> None:
    got, want = extract_bytes((MEDIA / "vp9_opus.webm").read_bytes(), "vp9_opus.webm"), load(MEDIA / "vp9_opus.webm.json")
    video, wanted = got["streams"][0], want["streams"][0]
    fixed = ("coded_width", "coded_height", "closed_captions", "film_grain", "has_b_frames", "level", "refs")
    assert {k: video.get(k) for k in fixed} == {k: wanted[k] for k in fixed}
    assert [k for k in video if k in wanted] == [k for k in wanted if k in video]
    assert got["format"]["probe_score"] == want["format"]["probe_score"]


def extract_bytes(data: bytes, name: str) -> dict[str, t.Any]:
    return registry.get_backend("mediainfo").extract(Source(io.BytesIO(data), name, None, len(data)))


def load(path: pathlib.Path) -> dict[str, t.Any]:
    with open(path, encoding="utf-8") as f:
        return t.cast("dict[str, t.Any]", json.load(f))


def ffprobe_bytes(data: bytes) -> dict[str, t.Any]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", "-"],
                         input=data, capture_output=True, check=True)
    return t.cast("dict[str, t.Any]", json.loads(out.stdout))


def ffprobe_path(path: pathlib.Path) -> dict[str, t.Any]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
                         capture_output=True, check=True)
    return t.cast("dict[str, t.Any]", json.loads(out.stdout))


def tag(kind: int, timestamp: int, body: bytes) -> bytes:
    """One FLV tag and the previous-tag-size field after it."""
    head = bytes([kind]) + len(body).to_bytes(3, "big") + (timestamp & 0xFFFFFF).to_bytes(3, "big")
    head += bytes([timestamp >> 24]) + b"\0\0\0"
    return head + body + struct.pack(">I", len(head) + len(body))


def flv_file(tags: list[bytes]) -> bytes:
    return b"FLV\x01\x05\0\0\0\x09\0\0\0\0" + b"".join(tags)


def amf_string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack(">H", len(raw)) + raw


def with_script_tag(flv: bytes, timestamp: int, name: str, values: dict[str, t.Any]) -> bytes:
    """``flv`` with a script tag (an AMF object of ``values``) after its first tag (``onMetaData``)."""
    body = b"\x02" + amf_string(name) + b"\x03"
    for key, value in values.items():
        body += amf_string(key)
        body += b"\x00" + struct.pack(">d", value) if isinstance(value, float) else b"\x02" + amf_string(value)
    body += amf_string("") + b"\x09"
    start = int.from_bytes(flv[5:9], "big") + 4
    first_end = start + 11 + int.from_bytes(flv[start + 1:start + 4], "big") + 4
    return flv[:first_end] + tag(18, timestamp, body) + flv[first_end:]


def realaudio4(codec: bytes, rate: int, channels: int, bytes_per_minute: int, title: bytes, copyright_: bytes) -> bytes:
    """A RealAudio 2.0 (version 4) header, laid out as ``rm_read_audio_stream_info()`` reads it."""
    body = b"\0\0" + b".ra4" + struct.pack(">IHIHII", 0, 4, 0x5D, 4, 348, 0) + struct.pack(">I", bytes_per_minute)
    body += struct.pack(">IHHHH", bytes_per_minute, 1, 348, 0, 0) + struct.pack(">HIH", rate, 16, channels)
    body += b"\x04Int0" + bytes([len(codec)]) + codec + b"\x00\x03\x00"
    for text in (title, b"", copyright_, b""):
        body += bytes([len(text)]) + text
    return b".ra\xfd" + struct.pack(">H", 4) + body
