"""Support shared by the tests and the benchmarks: big files made cheaply, and a file that counts reads."""

from __future__ import annotations

import io
import os
import pathlib
import random
import struct
import typing as t

MEDIA = pathlib.Path(__file__).parent / "files" / "media"

#: The size of the big MP4: over 100 MB, as the issue's bytes-read figure asks.
BIG_SIZE = 110 * 1024 * 1024


class CountingFile(io.RawIOBase):
    """A read-only binary file that counts the bytes read through it and its ``close()`` calls.

    It has no ``name`` and no ``fileno``, so a backend can reach the data through it only.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self._f = open(path, "rb", buffering=0)  # noqa: SIM115 - closed in close()
        self.bytes_read = 0
        self.close_calls = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: t.Any) -> int:
        n = self._f.readinto(buffer) or 0
        self.bytes_read += n
        return n

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._f.seek(offset, whence)

    def tell(self) -> int:
        return self._f.tell()

    def close(self) -> None:
        self.close_calls += 1
        if not self.closed:
            self._f.close()
        super().close()


def big_jpeg(path: pathlib.Path, side: int = 3000) -> pathlib.Path:
    """A real ~10 MB JPEG with EXIF: noise compresses badly, so the scan data is large."""
    from PIL import Image

    noise = random.Random(0).randbytes(side * side * 3)
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS 5D"
    Image.frombytes("RGB", (side, side), noise).save(path, quality=95, exif=exif)
    return path


def big_moov_end_mp4(path: pathlib.Path, size: int = BIG_SIZE, clip_path: pathlib.Path = MEDIA / "h264_aac_moov_end.mp4") -> pathlib.Path:
    """A ``size`` byte MP4 (ftyp, mdat, moov) built from a small clip in no time.

    The mdat grows by a sparse hole after the clip's samples, so every chunk offset in
    the moov stays right and the moov ends up ``size`` bytes into the file.
    """
    clip = clip_path.read_bytes()
    boxes, at = {}, 0
    while at + 8 <= len(clip):
        (box_size,) = struct.unpack(">I", clip[at : at + 4])
        boxes[clip[at + 4 : at + 8]] = (at, box_size)
        at += box_size
    mdat_at, mdat_size = boxes[b"mdat"]
    moov_at, moov_size = boxes[b"moov"]
    assert moov_at == mdat_at + mdat_size, "the clip must end with mdat then moov"
    padding = size - len(clip)
    with open(path, "wb") as f:
        f.write(clip[:mdat_at])
        f.write(struct.pack(">I", mdat_size + padding) + b"mdat")
        f.write(clip[mdat_at + 8 : moov_at])
        f.seek(padding, os.SEEK_CUR)
        f.write(clip[moov_at : moov_at + moov_size])
    return path


def moov_first(clip_path: pathlib.Path, out: pathlib.Path) -> pathlib.Path:
    """``clip_path`` rewritten with its moov before mdat (``ffmpeg -movflags +faststart``)."""
    import subprocess

    cmd = ["ffmpeg", "-v", "error", "-y", "-i", str(clip_path), "-map", "0", "-c", "copy", "-movflags", "+faststart", str(out)]
    subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL)
    return out


def padded_mp4_chunks(clip: bytes, size: int, chunk: int = 64 * 1024) -> t.Iterator[bytes]:
    """A ``size`` byte moov-first MP4 as a streamed body: ``clip`` (whose last box is mdat)
    with that mdat grown by zeros after its samples, so every chunk offset stays right."""
    at, last = 0, 0
    while at + 8 <= len(clip):
        last = at
        at += struct.unpack(">I", clip[at : at + 4])[0]
    assert clip[last + 4 : last + 8] == b"mdat" and at == len(clip), "the clip must end with mdat"
    padding = size - len(clip)
    mdat_size = len(clip) - last + padding
    yield clip[:last] + struct.pack(">I", mdat_size) + clip[last + 4 :]
    zeros = bytes(chunk)
    while padding > 0:
        yield zeros[: min(chunk, padding)]
        padding -= chunk
