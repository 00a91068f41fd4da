"""The ``libexif`` exif backend through the registry, the runner and the CLI.

Expected answers are libexif 0.6.24's, committed next to ``tests/files/images`` (see the
README there); the last test compares live with Debian's ``exif`` command when installed.
"""

from __future__ import annotations

import io
import json
import pathlib
import random
import shutil
import struct
import subprocess

import pytest

from conftest import CountingFile
from fop_middleware import registry
from fop_middleware.cli import extract_file
from fop_middleware.errors import BadRequest, FopError, NoExifData, UnsupportedFile
from fop_middleware.exif.tags import TAG_TABLE
from fop_middleware.extractor import Source
from fop_middleware.runner import run

IMAGES = pathlib.Path(__file__).parent / "files" / "images"
CORE = pathlib.Path(__file__).parent / "files" / "core"


@pytest.fixture
def backend(clean_registry: None) -> registry.Extractor:
    return registry.get_backend("libexif")


def answer_of(path: pathlib.Path) -> dict[str, object]:
    return json.loads((IMAGES / f"{path.name}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def extract(backend: registry.Extractor, data: bytes) -> dict[str, object]:
    with io.BytesIO(data) as f:
        return run("exif", Source(f, "photo.jpg", size=len(data)), [backend])


def test_registered_as_the_exif_backend(backend: registry.Extractor) -> None:
    assert backend.name == "libexif"
    assert backend.operation == "exif"
    assert backend.is_available()
    assert registry.DEFAULT_ORDER["exif"][0] == "libexif"


@pytest.mark.parametrize(
    "head",
    [
        pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", id="jpeg"),
        pytest.param(b"II*\x00\x08\x00\x00\x00", id="tiff"),
        pytest.param(b"MM\x00*\x00\x00\x00\x08", id="tiff-be"),
        pytest.param(b"IIRO\x08\x00\x00\x00", id="orf"),
        pytest.param(b"IIU\x00\x18\x00\x00\x00", id="rw2"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", id="png"),
        pytest.param(b"RIFF\x00\x10\x00\x00WEBPVP8 ", id="webp"),
        pytest.param(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", id="heic"),
        pytest.param(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", id="avif"),
        pytest.param(b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", id="heif"),
        pytest.param(b"\x00\x00\x00\x0cJXL \r\n\x87\n", id="jpeg-xl"),
        pytest.param(b"FUJIFILMCCD-RAW 0201", id="raf"),
        pytest.param(b"GIF89a\x01\x00", id="gif"),
    ],
)
def test_accepts_images(backend: registry.Extractor, head: bytes) -> None:
    assert backend.accepts(head)


@pytest.mark.parametrize(
    "head",
    [
        pytest.param(b"hello, world\n", id="text"),
        pytest.param(b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41", id="mp4"),
        pytest.param(b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", id="mov"),
        pytest.param(b"RIFF\x24\x00\x00\x00WAVEfmt ", id="wav"),
        pytest.param(b"\x1aE\xdf\xa3\x01\x00\x00\x00", id="mkv"),
        pytest.param(b"%PDF-1.7\n", id="pdf"),
        pytest.param(b"\xff\xfb\x90\x64\x00", id="mp3-frame"),
        pytest.param(b"\xff\xf1\x50\x80", id="aac-adts"),
    ],
)
def test_refuses_non_images(backend: registry.Extractor, head: bytes) -> None:
    assert not backend.accepts(head)


@pytest.mark.parametrize("name", ["camera.jpg", "camera.heic", "intel.tif", "motorola.tif"])
def test_cli_answer_is_libexifs(name: str) -> None:
    assert extract_file("exif", str(IMAGES / name), "libexif") == answer_of(IMAGES / name)


def test_text_file_is_unsupported(backend: registry.Extractor) -> None:
    with pytest.raises(UnsupportedFile) as caught:
        extract(backend, (CORE / "notes.txt").read_bytes())
    assert caught.value.status == 400


def test_jpeg_without_exif(backend: registry.Extractor) -> None:
    with pytest.raises(NoExifData) as caught:
        extract(backend, (CORE / "noexif.jpg").read_bytes())
    assert caught.value.as_dict() == {"code": 400, "error": "no exif data"}


def test_stream_is_left_open_and_unread_past_the_exif(backend: registry.Extractor) -> None:
    f = CountingFile(IMAGES / "camera.jpg")
    try:
        answer = run("exif", Source(f, "camera.jpg"), [backend])
        assert answer == answer_of(IMAGES / "camera.jpg")
        assert f.close_calls == 0
        assert not f.closed
    finally:
        f.close()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\xff\xd8\xff\xe1\xff\xffExif\x00\x00MM\x00*\xff\xff\xff\xff", id="app1-longer-than-file"),
        pytest.param(b"RIFF\x04\x00\x00\x00WEBP", id="webp-without-chunks"),
        pytest.param(b"RIFF\xff\xff\xff\xffWEBPEXIF\xff\xff\xff\xff", id="webp-huge-exif-chunk"),
        pytest.param(b"\x89PNG\r\n\x1a\n\xff\xff\xff\xffeXIf", id="png-huge-exif-chunk"),
        pytest.param(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic\x00\x00\x00\x01meta", id="heif-truncated-box"),
        pytest.param(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic\xff\xff\xff\xffmeta\x00", id="heif-huge-meta"),
        pytest.param(b"II*\x00\xff\xff\xff\x7f", id="tiff-ifd-outside"),
        pytest.param(b"\x00\x00\x00\x0cJXL \r\n\x87\n\x00\x00\x00\x0cExif\xff\xff\xff\xff", id="jxl-bad-offset"),
    ],
)
def test_corrupt_files_are_a_clean_400(backend: registry.Extractor, data: bytes) -> None:
    with pytest.raises(BadRequest) as caught:
        extract(backend, data)
    assert caught.value.status == 400
    assert "/" not in caught.value.message


@pytest.mark.parametrize("name", ["camera.jpg", "camera.heic", "camera.png", "camera.webp", "intel.tif"])
def test_random_damage_never_crashes(backend: registry.Extractor, name: str) -> None:
    original = (IMAGES / name).read_bytes()
    rng = random.Random(name)
    for _ in range(150):
        data = bytearray(original)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(data))
            data[at : at + 4] = rng.randbytes(4)
        if rng.random() < 0.3:
            del data[rng.randrange(8, len(data)) :]
        try:
            answer = extract(backend, bytes(data))
        except FopError as e:
            assert e.status == 400, e
            continue
        assert all(set(value) == {"val", "type"} for value in answer.values())


def exif_command_lines(path: pathlib.Path) -> list[tuple[int, str]]:
    done = subprocess.run(["exif", "-m", "-i", str(path)], capture_output=True, check=True, env={"LC_ALL": "C"})
    lines = []
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        tag, _, value = line.partition("\t")
        if tag.startswith("0x"):
            lines.append((int(tag, 16), value))
    return lines


@pytest.mark.skipif(shutil.which("exif") is None, reason="exif (Debian exif) not installed")
def test_values_match_the_exif_command() -> None:
    path = IMAGES / "camera.jpg"
    answer = extract_file("exif", str(path), "libexif")
    names: dict[int, set[str]] = {}
    for tag, name, _ in TAG_TABLE:
        names.setdefault(tag, set()).update({name, f"thumbnail:{name}"})
    lines = exif_command_lines(path)
    assert len(lines) == len(answer)
    for tag, value in lines:
        assert value in {answer[key]["val"] for key in names[tag] if key in answer}, hex(tag)  # type: ignore[index]


def test_exif_in_a_big_header_segment_is_found(backend: registry.Extractor) -> None:
    app1 = (IMAGES / "camera.jpg").read_bytes()
    at = app1.index(b"Exif\x00\x00")
    payload = app1[at : at - 2 + struct.unpack(">H", app1[at - 2 : at])[0]]
    icc = b"\xff\xe2\xff\xf0" + bytes(0xFFEE)
    data = b"\xff\xd8" + icc * 5 + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + b"\xff\xd9"
    assert extract(backend, data) == answer_of(IMAGES / "camera.jpg")
