"""The ``mediainfo`` avinfo backend: the contract, plus the mapping rules it relies on."""

from __future__ import annotations

import base64
import io
import json
import pathlib
import shutil
import struct
import subprocess
import typing as t

import pytest
from PIL import Image

from fop_middleware import registry
from fop_middleware.backends.mediainfo.codecs import codec_name
from fop_middleware.backends.mediainfo.pictures import describe_picture
from fop_middleware.errors import ExtractorTimeout
from fop_middleware.extractor import Source

from avinfo_contract import MEDIA, READ_BUDGET, AvinfoContract, CountingFile, core_differences, expected

EXTRA = pathlib.Path(__file__).parent / "files" / "media-extra"
#: Fields of attached pictures and attachments that MediaInfo's report decides.
ATTACHED_FIELDS = ("codec_name", "profile", "codec_type", "codec_tag_string", "width", "height", "coded_width",
                   "coded_height", "sample_aspect_ratio", "display_aspect_ratio", "pix_fmt", "level", "color_range",
                   "color_space", "chroma_location", "refs", "id", "r_frame_rate", "avg_frame_rate", "time_base",
                   "start_pts", "start_time", "duration_ts", "duration", "bits_per_raw_sample", "disposition")

MEDIAINFO = registry.availability("mediainfo")
needs_mediainfo = pytest.mark.skipif(not MEDIAINFO.ok, reason=f"mediainfo unavailable: {MEDIAINFO.reason}")


class TestMediainfo(AvinfoContract):
    backend_name = "mediainfo"
    known_differences = {
        # one second of MPEG-TS: MediaInfo counts the video from the PES it reads at parse
        # speed 0 (0.8 s), and ffprobe estimates the audio from its bit rate (0.77 s)
        ("h264_aac.ts", "streams.0.duration"): "MediaInfo at parse speed 0",
        ("h264_aac.ts", "streams.1.duration"): "ffprobe's bit-rate estimate",
    }


@pytest.mark.parametrize(
    ("track", "container", "name"),
    [
        pytest.param({"@type": "Audio", "Format": "MPEG Audio", "Format_Profile": "Layer 2"}, "mpegts", "mp2", id="mp2"),
        pytest.param({"@type": "Audio", "Format": "MPEG Audio"}, "mp3", "mp3", id="mp3-no-profile"),
        pytest.param({"@type": "Video", "Format": "MPEG Video", "Format_Version": "Version 2"}, "mpeg", "mpeg2video", id="mpeg2"),
        pytest.param({"@type": "Video", "Format": "MPEG Video", "Format_Version": "Version 1"}, "mpeg", "mpeg1video", id="mpeg1"),
        pytest.param({"@type": "Audio", "Format": "PCM", "BitDepth": "8"}, "aiff", "pcm_s8", id="aiff-8bit-signed"),
        pytest.param({"@type": "Audio", "Format": "PCM", "BitDepth": "8"}, "wav", "pcm_u8", id="wav-8bit-unsigned"),
        pytest.param({"@type": "Audio", "Format": "PCM", "BitDepth": "24", "Format_Settings_Endianness": "Big"}, "mov,mp4,m4a,3gp,3g2,mj2", "pcm_s24be", id="pcm-24be"),
        pytest.param({"@type": "Audio", "Format": "PCM", "BitDepth": "32", "Format_Profile": "Float"}, "wav", "pcm_f32le", id="wav-float"),
        pytest.param({"@type": "Audio", "Format": "ADPCM", "Format_Profile": "U-Law", "CodecID": "7"}, "wav", "pcm_mulaw", id="wav-ulaw"),
        pytest.param({"@type": "Audio", "Format": "ADPCM", "CodecID": "2"}, "wav", "adpcm_ms", id="wav-adpcm-ms"),
        pytest.param({"@type": "Audio", "Format": "ADPCM", "CodecID": "8-bit mu-law"}, "au", "pcm_mulaw", id="au-ulaw"),
        pytest.param({"@type": "Audio", "Format": "PCM", "CodecID": "16-bit signed linear"}, "au", "pcm_s16be", id="au-s16"),
        pytest.param({"@type": "Audio", "Format": "PCM", "CodecID": "alaw", "BitDepth": "8"}, "aiff", "pcm_alaw", id="aifc-alaw"),
        pytest.param({"@type": "Audio", "Format": "WMA", "CodecID": "161"}, "asf", "wmav2", id="wma2"),
        pytest.param({"@type": "Video", "Format": "MPEG-4 Visual", "CodecID": "XVID"}, "avi", "mpeg4", id="xvid"),
        pytest.param({"@type": "Text", "Format": "UTF-8", "CodecID": "S_TEXT/UTF8"}, "matroska,webm", "subrip", id="mkv-srt"),
        pytest.param({"@type": "Video", "Format": "Nonesuch"}, "avi", "", id="unknown"),
    ],
)
def test_codec_names(track: dict[str, t.Any], container: str, name: str) -> None:
    assert codec_name(track, container) == name


@needs_mediainfo
def test_cover_art_is_a_video_stream_after_the_audio() -> None:
    """ffprobe lists an ID3 APIC picture as a video stream; so must the mapping."""
    data = with_cover((MEDIA / "cbr_id3.mp3").read_bytes(), (40, 30))
    got = registry.get_backend("mediainfo").extract(Source(io.BytesIO(data), "song.mp3", None, len(data)))
    assert [(s["index"], s["codec_type"], s.get("codec_name")) for s in got["streams"]] == [
        (0, "audio", "mp3"),
        (1, "video", "mjpeg"),
    ]
    assert got["format"]["nb_streams"] == 2
    assert (got["streams"][1].get("width"), got["streams"][1].get("height")) in ((40, 30), (None, None))


@needs_mediainfo
def test_pcm_bit_rate_is_computed_like_libavcodec() -> None:
    got = extract(MEDIA / "pcm_stereo.wav")
    audio = got["streams"][0]
    assert audio["codec_name"] == "pcm_s16le"
    assert audio["bit_rate"] == str(44100 * 2 * 16)
    assert audio["bits_per_sample"] == 16 and audio["sample_fmt"] == "s16"


@needs_mediainfo
def test_languages_become_ffprobe_codes() -> None:
    languages = [s.get("tags", {}).get("language") for s in extract(MEDIA / "h264_2audio_srt.mkv")["streams"]]
    # MediaInfo says "fr" for both ISO 639-2 French codes; Matroska's own form is "fre"
    assert languages[1] == languages[3] == "eng" and languages[2] in ("fre", "fra")
    assert {s.get("tags", {}).get("language") for s in extract(MEDIA / "h264_aac_faststart.mp4")["streams"]} == {"und"}


@needs_mediainfo
def test_big_mpeg_ts_is_read_in_part(tmp_path: pathlib.Path) -> None:
    """libmediainfo scans the first 64 MB of a TS by default; the backend caps it."""
    clip = (MEDIA / "h264_aac.ts").read_bytes()
    null_packet = b"\x47\x1f\xff\x10" + b"\xff" * 184  # PID 0x1FFF: padding
    path = tmp_path / "big.ts"
    with open(path, "wb") as f:
        f.write(clip)
        for _ in range(40):
            f.write(null_packet * 5577)  # ~1 MiB a time
    stream = CountingFile(path)
    try:
        got = registry.get_backend("mediainfo").extract(Source(t.cast("t.BinaryIO", stream), path.name, None, path.stat().st_size))
    finally:
        stream.close()
    assert stream.bytes_read < READ_BUDGET, f"read {stream.bytes_read} of {path.stat().st_size} bytes"
    assert [s["codec_name"] for s in got["streams"]] == [s["codec_name"] for s in expected("h264_aac.ts")["streams"]]


@needs_mediainfo
def test_matroska_frame_rate_from_a_bounded_second_look() -> None:
    path = MEDIA / "h264_aac.mkv"
    stream = CountingFile(path)
    try:
        got = registry.get_backend("mediainfo").extract(Source(t.cast("t.BinaryIO", stream), path.name, None, path.stat().st_size))
        assert not stream.closed
    finally:
        stream.close()
    video = expected(path.name)["streams"][0]
    assert (got["streams"][0]["r_frame_rate"], got["streams"][0]["avg_frame_rate"]) == (video["r_frame_rate"], video["avg_frame_rate"])


@pytest.mark.parametrize(
    ("mode", "fmt", "options", "want"),
    [
        pytest.param("RGB", "JPEG", {"subsampling": 2}, ("mjpeg", "yuvj420p"), id="jpeg-420"),
        pytest.param("RGB", "JPEG", {"subsampling": 0}, ("mjpeg", "yuvj444p"), id="jpeg-444"),
        pytest.param("L", "JPEG", {}, ("mjpeg", "gray"), id="jpeg-gray"),
        pytest.param("RGB", "JPEG", {"subsampling": 1, "progressive": True}, ("mjpeg", "yuvj422p"), id="jpeg-progressive-422"),
        pytest.param("RGBA", "PNG", {}, ("png", "rgba"), id="png-rgba"),
        pytest.param("P", "PNG", {}, ("png", "pal8"), id="png-palette"),
        pytest.param("1", "PNG", {}, ("png", "monob"), id="png-1bit"),
    ],
)
def test_cover_pictures_are_described_like_ffmpeg(mode: str, fmt: str, options: dict[str, t.Any], want: tuple[str, str]) -> None:
    image = io.BytesIO()
    Image.new(mode, (33, 17)).save(image, fmt, **options)
    info = describe_picture(base64.b64encode(image.getvalue()).decode())
    assert (info["codec_name"], info["pix_fmt"], info["width"], info["height"]) == (*want, 33, 17)


def test_a_damaged_cover_keeps_its_codec() -> None:
    assert describe_picture(base64.b64encode(b"\xff\xd8\xff\xe0\x00").decode()) == {"codec_name": "mjpeg"}
    assert describe_picture(base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()) == {"codec_name": "png"}


def test_a_flac_picture_block_is_unwrapped() -> None:
    assert describe_picture(base64.b64encode(flac_picture_block(png_bytes((20, 10)))).decode())["codec_name"] == "png"
    assert describe_picture(base64.b64encode(b"<Dummy cover art>").decode()) == {}


@needs_mediainfo
def test_flac_cover_matches_ffprobe(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "cover.flac"
    path.write_bytes(flac_with_picture((MEDIA / "audio.flac").read_bytes(), png_bytes((24, 12))))
    cover = extract(path)["streams"][1]
    want = {"codec_name": "png", "codec_type": "video", "width": 24, "height": 12, "pix_fmt": "rgb24"}
    if shutil.which("ffprobe"):
        out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path)], capture_output=True, check=True)
        want = {k: json.loads(out.stdout)["streams"][1][k] for k in want}
    assert {k: cover.get(k) for k in want} == want


@needs_mediainfo
@pytest.mark.parametrize("name", ["attachments.mkv", "cover.m4a", "cover.mp3"])
def test_covers_and_attachments_are_streams_like_ffprobe(name: str) -> None:
    got = extract(EXTRA / name)
    with open(EXTRA / (name + ".json"), encoding="utf-8") as f:
        want = json.load(f)
    assert len(got["streams"]) == len(want["streams"]) == got["format"]["nb_streams"]
    assert core_differences(got, want) == {}
    for g, w in zip(got["streams"], want["streams"]):
        if w["codec_type"] == "attachment" or w.get("disposition", {}).get("attached_pic"):
            assert {k: g.get(k) for k in ATTACHED_FIELDS if k in w} == {k: w[k] for k in ATTACHED_FIELDS if k in w}
            assert abs(float(g["duration"]) - float(w["duration"])) <= 0.05


@needs_mediainfo
def test_codec_time_base_as_ffprobe_4_printed_it() -> None:
    streams = extract(MEDIA / "h264_2audio_srt.mkv")["streams"]
    assert [s.get("codec_time_base") for s in streams] == ["1/30", "1/44100", "1/48000", "0/1"]


@needs_mediainfo
def test_time_limit_is_a_599() -> None:
    path = MEDIA / "h264_aac_faststart.mp4"
    with open(path, "rb") as f, pytest.raises(ExtractorTimeout) as caught:
        registry.get_backend("mediainfo").extract(Source(f, path.name, str(path), timeout=0.0))
    assert caught.value.status == 599


def extract(path: pathlib.Path) -> dict[str, t.Any]:
    with open(path, "rb") as f:
        return registry.get_backend("mediainfo").extract(Source(f, path.name, str(path), path.stat().st_size))


def with_cover(mp3: bytes, size: tuple[int, int]) -> bytes:
    """``mp3`` with its ID3v2 tag replaced by one holding a title and a JPEG front cover."""
    if mp3.startswith(b"ID3"):
        mp3 = mp3[10 + syncsafe(mp3[6:10]) :]
    jpeg = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(jpeg, "JPEG")
    frames = id3_frame(b"TIT2", b"\x00Cover test") + id3_frame(b"APIC", b"\x00image/jpeg\x00\x03\x00" + jpeg.getvalue())
    return b"ID3\x03\x00\x00" + to_syncsafe(len(frames)) + frames + mp3


def id3_frame(frame_id: bytes, body: bytes) -> bytes:
    return frame_id + struct.pack(">IH", len(body), 0) + body


def syncsafe(data: bytes) -> int:
    return (data[0] << 21) | (data[1] << 14) | (data[2] << 7) | data[3]


def to_syncsafe(n: int) -> bytes:
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def png_bytes(size: tuple[int, int]) -> bytes:
    image = io.BytesIO()
    Image.new("RGB", size, (200, 100, 0)).save(image, "PNG")
    return image.getvalue()


def flac_picture_block(image: bytes) -> bytes:
    """A FLAC ``METADATA_BLOCK_PICTURE`` body: a front cover (type 3)."""
    mime = b"image/png"
    return struct.pack(">II", 3, len(mime)) + mime + struct.pack(">I", 0) + struct.pack(">IIIII", 0, 0, 24, 0, len(image)) + image


def flac_with_picture(flac: bytes, image: bytes) -> bytes:
    """``flac`` with a PICTURE metadata block added after its STREAMINFO."""
    assert flac[:4] == b"fLaC"
    streaminfo_end = 4 + 4 + int.from_bytes(flac[5:8], "big")
    last = flac[4] & 0x80
    body = flac_picture_block(image)
    first = bytes([flac[4] & 0x7F]) + flac[5:streaminfo_end]
    picture = bytes([6 | last]) + len(body).to_bytes(3, "big") + body
    return flac[:4] + first + picture + flac[streaminfo_end:]
