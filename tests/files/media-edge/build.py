"""Write the edge-case media of this folder that FFmpeg's muxers will not make.

Run by ``generate.sh`` after FFmpeg has made the MP3 and FLV bases: an MP4 with no
track, an MP4 whose only track has an unknown sample entry, trailing ID3v1, APEv2 and
Lyrics3 tags after MP3 audio, and an FLV whose ``onMetaData`` duration is 0.1 µs.
"""

from __future__ import annotations

import pathlib
import struct

HERE = pathlib.Path(__file__).parent
IDENTITY = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def box(kind: bytes, *parts: bytes) -> bytes:
    body = b"".join(parts)
    return struct.pack(">I", 8 + len(body)) + kind + body


def full_box(kind: bytes, version: int, flags: int, *parts: bytes) -> bytes:
    return box(kind, struct.pack(">I", version << 24 | flags), *parts)


def item(kind: bytes, text: str) -> bytes:
    return box(kind, box(b"data", struct.pack(">II", 1, 0), text.encode()))


def movie(*tracks: bytes) -> bytes:
    """ftyp + moov: a 1.5 s movie header, the tracks, iTunes-style title and encoder."""
    ftyp = box(b"ftyp", b"isom", struct.pack(">I", 512), b"isomiso2mp41")
    mvhd = full_box(b"mvhd", 0, 0, struct.pack(">IIII", 0, 0, 1000, 1500), struct.pack(">IH", 0x10000, 0x100),
                    b"\0" * 10, IDENTITY, b"\0" * 24, struct.pack(">I", 2))
    ilst = box(b"ilst", item(b"\xa9nam", "fop-test"), item(b"\xa9too", "Lavf59.27.100"))
    meta = full_box(b"meta", 0, 0, full_box(b"hdlr", 0, 0, b"\0\0\0\0mdirappl", b"\0" * 9), ilst)
    return ftyp + box(b"moov", mvhd, *tracks, box(b"udta", meta))


def unknown_track() -> bytes:
    """A track whose handler and sample entry FFmpeg does not know, with no sample."""
    tkhd = full_box(b"tkhd", 0, 3, struct.pack(">IIIII", 0, 0, 1, 0, 1500), b"\0" * 8, struct.pack(">hhhH", 0, 0, 0, 0),
                    IDENTITY, struct.pack(">II", 0, 0))
    mdhd = full_box(b"mdhd", 0, 0, struct.pack(">IIII", 0, 0, 1000, 1500), struct.pack(">HH", 0x55C4, 0))
    hdlr = full_box(b"hdlr", 0, 0, b"\0\0\0\0fopx" + b"\0" * 12, b"fop\0")
    empty = struct.pack(">I", 0)
    stbl = box(b"stbl", full_box(b"stsd", 0, 0, struct.pack(">I", 1), box(b"fopx", b"\0" * 6, struct.pack(">H", 1))),
               full_box(b"stts", 0, 0, empty), full_box(b"stsc", 0, 0, empty),
               full_box(b"stsz", 0, 0, empty, empty), full_box(b"stco", 0, 0, empty))
    dinf = box(b"dinf", full_box(b"dref", 0, 0, struct.pack(">I", 1), full_box(b"url ", 0, 1)))
    return box(b"trak", tkhd, box(b"mdia", mdhd, hdlr, box(b"minf", full_box(b"nmhd", 0, 0), dinf, stbl)))


def apev2(items: dict[str, bytes]) -> bytes:
    """An APEv2 tag with header and footer."""
    body = b"".join(struct.pack("<II", len(v), 0) + k.encode() + b"\0" + v for k, v in items.items())

    def header(flags: int) -> bytes:
        return b"APETAGEX" + struct.pack("<IIII", 2000, len(body) + 32, len(items), flags) + b"\0" * 8

    return header(0xA0000000) + body + header(0x80000000)


ID3V1 = (b"TAG" + b"fop-test".ljust(30, b"\0") + b"fop-middleware".ljust(30, b"\0") + b"\0" * 30 + b"2026"
         + b"\0" * 28 + b"\0\x01\xff")
LYRICS = b"LYRICSBEGIN" + b"IND00002" + b"10" + b"LYR00011" + b"[00:00]fop"
LYRICS3 = LYRICS + b"%06d" % len(LYRICS) + b"LYRICS200"
APE = apev2({"Title": b"fop-test", "Artist": b"fop-middleware", "Comment": b"x" * 600})


def tiny_flv_duration(data: bytes) -> bytes:
    """The FLV with its onMetaData duration set to 1e-7 s (rounds to 0 µs)."""
    key = b"\x00\x08duration\x00"
    at = data.index(key) + len(key)
    return data[:at] + struct.pack(">d", 1e-7) + data[at + 8:]


def main() -> None:
    (HERE / "meta_only.mp4").write_bytes(movie())
    (HERE / "unknown_track.mp4").write_bytes(movie(unknown_track()))
    cbr = (HERE / "base_cbr.mp3").read_bytes()
    info = (HERE / "base_info.mp3").read_bytes()
    vbr = (HERE / "base_vbr.mp3").read_bytes()
    (HERE / "cbr_ape_id3v1.mp3").write_bytes(cbr + APE + ID3V1)
    (HERE / "cbr_lyrics3_id3v1.mp3").write_bytes(cbr + LYRICS3 + ID3V1)
    (HERE / "info_ape_id3v1.mp3").write_bytes(info + APE + ID3V1)
    (HERE / "info_lyrics3_id3v1.mp3").write_bytes(info + LYRICS3 + ID3V1)
    (HERE / "vbr_ape.mp3").write_bytes(vbr + APE)
    (HERE / "tiny_duration.flv").write_bytes(tiny_flv_duration((HERE / "base.flv").read_bytes()))


if __name__ == "__main__":
    main()
