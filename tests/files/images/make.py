"""Make the small EXIF test images of this folder (see README.md); run from the project root.

Every file carries the same kind of EXIF block, written by :func:`tiff` below, in a
different container. With libexif's reference program at hand
(``/tmp/fop-oracle/exif_oracle``, see ``../shared/oracles/README.md``) it also records
what libexif answers for each file as ``<file>.json``.
"""

from __future__ import annotations

import io
import json
import pathlib
import struct
import subprocess
import sys
import typing as t

from PIL import Image

HERE = pathlib.Path(__file__).parent
ORACLE = pathlib.Path("/tmp/fop-oracle/exif_oracle")

Entry = tuple[int, int, int, t.Any]  # tag, format, count, bytes or ("ifd", name)


def ascii(text: str) -> bytes:
    return text.encode("latin-1") + b"\0"


def tiff(order: str, ifds: dict[str, list[Entry]], chain: tuple[str, ...] = ("ifd0",), tail: bytes = b"") -> bytes:
    """A TIFF structure (header, IFDs, values, then ``tail``); ``("ifd", name)`` values
    become offsets of the named IFD, ``("tail", 0)`` the offset of ``tail``. ``chain``
    is the IFD0 -> IFD1 chain."""
    p = "<" if order == "II" else ">"
    offsets: dict[str, int] = {}
    pos = 8
    for name, entries in ifds.items():
        offsets[name] = pos
        pos += 2 + 12 * len(entries) + 4
        pos += sum(len(v) + (len(v) & 1) for _, _, _, v in entries if isinstance(v, bytes) and len(v) > 4)
    offsets["tail"] = pos
    out = bytearray(order.encode() + struct.pack(p + "HL", 42, 8))
    for name, entries in ifds.items():
        assert len(out) == offsets[name]
        data_at = len(out) + 2 + 12 * len(entries) + 4
        body, extra = struct.pack(p + "H", len(entries)), b""
        for tag, fmt, count, value in entries:
            if isinstance(value, tuple):
                value = struct.pack(p + "L", offsets[value[1]])
            if len(value) > 4:
                field = struct.pack(p + "L", data_at + len(extra))
                extra += value + b"\0" * (len(value) & 1)
            else:
                field = value.ljust(4, b"\0")
            body += struct.pack(p + "HHL", tag, fmt, count) + field
        following = chain[chain.index(name) + 1] if name in chain[:-1] else None
        body += struct.pack(p + "L", offsets[following] if following else 0)
        out += body + extra
    return bytes(out) + tail


def camera_block(order: str) -> bytes:
    """IFD0, EXIF, GPS, Interoperability and a thumbnail IFD1, like a camera writes them."""
    p = "<" if order == "II" else ">"

    def short(*v: int) -> bytes:
        return struct.pack(f"{p}{len(v)}H", *v)

    def long(*v: int) -> bytes:
        return struct.pack(f"{p}{len(v)}L", *v)

    def rational(*pairs: tuple[int, int]) -> bytes:
        return b"".join(struct.pack(p + "LL", *pair) for pair in pairs)

    def srational(*pairs: tuple[int, int]) -> bytes:
        return b"".join(struct.pack(p + "ll", *pair) for pair in pairs)

    thumb = _jpeg(Image.new("RGB", (8, 8), (200, 30, 30)))
    ifds: dict[str, list[Entry]] = {
        "ifd0": [
            (0x010F, 2, 6, ascii("Canon")),
            (0x0110, 2, 13, ascii("Canon EOS 5D")),
            (0x0112, 3, 1, short(6)),
            (0x011A, 5, 1, rational((72, 1))),
            (0x011B, 5, 1, rational((72, 1))),
            (0x0128, 3, 1, short(2)),
            (0x0132, 2, 20, ascii("2024:05:17 10:11:12")),
            (0x013B, 2, 9, ascii("Fran\xe7ois")),
            (0x0213, 3, 1, short(2)),
            (0x8769, 4, 1, ("ifd", "exif")),
            (0x8825, 4, 1, ("ifd", "gps")),
        ],
        "exif": [
            (0x829A, 5, 1, rational((1, 250))),
            (0x829D, 5, 1, rational((56, 10))),
            (0x8822, 3, 1, short(3)),
            (0x8827, 3, 1, short(400)),
            (0x9000, 7, 4, b"0230"),
            (0x9003, 2, 20, ascii("2024:05:17 10:11:12")),
            (0x9101, 7, 4, b"\1\2\3\0"),
            (0x9201, 10, 1, srational((8, 1))),
            (0x9202, 5, 1, rational((497, 100))),
            (0x9204, 10, 1, srational((-2, 3))),
            (0x9207, 3, 1, short(5)),
            (0x9209, 3, 1, short(16)),
            (0x920A, 5, 1, rational((50, 1))),
            (0x927C, 7, 8, bytes(8)),
            (0x9286, 7, 16, b"ASCII\0\0\0Hello!!!"),
            (0x9290, 2, 3, ascii("42")),
            (0xA001, 3, 1, short(1)),
            (0xA002, 4, 1, long(16)),
            (0xA003, 4, 1, long(12)),
            (0xA005, 4, 1, ("ifd", "interop")),
            (0xA402, 3, 1, short(1)),
            (0xA403, 3, 1, short(0)),
            (0xC4A5, 7, 6, b"PrintI"),
        ],
        "gps": [
            (0x0000, 1, 4, bytes([2, 3, 0, 0])),
            (0x0001, 2, 2, ascii("N")),
            (0x0002, 5, 3, rational((48, 1), (51, 1), (2997, 100))),
            (0x0003, 2, 2, ascii("E")),
            (0x0004, 5, 3, rational((2, 1), (17, 1), (4006, 100))),
            (0x0005, 1, 1, b"\0"),
            (0x0006, 5, 1, rational((3512, 100))),
            (0x0007, 5, 3, rational((10, 1), (11, 1), (12, 1))),
            (0x001D, 2, 11, ascii("2024:05:17")),
        ],
        "interop": [
            (0x0001, 2, 4, ascii("R98")),
            (0x0002, 7, 4, b"0100"),
        ],
        "ifd1": [
            (0x0103, 3, 1, short(6)),
            (0x011A, 5, 1, rational((72, 1))),
            (0x011B, 5, 1, rational((72, 1))),
            (0x0128, 3, 1, short(2)),
            (0x0201, 4, 1, ("ifd", "tail")),
            (0x0202, 4, 1, long(len(thumb))),
        ],
    }
    return tiff(order, ifds, chain=("ifd0", "ifd1"), tail=thumb)


def _jpeg(image: Image.Image, **options: t.Any) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70, **options)
    return out.getvalue()


def jpeg_with_app1(block: bytes) -> bytes:
    """A small JPEG whose JFIF APP0 is followed by ``Exif\\0\\0`` + ``block`` in APP1."""
    plain = _jpeg(Image.new("RGB", (16, 12), (40, 90, 160)))
    payload = b"Exif\0\0" + block
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    app0_end = 4 + struct.unpack(">H", plain[4:6])[0]
    return plain[:app0_end] + app1 + plain[app0_end:]


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">L", 8 + len(payload)) + kind + payload


def heic(block: bytes) -> bytes:
    """A minimal HEIF file: ftyp, meta (hdlr, iinf with an ``Exif`` item, iloc), mdat."""
    item = struct.pack(">L", 6) + b"Exif\0\0" + block
    ftyp = box(b"ftyp", b"heic" + bytes(4) + b"mif1heic")
    hdlr = box(b"hdlr", bytes(8) + b"pict" + bytes(13))
    infe = box(b"infe", b"\x02\0\0\0" + struct.pack(">HH", 1, 0) + b"Exif" + b"\0")
    iinf = box(b"iinf", bytes(4) + struct.pack(">H", 1) + infe)

    def meta(mdat_at: int) -> bytes:
        iloc = box(b"iloc", bytes(4) + b"\x44\x00" + struct.pack(">HHHHLL", 1, 1, 0, 1, mdat_at + 8, len(item)))
        return box(b"meta", bytes(4) + hdlr + iinf + iloc)

    mdat_at = len(ftyp) + len(meta(0))
    return ftyp + meta(mdat_at) + box(b"mdat", item)


def png(block: bytes) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (10, 120, 40)).save(out, "PNG", exif=b"Exif\0\0" + block)
    return out.getvalue()


def webp(block: bytes) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (10, 120, 40)).save(out, "WEBP", exif=b"Exif\0\0" + block)
    return out.getvalue()


def jxl(block: bytes) -> bytes:
    """A JPEG XL container with an ``Exif`` box; the codestream box is a stub (no pixels needed)."""
    signature = b"\x00\x00\x00\x0cJXL \r\n\x87\n"
    return signature + box(b"ftyp", b"jxl \0\0\0\0jxl ") + box(b"Exif", bytes(4) + block) + box(b"jxlc", b"\xff\x0a")


def strip_tiff(order: str) -> bytes:
    """A real 4x4 grey TIFF image whose IFD0 points to a camera-like EXIF IFD."""
    p = "<" if order == "II" else ">"
    pixels = bytes(range(0, 256, 16))
    ifds: dict[str, list[Entry]] = {
        "ifd0": [
            (0x0100, 3, 1, struct.pack(p + "H", 4)),
            (0x0101, 3, 1, struct.pack(p + "H", 4)),
            (0x0102, 3, 1, struct.pack(p + "H", 8)),
            (0x0103, 3, 1, struct.pack(p + "H", 1)),
            (0x0106, 3, 1, struct.pack(p + "H", 1)),
            (0x010F, 2, 7, ascii("NIKON ")),
            (0x0111, 4, 1, ("ifd", "tail")),
            (0x0115, 3, 1, struct.pack(p + "H", 1)),
            (0x0116, 4, 1, struct.pack(p + "L", 4)),
            (0x0117, 4, 1, struct.pack(p + "L", 16)),
            (0x011A, 5, 1, struct.pack(p + "LL", 300, 1)),
            (0x011B, 5, 1, struct.pack(p + "LL", 300, 1)),
            (0x0128, 3, 1, struct.pack(p + "H", 2)),
            (0x8769, 4, 1, ("ifd", "exif")),
        ],
        "exif": [
            (0x829A, 5, 1, struct.pack(p + "LL", 1, 60)),
            (0x8827, 3, 1, struct.pack(p + "H", 100)),
            (0x9000, 7, 4, b"0221"),
            (0x9004, 2, 20, ascii("2023:01:02 03:04:05")),
            (0xA005, 4, 1, ("ifd", "interop")),
        ],
        "interop": [(0x0001, 2, 4, ascii("R03"))],
    }
    return tiff(order, ifds, tail=pixels)


def files() -> dict[str, bytes]:
    camera = camera_block("MM")
    intel = strip_tiff("II")
    return {
        "camera.jpg": jpeg_with_app1(camera),
        "camera.heic": heic(camera),
        "camera.png": png(camera),
        "camera.webp": webp(camera),
        "camera.jxl": jxl(camera),
        "intel.tif": intel,
        "intel.orf": b"IIRO" + intel[4:],
        "intel.rw2": b"IIU\0" + intel[4:],
        "motorola.tif": strip_tiff("MM"),
        "noexif.png": _png_plain(),
    }


def _png_plain() -> bytes:
    out = io.BytesIO()
    Image.new("L", (8, 8), 128).save(out, "PNG")
    return out.getvalue()


def main() -> int:
    for name, data in files().items():
        (HERE / name).write_bytes(data)
        if not ORACLE.exists():
            continue
        done = subprocess.run([str(ORACLE), "--container", str(HERE / name)], capture_output=True, check=False)
        if done.returncode == 0:
            (HERE / f"{name}.json").write_text(json.dumps(json.loads(done.stdout), ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
