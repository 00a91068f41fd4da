"""Append a Dolby Vision ``dvcC`` box to the first sample entry of an MP4 (for pyav-dovi.mp4).

    python pyav-insert-dvcc.py IN.mp4 OUT.mp4 HEX

HEX is the box payload. Only the sizes of the enclosing boxes change, so the input must
have its moov after its mdat (FFmpeg's default), where no chunk offset moves.
"""

import struct
import sys

PATH = (b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd", b"hvc1")


def main(src: str, dst: str, payload_hex: str) -> None:
    data = bytearray(open(src, "rb").read())
    box = struct.pack(">I", 8 + len(payload_hex) // 2) + b"dvcC" + bytes.fromhex(payload_hex)
    parents, start, end = [], 0, len(data)
    for name in PATH:
        pos = start
        while struct.unpack(">4s", data[pos + 4 : pos + 8])[0] != name:
            pos += struct.unpack(">I", data[pos : pos + 4])[0]
            assert pos < end, f"no {name!r} box"
        size = struct.unpack(">I", data[pos : pos + 4])[0]
        parents.append(pos)
        start, end = pos + (16 if name == b"stsd" else 8), pos + size
    data[end:end] = box
    for pos in parents:
        size = struct.unpack(">I", data[pos : pos + 4])[0]
        data[pos : pos + 4] = struct.pack(">I", size + len(box))
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main(*sys.argv[1:4])
