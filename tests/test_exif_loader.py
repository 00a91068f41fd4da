"""``fop_middleware.exif.loader``: libexif 0.6.24's ``exif_data_load_data`` rules, on crafted blocks.

Each case follows a branch of ``exif-data.c``; what libexif keeps or drops there is
described next to the test. The blocks are built here, byte by byte.
"""

from __future__ import annotations

import struct

import pytest

from fop_middleware.exif import loader
from fop_middleware.exif.entry import ByteOrder, Ifd
from fop_middleware.exif.loader import CorruptExif, ExifData, load

MAKE, MODEL, ORIENTATION, XRES = 0x010F, 0x0110, 0x0112, 0x011A
EXIF_PTR, GPS_PTR, INTEROP_PTR = 0x8769, 0x8825, 0xA005
EXPOSURE, ISO = 0x829A, 0x8827


def ifd(entries: list[tuple[int, int, int, bytes | int]], next_ifd: int = 0) -> bytes:
    """A big-endian IFD; an int value is stored as the 4-byte value/offset field."""
    out = struct.pack(">H", len(entries))
    for tag, fmt, count, value in entries:
        field = struct.pack(">L", value) if isinstance(value, int) else value.ljust(4, b"\0")
        out += struct.pack(">HHL", tag, fmt, count) + field
    return out + struct.pack(">L", next_ifd)


def block(*parts: tuple[int, bytes], size: int = 0) -> bytes:
    """``Exif\\0\\0`` + a big-endian TIFF with IFD0 at 8 and ``parts`` at their TIFF offsets."""
    tiff = bytearray(b"MM\x00\x2a" + struct.pack(">L", 8))
    for offset, data in parts:
        if len(tiff) < offset + len(data):
            tiff.extend(bytes(offset + len(data) - len(tiff)))
        tiff[offset : offset + len(data)] = data
    if len(tiff) < size:
        tiff.extend(bytes(size - len(tiff)))
    return b"Exif\x00\x00" + bytes(tiff)


def tags(data: ExifData, which: Ifd) -> list[int]:
    return sorted(entry.tag for entry in data.ifds[which])


def test_ifds_are_chained_and_pointers_are_not_entries() -> None:
    data = load(
        block(
            (8, ifd([(MAKE, 2, 4, b"ABC\0"), (EXIF_PTR, 4, 1, 100), (GPS_PTR, 4, 1, 200)], next_ifd=300)),
            (100, ifd([(ISO, 3, 1, b"\x00\x64"), (INTEROP_PTR, 4, 1, 150)])),
            (150, ifd([(0x0001, 2, 4, b"R98\0")])),
            (200, ifd([(0x0001, 2, 2, b"N\0")])),
            (300, ifd([(0x0103, 3, 1, b"\x00\x06"), (0x0201, 4, 1, 400), (0x0202, 4, 1, 16)])),
            size=420,
        ),
        fix=False,
    )
    assert data.order is ByteOrder.MOTOROLA
    assert tags(data, Ifd.IFD0) == [MAKE]
    assert tags(data, Ifd.EXIF) == [ISO]
    assert tags(data, Ifd.INTEROPERABILITY) == [0x0001]
    assert tags(data, Ifd.GPS) == [0x0001]
    assert tags(data, Ifd.IFD1) == [0x0103]
    assert data.has_thumbnail
    assert data.ifds[Ifd.IFD0][0].data == b"ABC\0"


def test_fix_adds_mandatory_entries_and_drops_ifd1_without_thumbnail() -> None:
    data = load(
        block(
            (8, ifd([(MAKE, 2, 4, b"ABC\0"), (EXIF_PTR, 4, 1, 100)], next_ifd=200)),
            (100, ifd([(ISO, 3, 1, b"\x00\x64")])),
            (200, ifd([(0x0103, 3, 1, b"\x00\x06")])),
            size=260,
        )
    )
    assert tags(data, Ifd.IFD0) == [MAKE, 0x011A, 0x011B, 0x0128]
    assert tags(data, Ifd.EXIF) == [ISO, 0x9000, 0xA000, 0xA001]
    assert tags(data, Ifd.IFD1) == []


def test_thumbnail_outside_the_block_does_not_count() -> None:
    parts = (
        (8, ifd([(MAKE, 2, 4, b"ABC\0")], next_ifd=100)),
        (100, ifd([(0x0103, 3, 1, b"\x00\x06"), (0x0201, 4, 1, 150), (0x0202, 4, 1, 5000)])),
    )
    data = load(block(*parts, size=200))
    assert not data.has_thumbnail
    assert tags(data, Ifd.IFD1) == []


def test_unknown_and_misplaced_tags_are_dropped_duplicates_ignored() -> None:
    data = load(
        block(
            (8, ifd([(MAKE, 2, 4, b"ABC\0"), (0x1234, 3, 1, b"\0\1"), (EXPOSURE, 5, 1, 100), (MAKE, 2, 4, b"XYZ\0")])),
            size=120,
        ),
        fix=False,
    )
    assert tags(data, Ifd.IFD0) == [MAKE]
    assert data.ifds[Ifd.IFD0][0].data == b"ABC\0"


def test_truncated_ifd_keeps_the_entries_that_fit_and_skips_the_fixes() -> None:
    # IFD0 says 10 entries, the block ends after 2 and a half: libexif loads 2 and then
    # returns before the IFD1 offset, so exif_data_fix never runs.
    entries = ifd([(MAKE, 2, 4, b"ABC\0"), (MODEL, 2, 4, b"DEF\0"), (ORIENTATION, 3, 1, b"\0\1")])
    raw = block((8, struct.pack(">H", 10) + entries[2:32]))
    data = load(raw)
    assert tags(data, Ifd.IFD0) == [MAKE, MODEL]


def test_entry_data_outside_the_block_is_dropped() -> None:
    data = load(
        block((8, ifd([(MAKE, 2, 40, 5000), (MODEL, 2, 8, 60), (ORIENTATION, 3, 1, b"\0\1")])), (60, b"Model A\0")),
        fix=False,
    )
    assert tags(data, Ifd.IFD0) == [MODEL, ORIENTATION]


@pytest.mark.parametrize(
    ("fmt", "count"),
    [
        pytest.param(4, 0x40000000, id="size-overflows-32-bits"),
        pytest.param(5, 0x20000001, id="rational-overflow"),
        pytest.param(3, 0, id="no-components"),
        pytest.param(13, 1, id="unknown-format"),
        pytest.param(2, 0xFFFFFFFF, id="absurd-count"),
    ],
)
def test_absurd_sizes_are_dropped(fmt: int, count: int) -> None:
    data = load(block((8, ifd([(MAKE, fmt, count, 20), (ORIENTATION, 3, 1, b"\0\1")])), size=64), fix=False)
    assert tags(data, Ifd.IFD0) == [ORIENTATION]


def test_sub_ifd_pointer_outside_the_block_ends_its_ifd() -> None:
    data = load(
        block((8, ifd([(MAKE, 2, 4, b"ABC\0"), (EXIF_PTR, 4, 1, 0x7FFFFFFF), (ORIENTATION, 3, 1, b"\0\1")])), size=64),
        fix=False,
    )
    assert tags(data, Ifd.IFD0) == [MAKE]


def test_huge_entry_count_reads_only_what_the_block_holds() -> None:
    one = ifd([(MAKE, 2, 4, b"ABC\0")])
    data = load(block((8, struct.pack(">H", 0xFFFF) + one[2:14]), size=40), fix=False)
    assert tags(data, Ifd.IFD0) == [MAKE]


def test_ifd_loops_end_and_load_each_ifd_once() -> None:
    # EXIF -> GPS -> EXIF -> ..., EXIF pointing to itself, IFD1 == IFD0.
    raw = block(
        (8, ifd([(MAKE, 2, 4, b"ABC\0"), (EXIF_PTR, 4, 1, 100)], next_ifd=8)),
        (100, ifd([(EXIF_PTR, 4, 1, 100), (GPS_PTR, 4, 1, 200), (ISO, 3, 1, b"\0\x64")])),
        (200, ifd([(EXIF_PTR, 4, 1, 100), (0x0001, 2, 2, b"N\0")])),
        size=260,
    )
    data = load(raw, fix=False)
    assert tags(data, Ifd.IFD0) == [MAKE]
    assert tags(data, Ifd.EXIF) == [ISO]
    assert tags(data, Ifd.GPS) == [0x0001]
    assert tags(data, Ifd.IFD1) == [MAKE]


def test_pointer_only_ifd_cycles_are_cheap() -> None:
    # IFDs made only of pointers never fill up, so libexif revisits them until its
    # recursion cost runs out (about 1.1**170 steps); revisits that cannot add anything
    # are skipped here.
    n = 60
    exif = ifd([(GPS_PTR, 4, 1, 2000)] * n)
    gps = ifd([(EXIF_PTR, 4, 1, 1000), (INTEROP_PTR, 4, 1, 3000)] * (n // 2))
    interop = ifd([(EXIF_PTR, 4, 1, 1000)] * n + [(0x0001, 2, 4, b"R98\0")])
    raw = block((8, ifd([(EXIF_PTR, 4, 1, 1000)])), (1000, exif), (2000, gps), (3000, interop), size=4000)
    data = load(raw, fix=False)
    assert tags(data, Ifd.INTEROPERABILITY) == [0x0001]


def test_too_many_visits_is_a_400(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_VISITS", 3)
    raw = block((8, ifd([(MAKE, 2, 4, b"ABC\0")] * 5)), size=100)
    with pytest.raises(CorruptExif) as caught:
        load(raw)
    assert caught.value.status == 400


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"Exif\x00\x00XX\x00\x2a\x00\x00\x00\x08" + bytes(20), id="unknown-byte-order"),
        pytest.param(b"Exif\x00\x00MM\x00\x2b\x00\x00\x00\x08" + bytes(20), id="not-42"),
        pytest.param(b"Exif\x00\x00MM\x00\x2a\x00\x00\xff\xff" + bytes(20), id="ifd0-outside"),
        pytest.param(b"Exif\x00\x00MM\x00\x2a", id="too-short"),
        pytest.param(b"JFIF\x00\x00MM\x00\x2a\x00\x00\x00\x08" + bytes(20), id="no-exif-header"),
        pytest.param(b"", id="empty"),
    ],
)
def test_bad_headers_give_no_entries(raw: bytes) -> None:
    assert load(raw).count() == 0


def test_block_is_capped_at_64_kib() -> None:
    # An entry whose data lies past libexif's 0xfffe-byte cap is dropped, one before it kept.
    raw = block((8, ifd([(MAKE, 2, 8, 65000), (MODEL, 2, 8, 65600)])), (65000, b"Inside!\0"), (65600, b"Outside\0"))
    data = load(raw, fix=False)
    assert tags(data, Ifd.IFD0) == [MAKE]


def test_block_found_after_jpeg_markers() -> None:
    # exif_data_load_data also accepts data that starts with JPEG markers before APP1.
    inner = block((8, ifd([(MAKE, 2, 4, b"ABC\0")])))
    app0 = b"\xff\xe0\x00\x06JFIF"
    raw = b"\xff\xd8" + app0 + b"\xff\xe1" + struct.pack(">H", len(inner) + 2) + inner
    assert tags(load(raw, fix=False), Ifd.IFD0) == [MAKE]
