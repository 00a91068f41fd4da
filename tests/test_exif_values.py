"""``fop_middleware.exif.values`` against libexif 0.6.24.

Every expected string below was printed by libexif 0.6.24 (``exif_entry_get_value()`` with
a 1 MiB buffer, C locale) for the same entry; the last test repeats the comparison live
with the ``exif`` command-line tool when it is installed.
"""

from __future__ import annotations

import random
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from fop_middleware.exif.entry import ByteOrder, ExifEntry, Format, Ifd
from fop_middleware.exif.values import fix_entry, get_value, initialize_entry

M = ByteOrder.MOTOROLA
I = ByteOrder.INTEL  # noqa: E741


def entry(
    tag: int, fmt: int, data: bytes, *, count: int | None = None, ifd: Ifd = Ifd.EXIF, order: ByteOrder = M
) -> ExifEntry:
    """An entry of ``data``; ``count`` defaults to what the data holds."""
    size = {3: 2, 4: 4, 5: 8, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}.get(fmt, 1)
    return ExifEntry(tag, fmt, len(data) // size if count is None else count, data, ifd, order)


def rational(*pairs: tuple[int, int], order: ByteOrder = M) -> bytes:
    return b"".join(struct.pack(order.prefix + "II", n, d) for n, d in pairs)


def srational(*pairs: tuple[int, int], order: ByteOrder = M) -> bytes:
    return b"".join(struct.pack(order.prefix + "ii", n, d) for n, d in pairs)


def short(*values: int, order: ByteOrder = M) -> bytes:
    return struct.pack(f"{order.prefix}{len(values)}H", *values)


R, SR, SH, A, U, B = (
    Format.RATIONAL,
    Format.SRATIONAL,
    Format.SHORT,
    Format.ASCII,
    Format.UNDEFINED,
    Format.BYTE,
)

GENERIC = [
    pytest.param(entry(0x010F, A, b"Canon\0", ifd=Ifd.IFD0), "Canon", id="ascii"),
    pytest.param(entry(0x010F, A, b"Canon", ifd=Ifd.IFD0), "Canon", id="ascii-without-nul"),
    pytest.param(entry(0x0131, A, b"ab\0cd\0", ifd=Ifd.IFD0), "ab", id="ascii-stops-at-nul"),
    pytest.param(entry(0x013B, A, b"Jos\xe9\0", ifd=Ifd.IFD0), "Jos\ufffd", id="ascii-not-utf8"),
    pytest.param(entry(0x0102, SH, short(8, 8, 8, order=I), order=I), "8, 8, 8", id="short-list"),
    pytest.param(entry(0xA002, Format.LONG, struct.pack(">I", 4000)), "4000", id="long"),
    pytest.param(entry(0x0111, Format.SSHORT, struct.pack(">hh", -1, 2)), "-1, 2", id="sshort"),
    pytest.param(entry(0x0111, Format.SLONG, struct.pack(">ii", -5, 7)), "-5, 7", id="slong"),
    pytest.param(entry(0x02BC, B, b"\x00\x7f\xff"), "0x00, 0x7f, 0xff", id="byte"),
    pytest.param(entry(0x02BC, Format.SBYTE, b"\x80\x01"), "0x80, 0x01", id="sbyte"),
    pytest.param(entry(0x927C, U, b"abcde"), "5 bytes undefined data", id="undefined"),
    pytest.param(entry(0x0111, Format.FLOAT, bytes(8)), "8 bytes unsupported data type", id="float"),
    pytest.param(entry(0x0111, Format.DOUBLE, bytes(8)), "8 bytes unsupported data type", id="double"),
    pytest.param(entry(0x011A, R, rational((72, 1))), "72", id="rational-0-decimals"),
    pytest.param(entry(0x011A, R, rational((7201, 100))), "72.01", id="rational-2-decimals"),
    pytest.param(entry(0x011A, R, rational((7, 12))), "0.6", id="rational-den-12"),
    pytest.param(entry(0x011A, R, rational((7, 13))), "0.54", id="rational-den-13"),
    pytest.param(entry(0x011A, R, rational((5, 0))), "5/0", id="rational-zero-denominator"),
    pytest.param(
        entry(0x0214, R, rational((0, 1), (255, 1), (128, 1), order=I), order=I),
        " 0, 255, 128",
        id="rational-list",
    ),
    pytest.param(entry(0xA500, SR, srational((1, -(2**31)))), "-0.000000", id="srational-int-min"),
    pytest.param(entry(0xA500, SR, srational((-3, 0))), "-3/0", id="srational-zero-denominator"),
    pytest.param(
        entry(0x0112, SH, short(1), count=2), "Invalid size of entry (2, expected 2 x 2).", id="bad-size"
    ),
]

TIMES_AND_APERTURES = [
    pytest.param(entry(0x829A, R, rational((1, 250))), "1/250 sec.", id="exposure-time"),
    pytest.param(entry(0x829A, R, rational((30, 1))), "30 sec.", id="exposure-time-long"),
    pytest.param(entry(0x829A, R, rational((2, 5))), "1/2 sec.", id="exposure-time-half-even"),
    pytest.param(entry(0x829A, R, rational((0, 1))), "0 sec.", id="exposure-time-zero"),
    pytest.param(entry(0x829A, R, rational((1, 0))), "1/0", id="exposure-time-zero-denominator"),
    pytest.param(entry(0x829A, SR, srational((1, 250))), "", id="exposure-time-wrong-format"),
    pytest.param(entry(0x829A, R, rational((1, 250), (1, 100))), "", id="exposure-time-two-components"),
    pytest.param(entry(0x829D, R, rational((28, 10))), "f/2.8", id="fnumber"),
    pytest.param(entry(0x829D, R, rational((45, 20))), "f/2.2", id="fnumber-round-half-even"),
    pytest.param(entry(0x9202, R, rational((497, 100))), "4.97 EV (f/5.6)", id="aperture"),
    pytest.param(
        entry(0x9202, R, rational((2000, 1))),
        "2000.00 EV (f/10715086071862673209484250490600018105614048117055336074437",
        id="aperture-suffix-cut-at-63",
    ),
    pytest.param(entry(0x9202, R, rational((0x80000000, 1))), "2147483648", id="aperture-sentinel"),
    pytest.param(entry(0x9205, R, rational((30, 10))), "3.00 EV (f/2.8)", id="max-aperture"),
    pytest.param(entry(0x920A, R, rational((50, 1))), "50.0 mm", id="focal-length"),
    pytest.param(entry(0x9206, R, rational((123, 100))), "1.2 m", id="subject-distance"),
    pytest.param(
        entry(0x9201, SR, srational((6965784, 1000000))), "6.97 EV (1/125 sec.)", id="shutter-speed"
    ),
    pytest.param(entry(0x9201, SR, srational((-2, 1))), "-2.00 EV (4 sec.)", id="shutter-speed-slow"),
    pytest.param(
        entry(0x9201, SR, srational((-(2**31), 1))),
        "-2147483648.00 EV (1/-0 sec.)",
        id="shutter-speed-int-min",
    ),
    pytest.param(entry(0x9201, SR, srational((2000, 1))), "2000.00 EV (0 sec.)", id="shutter-speed-overflow"),
    pytest.param(entry(0x9203, SR, srational((26, 100))), "0.26 EV (4.10 cd/m^2)", id="brightness"),
    pytest.param(entry(0x9204, SR, srational((-2, 3))), "-0.67 EV", id="exposure-bias"),
    pytest.param(entry(0x9204, R, rational((2, 3))), "", id="exposure-bias-wrong-format"),
]

VERSIONS_AND_BYTES = [
    pytest.param(entry(0x9000, U, b"0230"), "Exif Version 2.3", id="exif-version"),
    pytest.param(entry(0x9000, U, b"0221"), "Exif Version 2.21", id="exif-version-221"),
    pytest.param(entry(0x9000, U, b"0300"), "Unknown Exif Version", id="exif-version-unknown"),
    pytest.param(entry(0x9000, A, b"0230"), "", id="exif-version-ascii"),
    pytest.param(entry(0x9000, U, b"023"), "", id="exif-version-3-bytes"),
    pytest.param(entry(0xA000, U, b"0100"), "FlashPix Version 1.0", id="flashpix"),
    pytest.param(entry(0xA000, U, b"0101"), "FlashPix Version 1.01", id="flashpix-101"),
    pytest.param(entry(0xA000, U, b"0200"), "Unknown FlashPix Version", id="flashpix-unknown"),
    pytest.param(entry(0x0002, U, b"0100", ifd=Ifd.INTEROPERABILITY), "0100", id="interop-version"),
    pytest.param(entry(0x0001, A, b"R98\0", ifd=Ifd.INTEROPERABILITY), "R98", id="interop-index"),
    pytest.param(entry(0x9101, U, b"\x01\x02\x03\x00"), "Y Cb Cr -", id="components"),
    pytest.param(entry(0x9101, U, b"\x04\x05\x06\x07"), "R G B Reserved", id="components-rgb"),
    pytest.param(entry(0xA300, U, b"\x03"), "DSC", id="file-source"),
    pytest.param(entry(0xA300, U, b"\x00"), "Internal error (unknown value 0)", id="file-source-other"),
    pytest.param(entry(0xA301, U, b"\x01"), "Directly photographed", id="scene-type"),
    pytest.param(entry(0xA301, U, b"\x02"), "Internal error (unknown value 2)", id="scene-type-other"),
]

ENUMERATIONS = [
    pytest.param(entry(0x0112, SH, short(6), ifd=Ifd.IFD0), "Right-top", id="orientation"),
    pytest.param(entry(0x0112, SH, short(0), ifd=Ifd.IFD0), "Unknown value 0", id="orientation-empty-name"),
    pytest.param(entry(0x0112, SH, short(9), ifd=Ifd.IFD0), "9", id="orientation-past-end"),
    pytest.param(entry(0x0112, Format.LONG, struct.pack(">I", 1), ifd=Ifd.IFD0), "", id="orientation-long"),
    pytest.param(entry(0x0112, SH, short(1, 1), ifd=Ifd.IFD0), "", id="orientation-two-components"),
    pytest.param(entry(0x0106, SH, short(2), ifd=Ifd.IFD0), "RGB", id="photometric"),
    pytest.param(entry(0x0213, SH, short(2), ifd=Ifd.IFD0), "Co-sited", id="ycbcr-positioning"),
    pytest.param(entry(0xA217, SH, short(2)), "One-chip color area sensor", id="sensing-method"),
    pytest.param(entry(0xA406, SH, short(3)), "Night scene", id="scene-capture"),
    pytest.param(entry(0xA40A, SH, short(2)), "Hard", id="sharpness"),
    pytest.param(entry(0x9207, SH, short(5)), "Pattern", id="metering"),
    pytest.param(entry(0x9207, SH, short(255)), "Other", id="metering-other"),
    pytest.param(entry(0x9207, SH, short(7)), "Internal error (unknown value 7)", id="metering-unknown"),
    pytest.param(entry(0x9209, SH, short(0x19, order=I), order=I), "Flash fired, auto mode", id="flash"),
    pytest.param(entry(0x9209, SH, short(0x10)), "Flash did not fire, compulsory flash mode", id="flash-no"),
    pytest.param(entry(0x9209, SH, short(0x11)), "Internal error (unknown value 17)", id="flash-unknown"),
    pytest.param(entry(0xA001, SH, short(0xFFFF)), "Uncalibrated", id="color-space"),
    pytest.param(entry(0xA001, SH, short(0)), "Internal error (unknown value 0)", id="color-space-zero"),
    pytest.param(
        entry(0x8822, SH, short(7)),
        "Portrait mode (for closeup photos with the background out of focus)",
        id="exposure-program-longest-text",
    ),
    pytest.param(entry(0x9208, SH, short(3)), "Tungsten incandescent light", id="light-source"),
    pytest.param(entry(0x0128, SH, short(2), ifd=Ifd.IFD0), "Inch", id="resolution-unit"),
    pytest.param(entry(0x0103, SH, short(6), ifd=Ifd.IFD1), "JPEG compression", id="compression"),
    pytest.param(entry(0x8830, SH, short(2)), "Recommended exposure index (REI)", id="sensitivity-type"),
    pytest.param(entry(0xA40C, SH, short(0)), "Unknown", id="subject-distance-range"),
    pytest.param(entry(0x0212, SH, short(2, 1), ifd=Ifd.IFD0), "YCbCr4:2:2", id="ycbcr-422"),
    pytest.param(entry(0x0212, SH, short(2, 2), ifd=Ifd.IFD0), "YCbCr4:2:0", id="ycbcr-420"),
    pytest.param(entry(0x0212, SH, short(1, 1), ifd=Ifd.IFD0), "1, 1", id="ycbcr-other"),
    pytest.param(entry(0x9214, SH, short(10, 20)), "(x,y) = (10,20)", id="subject-area-point"),
    pytest.param(
        entry(0x9214, SH, short(10, 20, 5)), "Within distance 5 of (x,y) = (10,20)", id="subject-area-circle"
    ),
    pytest.param(
        entry(0x9214, SH, short(10, 20, 6, 8)),
        "Within rectangle (width 6, height 8) around (x,y) = (10,20)",
        id="subject-area-rectangle",
    ),
    pytest.param(
        entry(0x9214, SH, short(1, 2, 3, 4, 5)),
        "Unexpected number of components (5, expected 2, 3, or 4).",
        id="subject-area-5",
    ),
]

GPS = [
    pytest.param(entry(0x0000, B, b"\x02\x02\x00\x00", ifd=Ifd.GPS), "2.2.0.0", id="gps-version"),
    pytest.param(
        entry(0x0002, R, rational((54, 1), (5938, 100), (0, 1)), ifd=Ifd.GPS),
        "54, 59.38,  0",
        id="gps-latitude",
    ),
    pytest.param(entry(0x0005, B, b"\x00", ifd=Ifd.GPS), "Sea level", id="gps-altitude-ref"),
    pytest.param(entry(0x0005, B, b"\x01", ifd=Ifd.GPS), "Sea level reference", id="gps-altitude-ref-1"),
    pytest.param(
        entry(0x0005, B, b"\x02", ifd=Ifd.GPS), "Internal error (unknown value 2)", id="gps-altitude-ref-2"
    ),
    pytest.param(
        entry(0x0007, R, rational((14, 1), (58, 1), (2425, 100)), ifd=Ifd.GPS), "14:58:24.25", id="gps-time"
    ),
    pytest.param(
        entry(0x0007, R, rational((14, 1), (58, 0), (24, 1)), ifd=Ifd.GPS),
        "14, 58/0, 24",
        id="gps-time-zero-denominator",
    ),
]

TEXTS = [
    pytest.param(
        entry(0x8298, A, b"Photo\0Editor\0", ifd=Ifd.IFD0),
        "Photo (Photographer) - Editor (Editor)",
        id="copyright",
    ),
    pytest.param(
        entry(0x8298, A, b"Photo\0", ifd=Ifd.IFD0),
        "Photo (Photographer) - [None] (Editor)",
        id="copyright-photographer",
    ),
    pytest.param(
        entry(0x8298, A, b"   \0", ifd=Ifd.IFD0),
        "[None] (Photographer) - [None] (Editor)",
        id="copyright-blank",
    ),
    pytest.param(
        entry(0x8298, A, b" \0Editor\0", ifd=Ifd.IFD0),
        "[None] (Photographer) - Editor (Editor)",
        id="copyright-editor",
    ),
    pytest.param(entry(0x8298, U, b"Photo\0", ifd=Ifd.IFD0), "", id="copyright-undefined"),
    pytest.param(entry(0x9286, U, b"ASCII\0\0\0Hello"), "Hello", id="user-comment"),
    pytest.param(entry(0x9286, A, b"ASCII\0\0\0Hello"), "Hello", id="user-comment-ascii-format"),
    pytest.param(entry(0x9286, A, b"Hello"), "", id="user-comment-ascii-without-code"),
    pytest.param(
        entry(0x9286, U, b"UNICODE\0H\0i\0"), "Unsupported UNICODE string", id="user-comment-unicode"
    ),
    pytest.param(entry(0x9286, U, b"JIS\0\0\0\0\0ab"), "Unsupported JIS string", id="user-comment-jis"),
    pytest.param(entry(0x9286, U, b"\0" * 8 + b"    "), "", id="user-comment-blank"),
    pytest.param(entry(0x9286, U, b"\0" * 8 + b" a\x01\xff"), "a..", id="user-comment-unprintable"),
    pytest.param(entry(0x9286, U, b"Hi\nyou"), "Hi.you", id="user-comment-without-code"),
    pytest.param(entry(0x9C9B, B, "Hé€".encode("utf-16-le"), ifd=Ifd.IFD0, order=I), "Hé€", id="xp-title"),
    pytest.param(entry(0x9C9B, B, b"A\0B", ifd=Ifd.IFD0, order=I), "AB", id="xp-odd-size"),
    pytest.param(
        entry(0x9C9B, B, "\U0001f600".encode("utf-16-le"), ifd=Ifd.IFD0), "\ufffd" * 6, id="xp-surrogates"
    ),
    pytest.param(entry(0x9C9C, B, b"A\0" * 32766, ifd=Ifd.IFD0), "", id="xp-too-big"),
]


@pytest.mark.parametrize(
    ("item", "expected"), GENERIC + TIMES_AND_APERTURES + VERSIONS_AND_BYTES + ENUMERATIONS + GPS + TEXTS
)
def test_get_value(item: ExifEntry, expected: str) -> None:
    assert get_value(item) == expected


@pytest.mark.parametrize(
    ("make", "model", "expected"),
    [
        pytest.param(b"Minolta\0", b"DiMAGE 7i\0", "50.0 mm (35 equivalent: 195 mm)", id="dimage-7"),
        pytest.param(b"Minolta Co\0", b"DiMAGE 5\0", "16.7 mm (35 equivalent: 82 mm)", id="dimage-5"),
        pytest.param(b"Minolt\0", b"DiMAGE 7\0", "16.7 mm", id="not-minolta"),
    ],
)
def test_focal_length_35mm_equivalent(make: bytes, model: bytes, expected: str) -> None:
    """libexif only knows the crop factor of two Minolta models, read from IFD0."""
    ifd0 = [entry(0x010F, A, make, ifd=Ifd.IFD0), entry(0x0110, A, model, ifd=Ifd.IFD0)]
    focal = rational((50, 1)) if expected.startswith("50") else rational((50, 3))
    assert get_value(entry(0x920A, R, focal), ifd0=ifd0) == expected


def test_value_is_cut_to_the_oracle_buffer() -> None:
    item = entry(0x0111, Format.LONG, struct.pack(">100000I", *[4294967295] * 100000), ifd=Ifd.IFD0)
    value = get_value(item)
    assert len(value) == (1 << 20) - 1
    assert value.startswith("4294967295, 4294967295")


@pytest.mark.parametrize(
    ("item", "fixed"),
    [
        pytest.param(
            entry(0x8827, Format.LONG, struct.pack("<2I", 100, 400), order=I),
            (SH, 2, b"\x64\x00\x90\x01"),
            id="long-to-short",
        ),
        pytest.param(
            entry(0x8827, Format.SLONG, struct.pack(">i", -2)), (SH, 1, b"\xff\xfe"), id="slong-to-short"
        ),
        pytest.param(entry(0x0112, B, b"\x06", ifd=Ifd.IFD0), (SH, 1, b"\x00\x06"), id="byte-to-short"),
        pytest.param(
            entry(0x0112, R, rational((6, 1)), ifd=Ifd.IFD0), (R, 1, rational((6, 1))), id="rational-kept"
        ),
        pytest.param(
            entry(0x829A, SR, srational((1, 250))), (R, 1, rational((1, 250))), id="srational-to-rational"
        ),
        pytest.param(
            entry(0x9204, R, rational((0xFFFFFFFE, 3))),
            (SR, 1, srational((-2, 3))),
            id="rational-to-srational",
        ),
        pytest.param(entry(0x9286, A, b"Hello"), (U, 13, b"ASCII\0\0\0Hello"), id="comment-short"),
        pytest.param(entry(0x9286, U, b"\0ABCDEFGHI"), (U, 10, b"ASCII\0\0\0HI"), id="comment-zoombrowser"),
        pytest.param(
            entry(0x9286, U, b"Hello worl"), (U, 18, b"ASCII\0\0\0Hello worl"), id="comment-no-code"
        ),
        pytest.param(entry(0x9286, U, b" " * 10 + b"hi"), (U, 12, b"ASCII\0\0\0  hi"), id="comment-spaces"),
        pytest.param(entry(0x9286, U, bytes(8)), (U, 8, bytes(8)), id="comment-empty"),
        pytest.param(entry(0x9286, SH, b"ABCD"), (U, 10, b"ASCII\0\0\0ABCD"), id="comment-short-format"),
    ],
)
def test_fix_entry(item: ExifEntry, fixed: tuple[int, int, bytes]) -> None:
    fix_entry(item)
    assert (item.format, item.components, item.data) == fixed


def test_fix_entry_keeps_libexif_size_mismatch() -> None:
    """A SHORT comment becomes UNDEFINED keeping its count (plus 8), which libexif then reports."""
    item = entry(0x9286, SH, b"ABCD")
    fix_entry(item)
    assert get_value(item) == "Invalid size of entry (12, expected 10 x 1)."


@pytest.mark.parametrize(
    ("tag", "ifd", "order", "expected"),
    [
        pytest.param(0x0213, Ifd.IFD0, M, (SH, 1, b"\x00\x01", "Centered"), id="ycbcr-positioning"),
        pytest.param(0x0128, Ifd.IFD0, I, (SH, 1, b"\x02\x00", "Inch"), id="resolution-unit"),
        pytest.param(0x011A, Ifd.IFD0, M, (R, 1, rational((72, 1)), "72"), id="x-resolution"),
        pytest.param(
            0x0214,
            Ifd.IFD0,
            M,
            (
                R,
                6,
                rational((0, 1), (255, 1), (0, 1), (255, 1), (0, 1), (255, 1)),
                " 0, 255,  0, 255,  0, 255",
            ),
            id="reference-black-white",
        ),
        pytest.param(0x9000, Ifd.EXIF, M, (U, 4, b"0210", "Exif Version 2.1"), id="exif-version"),
        pytest.param(0xA000, Ifd.EXIF, M, (U, 4, b"0100", "FlashPix Version 1.0"), id="flashpix-version"),
        pytest.param(0x9101, Ifd.EXIF, M, (U, 4, b"\x01\x02\x03\x00", "Y Cb Cr -"), id="components"),
        pytest.param(0xA001, Ifd.EXIF, I, (SH, 1, b"\xff\xff", "Uncalibrated"), id="color-space"),
        pytest.param(
            0x8298,
            Ifd.IFD0,
            M,
            (A, 14, b"[None]\0[None]\0", "[None] (Photographer) - [None] (Editor)"),
            id="copyright",
        ),
        pytest.param(0x010F, Ifd.IFD0, M, (A, 7, b"[None]\0", "[None]"), id="make"),
        pytest.param(0x9286, Ifd.EXIF, M, (U, 0, b"", ""), id="user-comment"),
        pytest.param(0x0000, Ifd.GPS, M, (B, 4, b"\x02\x02\x00\x00", "2.2.0.0"), id="gps-version"),
        pytest.param(0x000C, Ifd.GPS, M, (A, 2, b"K\0", "K"), id="gps-speed-ref"),
        pytest.param(0x0002, Ifd.GPS, M, (R, 3, bytes(24), "0/0, 0/0, 0/0"), id="gps-latitude"),
        pytest.param(0x001F, Ifd.GPS, M, (U, 0, b"", ""), id="gps-not-in-table"),
    ],
)
def test_initialize_entry(
    tag: int, ifd: Ifd, order: ByteOrder, expected: tuple[int, int, bytes, str]
) -> None:
    item = initialize_entry(tag, ifd, order)
    assert (item.tag, item.ifd, item.order) == (tag, ifd, order)
    assert (item.format, item.components, item.data, get_value(item)) == expected


def test_initialize_entry_dates_now() -> None:
    item = initialize_entry(0x0132, Ifd.IFD0, M)
    assert (item.format, item.components, len(item.data), item.data[-1:]) == (A, 20, 20, b"\0")
    assert item.data[4:5] == b":" and item.data[10:11] == b" "


def _directory(entries: list[ExifEntry], start: int, exif_at: int | None = None) -> bytes:
    """One big-endian IFD at offset ``start`` of the TIFF, its out-of-line values after it."""
    rows = [(e.tag, e.format, e.components, e.data) for e in entries]
    if exif_at is not None:
        rows.append((0x8769, Format.LONG, 1, struct.pack(">I", exif_at)))
    rows.sort()
    data_at = start + 2 + 12 * len(rows) + 4
    table, extra = bytearray(struct.pack(">H", len(rows))), bytearray()
    for tag, fmt, count, data in rows:
        table += struct.pack(">HHI", tag, fmt, count)
        if len(data) <= 4:
            table += data.ljust(4, b"\0")
        else:
            table += struct.pack(">I", data_at + len(extra))
            extra += data + b"\0" * (len(data) % 2)
    return bytes(table + b"\0\0\0\0" + extra)


def _jpeg(ifd0: list[ExifEntry], exif: list[ExifEntry]) -> bytes:
    """A JPEG holding only an APP1 with these IFD0 and Exif IFD entries."""
    exif_at = 8 + len(_directory(ifd0, 8, 0))
    tiff = b"MM\0*" + struct.pack(">I", 8) + _directory(ifd0, 8, exif_at) + _directory(exif, exif_at)
    app1 = b"Exif\0\0" + tiff
    return b"\xff\xd8\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + b"\xff\xd9"


# tag -> (format, possible counts); format None: any (the generic branch).
# The exif tool stops at the first entry of a wrong format or count, so these are right.
_IFD0_SPECS: dict[int, tuple[int | None, tuple[int, ...]]] = {
    0x010E: (None, (1, 2, 5)),
    0x0112: (SH, (1,)),
    0x011A: (R, (1,)),
    0x0128: (SH, (1,)),
    0x0131: (None, (1, 3, 9)),
    0x0212: (SH, (2,)),
    0x0213: (SH, (1,)),
    0x0214: (R, (6,)),
    0x8298: (A, (1, 4, 12)),
    0x9C9B: (B, (2, 3, 12)),
    0x9C9F: (B, (6,)),
}
_EXIF_SPECS: dict[int, tuple[int | None, tuple[int, ...]]] = {
    **{tag: (R, (1,)) for tag in (0x829A, 0x829D, 0x9202, 0x9205, 0x9206, 0x920A)},
    **{tag: (SR, (1,)) for tag in (0x9201, 0x9203, 0x9204)},
    **{tag: (SH, (1,)) for tag in (0x8822, 0x9207, 0x9208, 0x9209, 0xA001, 0xA210, 0xA217, 0xA401, 0xA402)},
    **{tag: (SH, (1,)) for tag in (0xA403, 0xA406, 0xA408, 0xA40C)},
    **{tag: (U, (4,)) for tag in (0x9000, 0x9101, 0xA000)},
    **{tag: (U, (1,)) for tag in (0xA300, 0xA301)},
    **{tag: (None, (1, 2, 4)) for tag in (0x8827, 0xA002, 0xA20E, 0xA404)},
    0x9214: (SH, (2, 3, 4, 5)),
    0x9286: (U, (0, 3, 10)),
}
_TEXT = bytes(range(0x20, 0x7F)) + b"\0"


def _random_entry(rng: random.Random, tag: int, spec: tuple[int | None, tuple[int, ...]]) -> ExifEntry:
    fmt = spec[0] or rng.choice([1, 2, 3, 4, 5, 7, 8, 9, 10])
    count = rng.choice(spec[1])
    if fmt in (R, SR):
        pairs = [
            (
                rng.choice([0, 1, 5, 28, 300, 2**31 - 1, rng.getrandbits(16)]),
                rng.choice([0, 1, 3, 10, 13, 100, 1000, rng.getrandbits(12)]),
            )
            for _ in range(count)
        ]
        data = b"".join(struct.pack(">ii" if fmt == SR else ">II", n, d) for n, d in pairs)
    elif fmt in (SH, Format.SSHORT):
        data = struct.pack(
            f">{count}H", *(rng.choice([0, 1, 2, 3, 5, 6, 7, 255, rng.getrandbits(16)]) for _ in range(count))
        )
    elif fmt in (Format.LONG, Format.SLONG):
        data = bytes(rng.getrandbits(8) for _ in range(4 * count))
    elif tag in (0x9C9B, 0x9C9F):
        chars = (chr(rng.choice([rng.randint(0x20, 0x7E), rng.randint(0xA0, 0xD7FF)])) for _ in range(count))
        data = "".join(chars).encode("utf-16-le")
        count = len(data)
    elif tag == 0x9286:
        data = rng.choice([b"ASCII\0\0\0", b"UNICODE\0", bytes(8), b""]) + bytes(
            rng.choice(_TEXT) for _ in range(count)
        )
        count = len(data)
    elif tag in (0x9000, 0xA000):
        data = rng.choice([b"0100", b"0101", b"0220", b"0230", b"0232", b"9999"])
    else:
        data = bytes(
            rng.choice(_TEXT) if fmt == A else rng.choice([0, 1, 3, 6, 7, 255]) for _ in range(count)
        )
    return ExifEntry(tag, fmt, count, data, Ifd.EXIF)


def _random_entries(rng: random.Random) -> tuple[list[ExifEntry], list[ExifEntry]]:
    ifd0 = [_random_entry(rng, tag, spec) for tag, spec in _IFD0_SPECS.items()]
    return ifd0, [_random_entry(rng, tag, spec) for tag, spec in _EXIF_SPECS.items()]


@pytest.mark.skipif(shutil.which("exif") is None, reason="exif (Debian exif, libexif 0.6.24) not installed")
@pytest.mark.parametrize("seed", range(8))
def test_matches_libexif_exif_tool(tmp_path: Path, seed: int) -> None:
    """Random entries written to a JPEG, read back by libexif's own ``exif`` tool."""
    ifd0, exif = _random_entries(random.Random(seed))
    path = tmp_path / "random.jpg"
    path.write_bytes(_jpeg(ifd0, exif))
    # exif exits 1 after logging the wrong formats, but still prints every value.
    out = subprocess.run(
        ["exif", "-m", "-i", "--no-fixup", str(path)], capture_output=True, check=False
    ).stdout
    lines = out.decode("utf-8").split("\n")
    shown = dict(line.split("\t", 1) for line in lines if line.startswith("0x"))
    compared = 0
    for item in ifd0 + exif:
        key = f"0x{item.tag:04x}"
        if key in shown:
            compared += 1
            assert (key, get_value(item, ifd0=ifd0)) == (key, shown[key])
    assert compared > 30
