"""``fop_middleware.exif.containers`` and ``exif_loader``: finding the EXIF block in each container.

The expected answers next to the files in ``tests/files/images`` were printed by libexif
0.6.24 (see the README there); containers libexif cannot open carry the same block as a
file it can, and must give the same answer.
"""

from __future__ import annotations

import io
import json
import pathlib
import struct
import typing as t

import pytest

from conftest import CountingFile, big_jpeg
from fop_middleware.errors import NoExifData
from fop_middleware.exif import read_exif
from fop_middleware.exif.containers import TIFF_BYTES
from fop_middleware.exif.exif_loader import loader_block

IMAGES = pathlib.Path(__file__).parent / "files" / "images"


def expected(name: str) -> dict[str, object]:
    return json.loads((IMAGES / f"{name}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def exif_of(data: bytes) -> dict[str, object]:
    return read_exif(io.BytesIO(data))


@pytest.mark.parametrize(
    ("name", "reference"),
    [
        pytest.param("camera.jpg", "camera.jpg", id="jpeg"),
        pytest.param("camera.heic", "camera.heic", id="heif"),
        pytest.param("intel.tif", "intel.tif", id="tiff-intel"),
        pytest.param("motorola.tif", "motorola.tif", id="tiff-motorola"),
        pytest.param("camera.png", "camera.jpg", id="png-exif-chunk"),
        pytest.param("camera.webp", "camera.jpg", id="webp-exif-chunk"),
        pytest.param("camera.jxl", "camera.jpg", id="jpeg-xl-exif-box"),
        pytest.param("intel.orf", "intel.tif", id="olympus-orf"),
        pytest.param("intel.rw2", "intel.tif", id="panasonic-rw2"),
    ],
)
def test_container_answers_like_libexif(name: str, reference: str) -> None:
    with open(IMAGES / name, "rb") as f:
        answer = read_exif(f)
    assert answer == expected(reference)
    assert list(answer) == sorted(answer)


def test_image_without_exif() -> None:
    with open(IMAGES / "noexif.png", "rb") as f, pytest.raises(NoExifData) as caught:
        read_exif(f)
    assert caught.value.message == "no exif data"
    assert caught.value.status == 400


def jpeg(*segments: tuple[int, bytes], tail: bytes = b"\xff\xd9") -> bytes:
    body = b"".join(bytes([0xFF, marker]) + struct.pack(">H", len(p) + 2) + p for marker, p in segments)
    return b"\xff\xd8" + body + tail


def camera_app1() -> bytes:
    """The ``Exif\\0\\0`` payload of ``camera.jpg``'s APP1."""
    data = (IMAGES / "camera.jpg").read_bytes()
    at = data.index(b"Exif\x00\x00")
    return data[at : at - 2 + struct.unpack(">H", data[at - 2 : at])[0]]


def test_exif_after_other_app_segments() -> None:
    data = jpeg((0xE0, b"JFIF\0" + bytes(9)), (0xE2, b"ICC_PROFILE\0" + bytes(300)), (0xE1, camera_app1()))
    assert exif_of(data) == expected("camera.jpg")


def test_xmp_app1_before_exif_is_skipped() -> None:
    data = jpeg((0xE1, b"http://ns.adobe.com/xap/1.0/\0<x/>"), (0xE1, camera_app1()))
    assert exif_of(data) == expected("camera.jpg")


def test_app1_at_the_end_of_a_loader_window_is_taken_blindly() -> None:
    # libexif's loader compares the Exif header only within its 12-byte window: an APP1
    # marker at window position 9 or later is taken as EXIF, here an XMP one, so libexif
    # finds no EXIF although a real APP1 follows. Fill bytes (0xFF) move the marker there.
    rest = jpeg((0xE1, b"http://ns.adobe.com/xap/1.0/\0"), (0xE1, camera_app1()))[2:]
    data = b"\xff\xd8\xff\xe0\x00\x07" + bytes(5) + b"\xff" * 9 + rest
    assert data.index(b"\xe1") == 12 + 9
    with pytest.raises(NoExifData):
        exif_of(data)
    shifted = b"\xff\xd8\xff\xe0\x00\x07" + bytes(5) + b"\xff" * 3 + rest
    assert exif_of(shifted) == expected("camera.jpg")


@pytest.mark.parametrize("marker", [0xE3, 0xEC, 0xC2, 0xDD])
def test_markers_the_libexif_loader_does_not_know_end_the_search(marker: int) -> None:
    data = jpeg((marker, bytes(10)), (0xE1, camera_app1()))
    with pytest.raises(NoExifData):
        exif_of(data)


def test_truncated_app1_keeps_what_is_there() -> None:
    app1 = camera_app1()
    data = jpeg((0xE1, app1))[: 6 + len(app1) // 2]
    answer = exif_of(data)
    assert answer["Make"] == {"val": "Canon", "type": 2}
    assert "GPSLatitude" in answer
    # The last GPS entries, the Interoperability IFD and the thumbnail lie past the cut.
    assert "GPSDateStamp" not in answer
    assert "InteroperabilityIndex" not in answer
    assert not [key for key in answer if key.startswith("thumbnail:")]


def test_raw_exif_blob() -> None:
    # A bare "Exif\0\0" block preceded by its 2-byte length, as libexif's loader accepts it.
    app1 = camera_app1()
    assert exif_of(struct.pack(">H", len(app1) + 2) + app1) == expected("camera.jpg")


def test_fuji_raf_header_points_to_the_jpeg() -> None:
    embedded = jpeg((0xE1, camera_app1()))
    header = b"FUJIFILMCCD-RAW 0201FF383501" + bytes(84 - 28) + struct.pack(">LL", 100, len(embedded))
    data = header.ljust(100, b"\0") + embedded
    assert exif_of(data) == expected("camera.jpg")


def test_loader_block_is_the_app1_payload_and_two_more_bytes() -> None:
    app1 = camera_app1()
    data = jpeg((0xE1, app1))
    with io.BytesIO(data) as f:
        assert loader_block(f) == app1 + b"\xff\xd9"


def heif_with(item: bytes, method: int = 0, offset_delta: int = 0, length: int | None = None) -> bytes:
    ftyp = struct.pack(">L", 24) + b"ftypheic" + bytes(4) + b"mif1heic"
    infe = struct.pack(">L", 21) + b"infe\x02\0\0\0" + struct.pack(">HH", 7, 0) + b"Exif\0"
    iinf = struct.pack(">L", 14 + len(infe)) + b"iinf" + bytes(4) + struct.pack(">H", 1) + infe
    iloc_body = bytes([1, 0, 0, 0, 0x44, 0x00]) + struct.pack(">HHHHHLL", 1, 7, method, 0, 1, 0, 0)
    iloc = struct.pack(">L", 8 + len(iloc_body)) + b"iloc" + iloc_body
    meta = struct.pack(">L", 12 + len(iinf) + len(iloc)) + b"meta" + bytes(4) + iinf + iloc
    mdat_at = len(ftyp) + len(meta)
    extent = struct.pack(">LL", mdat_at + 8 + offset_delta, len(item) if length is None else length)
    meta = meta[: -8] + extent
    return ftyp + meta + struct.pack(">L", 8 + len(item)) + b"mdat" + item


def test_heif_iloc_version_1() -> None:
    item = struct.pack(">L", 6) + camera_app1()
    assert exif_of(heif_with(item)) == expected("camera.jpg")


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"method": 1}, id="item-in-idat"),
        pytest.param({"offset_delta": 1 << 30}, id="extent-past-the-end"),
        pytest.param({"length": 2}, id="shorter-than-its-header"),
    ],
)
def test_heif_without_a_usable_exif_item(options: dict[str, int]) -> None:
    item = struct.pack(">L", 6) + camera_app1()
    with pytest.raises(NoExifData):
        exif_of(heif_with(item, **options))


def test_heif_extent_longer_than_the_file_reads_to_the_end() -> None:
    item = struct.pack(">L", 6) + camera_app1()
    assert exif_of(heif_with(item, length=0xFFFFFFF0)) == expected("camera.jpg")


def test_heif_header_offset_past_the_item() -> None:
    with pytest.raises(NoExifData):
        exif_of(heif_with(struct.pack(">L", 1 << 20) + camera_app1()))


@pytest.fixture(scope="module")
def ten_mb_jpeg(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return big_jpeg(tmp_path_factory.mktemp("exif") / "big.jpg")


def test_big_jpeg_reads_little_and_keeps_the_stream_open(ten_mb_jpeg: pathlib.Path) -> None:
    assert ten_mb_jpeg.stat().st_size > 8_000_000
    f = CountingFile(ten_mb_jpeg)
    try:
        answer = read_exif(f)
        assert answer["Make"] == {"val": "Canon", "type": 2}
        assert f.bytes_read < 512 * 1024
        assert f.close_calls == 0
    finally:
        f.close()


def test_big_tiff_reads_only_the_first_64_kib(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "big.tif"
    path.write_bytes((IMAGES / "intel.tif").read_bytes() + bytes(5_000_000))
    f = CountingFile(path)
    try:
        assert read_exif(f) == expected("intel.tif")
        assert f.bytes_read < TIFF_BYTES + 16 * 1024
    finally:
        f.close()


class Trickle(io.RawIOBase):
    """A stream whose reads return at most 7 bytes, as pipes and sockets may."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._f = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: t.Any) -> int:
        chunk = self._f.read(min(7, len(buffer)))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._f.seek(offset, whence)


@pytest.mark.parametrize(
    ("name", "reference"),
    [("camera.jpg", "camera.jpg"), ("camera.heic", "camera.heic"), ("camera.webp", "camera.jpg"), ("intel.tif", "intel.tif")],
)
def test_short_reads_are_completed(name: str, reference: str) -> None:
    with Trickle((IMAGES / name).read_bytes()) as f:
        assert read_exif(f) == expected(reference)
