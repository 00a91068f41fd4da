"""The ``pyav`` avinfo backend: the contract, the whole of ffprobe 5.1's JSON, and its helpers."""

from __future__ import annotations

import io
import json
import os
import pathlib
import shutil
import struct
import subprocess
import time
import typing as t

import pytest

from fop_middleware.avinfo import bitstream, ffmt, mp3
from fop_middleware.backends.pyav import compat, isobmff, mpegts
from fop_middleware.errors import BadRequest, ExtractorTimeout
from fop_middleware.extractor import Source

from avinfo_contract import BIG_SIZE, MEDIA, MEDIA_FILES, READ_BUDGET, AvinfoContract, CountingFile, big_moov_end_mp4, expected

av = pytest.importorskip("av")

from fop_middleware.backends.pyav import PyavExtractor  # noqa: E402

#: Clips made for these tests, each with ffprobe 5.1's answer (see README-pyav.md).
PYAV_FILES = sorted(p.name for p in MEDIA.glob("pyav-*") if p.suffix in (".mp4", ".mov", ".mkv"))


class TestPyav(AvinfoContract):
    backend_name = "pyav"


def extract(path: pathlib.Path, name: str | None = None, **source: t.Any) -> dict[str, t.Any]:
    with open(path, "rb") as f:
        return PyavExtractor().extract(Source(f, name or path.name, None, path.stat().st_size, **source))


def without_codec_time_base(answer: dict[str, t.Any]) -> dict[str, t.Any]:
    for stream in answer["streams"]:
        stream.pop("codec_time_base")
    return answer


@pytest.mark.parametrize("name", MEDIA_FILES)
def test_every_field_is_ffprobe_51s(name: str) -> None:
    """All fields, their JSON types and their order, not only the contract's core ones."""
    got = without_codec_time_base(extract(MEDIA / name))
    want = expected(name)
    assert got == want
    assert [list(s) for s in got["streams"]] == [list(s) for s in want["streams"]]
    assert list(got["format"]) == list(want["format"])


@pytest.mark.parametrize("name", PYAV_FILES)
def test_side_data_and_data_tracks_are_ffprobe_51s(name: str) -> None:
    """Display matrices, Dolby Vision and HDR side data, timecode tracks: PyAV shows none."""
    path = MEDIA / name
    want = json.loads((MEDIA / f"{path.stem}-{path.suffix[1:]}.expected.json").read_text(encoding="utf-8"))
    assert without_codec_time_base(extract(MEDIA / name)) == want


def test_side_data_order_and_values() -> None:
    video = extract(MEDIA / "pyav-dovi.mp4")["streams"][0]
    dovi, matrix = video["side_data_list"]
    assert (dovi["side_data_type"], dovi["dv_profile"], dovi["dv_level"]) == ("DOVI configuration record", 8, 4)
    assert (matrix["side_data_type"], matrix["rotation"]) == ("Display Matrix", -90)
    timecode = extract(MEDIA / "pyav-tmcd.mov")["streams"][2]
    assert (timecode["codec_tag_string"], timecode["tags"]["timecode"]) == ("tmcd", "10:00:00:00")


def test_codec_time_base_is_what_ffprobe_4_printed() -> None:
    streams = extract(MEDIA / "h264_2audio_srt.mkv")["streams"]
    # the example: "1/30" for 15 fps H.264, which counts two ticks per frame
    assert [s["codec_time_base"] for s in streams] == ["1/30", "1/44100", "1/48000", "0/1"]
    assert list(streams[0])[list(streams[0]).index("codec_type") + 1] == "codec_time_base"
    assert extract(MEDIA / "mpeg4_mp3.avi")["streams"][0]["codec_time_base"] == "1/15"


def test_filename_is_the_source_name() -> None:
    got = extract(MEDIA / "audio.flac", name="song.flac")
    assert got["format"]["filename"] == "song.flac"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"#EXTM3U\n#EXTINF:10,\nhttp://127.0.0.1:9/x.ts\n", id="hls-playlist"),
        pytest.param(b"ffconcat version 1.0\nfile '/etc/passwd'\n", id="concat-list"),
        pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200), id="jpeg"),
        pytest.param(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64), id="heic"),
    ],
)
def test_files_that_name_other_files_or_are_images_are_refused(tmp_path: pathlib.Path, data: bytes) -> None:
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    with pytest.raises(BadRequest) as caught:
        extract(path)
    assert caught.value.status == 400
    assert str(tmp_path) not in caught.value.message


def test_subtitle_text_is_media() -> None:
    backend = PyavExtractor()
    assert backend.accepts(b"WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n")
    assert backend.accepts(b"1\n00:00:00,000 --> 00:00:00,800\nhello\n")
    assert not backend.accepts(b"Just some text, no audio or video here.\n")
    assert backend.accepts(b"\x1aE\xdf\xa3" + bytes(60))


class SlowFile(io.RawIOBase):
    """A file that takes ``delay`` seconds per read, like a stalled upstream."""

    def __init__(self, path: pathlib.Path, delay: float) -> None:
        super().__init__()
        self._f = open(path, "rb")  # noqa: SIM115 - closed in close()
        self.delay = delay

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: t.Any) -> int:
        time.sleep(self.delay)
        return self._f.readinto(buffer) or 0

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._f.seek(offset, whence)

    def close(self) -> None:
        self._f.close()
        super().close()


def test_time_limit_is_a_599() -> None:
    path = MEDIA / "h264_aac.ts"
    with SlowFile(path, 0.05) as f, pytest.raises(ExtractorTimeout) as caught:
        PyavExtractor().extract(Source(f, path.name, None, path.stat().st_size, timeout=0.1))
    assert caught.value.status == 599


def test_big_moov_end_mp4_reads_a_few_kilobytes(tmp_path: pathlib.Path) -> None:
    """The moov of a 110 MB file sits at its end: one seek there, then the first samples."""
    path = big_moov_end_mp4(tmp_path / "big.mp4")
    stream = CountingFile(path)
    try:
        got = PyavExtractor().extract(Source(stream, path.name, None, BIG_SIZE))
    finally:
        stream.close()
    assert stream.bytes_read < READ_BUDGET // 16, stream.bytes_read
    want = expected("h264_aac_moov_end.mp4")
    assert got["format"]["size"] == str(BIG_SIZE)
    assert got["streams"][0]["nb_frames"] == want["streams"][0]["nb_frames"]


def test_av_reduce_rounds_like_libavutil() -> None:
    assert ffmt.av_reduce(1920 * 1, 1080 * 1, 1024 * 1024) == (16, 9)
    assert ffmt.av_reduce(720 * 64, 576 * 45, 1024 * 1024) == (16, 9)
    assert ffmt.av_reduce(3, 0, 255) == (1, 0)
    # pi with both terms capped at 100: the convergent 22/7 (333/106 is over the cap)
    assert ffmt.av_reduce(314159265, 100000000, 100) == (22, 7)
    assert ffmt.av_reduce(-6, 4, 10) == (-3, 2)


def test_fourcc_prints_unprintable_bytes_as_numbers() -> None:
    assert ffmt.fourcc(0x31637661) == "avc1"
    assert ffmt.fourcc(0x2000) == "[0] [0][0]"
    assert ffmt.fourcc(0x0001) == "[1][0][0][0]"


def test_rescale_rounds_halves_away_from_zero() -> None:
    assert compat.rescale(1, 3, 2) == 2
    assert compat.rescale(-1, 3, 2) == -2
    assert compat.rescale_q(6_500_000, (1, 1_000_000_000), (1, 1000)) == 7


def test_display_matrix_text_and_rotation() -> None:
    entry = isobmff.display_matrix_side_data((0, 65536, 0, -65536, 0, 0, 0, 0, 1 << 30))
    assert entry["displaymatrix"].splitlines()[1] == "00000000:            0       65536           0"
    assert entry["rotation"] == -90


def test_vbr_frame_count_of_a_lame_mp3() -> None:
    with open(MEDIA / "cbr_id3.mp3", "rb") as f:
        head = mp3.read_head(f, (MEDIA / "cbr_id3.mp3").stat().st_size)
    assert head is not None and head.vbr_tag
    frames, samples_per_frame, sample_rate = head.frames, head.samples_per_frame, head.sample_rate
    duration = float(expected("cbr_id3.mp3")["streams"][0]["duration"])
    assert (samples_per_frame, sample_rate) == (1152, 44100)
    assert frames * samples_per_frame / sample_rate == pytest.approx(duration, abs=1e-6)


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe (Debian ffmpeg) not installed")
def test_generated_containers_match_ffprobe(tmp_path: pathlib.Path) -> None:
    """Containers the committed files do not cover, made and probed by the local FFmpeg."""
    version = subprocess.run(["ffprobe", "-version"], capture_output=True, text=True, check=False).stdout
    if not version.startswith("ffprobe version 5.1"):
        pytest.skip("answers are compared with ffprobe 5.1")
    source = MEDIA / "h264_aac_faststart.mp4"
    for name, args in {
        "clip.mov": ["-c", "copy"],
        "clip.flv": ["-c", "copy"],
        "clip.mkv": ["-c:v", "copy", "-c:a", "libopus", "-b:a", "24k"],
        "clip.m4a": ["-vn", "-c:a", "copy"],
        "clip.wav": ["-vn", "-c:a", "pcm_s24le"],
        "clip.mp3": ["-vn", "-c:a", "libmp3lame", "-q:a", "5"],
    }.items():
        out = tmp_path / name
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source), *args, str(out)], check=True)
        probe = subprocess.run(
            ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-print_format", "json", name],
            capture_output=True, text=True, check=True, cwd=tmp_path,
        )
        assert without_codec_time_base(extract(out)) == json.loads(probe.stdout), name


def test_mpeg2_cpb_properties_come_from_the_sequence_header() -> None:
    # 720x576, 25 fps, bit_rate 8 Mb/s (20000 x 400), VBV buffer 112 x 16 KiB
    header = b"\x00\x00\x01\xb3" + bytes.fromhex("2d02401313882380")
    cpb = bitstream.mpeg2_cpb(header)
    assert cpb is not None
    assert (cpb["max_bitrate"], cpb["buffer_size"], cpb["vbv_delay"]) == (8_000_000, 1_835_008, -1)
    # 320x240 with the VBR marker 0x3FFFF as its bit rate, as FFmpeg writes it
    vbr = b"\x00\x00\x01\xb3" + bytes.fromhex("1400f023ffffe018")
    assert (bitstream.mpeg2_cpb(vbr) or {}).get("max_bitrate") == 0


def pat_packet(programs: list[int]) -> bytes:
    entries = b"".join(struct.pack(">HH", number, 0xE000 | (0x100 + i)) for i, number in enumerate(programs))
    section = b"\x00" + struct.pack(">H", 0xB000 | (5 + len(entries) + 4)) + b"\x00\x01\xc1\x00\x00" + entries + bytes(4)
    packet = b"\x47\x40\x00\x10\x00" + section
    return packet + b"\xff" * (188 - len(packet))


def test_transport_stream_program_count() -> None:
    null = b"\x47\x1f\xff\x10" + bytes(184)
    stream = io.BytesIO(null * 3 + pat_packet([0, 1, 2]) + null)
    assert mpegts.program_count(stream) == 2  # program 0 is the network PID, not a program
    with open(MEDIA / "h264_aac.ts", "rb") as f:
        assert mpegts.program_count(f) == expected("h264_aac.ts")["format"]["nb_programs"]
    assert mpegts.program_count(io.BytesIO(b"not a transport stream" * 100)) is None


def test_dvd_subtitle_size_from_its_idx_header() -> None:
    assert bitstream.dvd_subtitle_size(b"# VobSub index file\nsize: 720x576\norg: 0, 0\n") == (720, 576)
    assert bitstream.dvd_subtitle_size(b"palette: 000000") is None


def test_h264_chroma_location_from_the_sps(tmp_path: pathlib.Path) -> None:
    with open(MEDIA / "h264_aac_faststart.mp4", "rb") as f:
        got = PyavExtractor().extract(Source(f, "a.mp4", None, None))
    assert got["streams"][0]["chroma_location"] == "left"  # x264's VUI has no chroma location
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg (Debian ffmpeg) not installed")
    out = tmp_path / "chromaloc.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=5:duration=0.4",
         "-c:v", "libx264", "-x264-params", "chromaloc=2", str(out)],
        check=True,
    )  # fmt: skip
    assert extract(out)["streams"][0]["chroma_location"] == "topleft"
    hevc = tmp_path / "hevc.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=5:duration=0.4",
         "-c:v", "libx265", "-x265-params", "log-level=error:chromaloc=2", str(hevc)],
        check=True,
    )  # fmt: skip
    assert extract(hevc)["streams"][0]["chroma_location"] == "topleft"
    assert extract(MEDIA / "pyav-dovi.mp4")["streams"][0]["chroma_location"] == "left"


def test_av1_chroma_location_from_the_av1c_record() -> None:
    # marker|version, profile|level, tier..subsampling|chroma_sample_position, delay
    assert bitstream.av1_chroma_location(bytes([0x81, 0x04, 0x0D, 0x00])) == "left"
    assert bitstream.av1_chroma_location(bytes([0x81, 0x04, 0x0E, 0x00])) == "topleft"
    assert bitstream.av1_chroma_location(bytes([0x81, 0x04, 0x0C, 0x00])) is None


class HighByteTag:
    """A codec context whose tag PyAV cannot decode as ASCII, as for AAC in AVI (0x00FF)."""

    @property
    def codec_tag(self) -> str:
        return (0xFF).to_bytes(4, "little").decode("ascii")


def test_codec_tags_with_bytes_over_127() -> None:
    from fop_middleware.backends.pyav import streams

    assert streams._codec_tag(HighByteTag()) == 0xFF
    assert ffmt.fourcc(0xFF) == "[255][0][0][0]"


@pytest.mark.parametrize(
    ("tag_size", "name", "score"),
    [
        pytest.param(4_000, "song.mp3", 51, id="small-id3"),
        pytest.param(2_000_000, "song.mp3", 50, id="id3-over-probe-buffer"),
        pytest.param(2_000_000, "song", 48, id="id3-over-probe-buffer-no-extension"),
    ],
)
def test_mp3_probe_score_with_big_id3_tags(tag_size: int, name: str, score: int) -> None:
    from fop_middleware.backends.pyav.probe import probe_score

    synchsafe = bytes((tag_size >> shift) & 0x7F for shift in (21, 14, 7, 0))
    assert probe_score("mp3", b"ID3\x03\x00\x00" + synchsafe, name) == score


def test_custom_channel_order_of_a_mov_chan_box(tmp_path: pathlib.Path) -> None:
    """PyAV 18 double-frees a custom-order layout read twice; 5.1 named its channel mask."""
    from fop_middleware.backends.pyav import layouts

    assert layouts.as_51("8 channels (FL+FR+FC+LFE+SL+SR+BL+BR)") == "7.1"
    assert layouts.as_51("3 channels (LFE+FR+FL)") == "2.1"
    assert layouts.as_51("2 channels (FC+LFE2)") == "2 channels (FC+LFE2)"
    assert layouts.as_51("5.1(side)") == "5.1(side)"
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg (Debian ffmpeg) not installed")
    out = tmp_path / "chan.mov"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=d=0.2,aformat=channel_layouts=7.1",
         "-c:a", "pcm_s16le", str(out)],
        check=True,
    )  # fmt: skip
    for _ in range(3):  # each answer reads the layout once; none may free it twice
        audio = extract(out)["streams"][0]
        assert (audio["channels"], audio["channel_layout"]) == (8, "7.1")


def test_hdr_boxes_of_a_sample_entry() -> None:
    mdcv = struct.pack(">8H2I", 13250, 34500, 7500, 3000, 34000, 16000, 15635, 16450, 10_000_000, 50)
    entry = bytes(86) + struct.pack(">I", 32) + b"mdcv" + mdcv + struct.pack(">I", 12) + b"clli" + struct.pack(">HH", 1000, 400)
    mastering, light = isobmff.Track(entry=entry).hdr_side_data
    # mdcv lists green, blue, red; ffprobe prints red first, ratios unreduced
    assert (mastering["red_x"], mastering["green_y"], mastering["min_luminance"]) == ("34000/50000", "34500/50000", "50/10000")
    assert (light["max_content"], light["max_average"]) == (1000, 400)


def test_an_old_pyav_is_unavailable_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(av, "__version__", "17.1.0")
    status = PyavExtractor().availability()
    assert not status.ok
    assert "PyAV 17.1.0 is too old" in status.reason


def test_the_installed_pyav_is_available() -> None:
    assert PyavExtractor().availability().ok == (int(av.__version__.split(".")[0]) >= 18)
