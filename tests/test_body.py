"""Finding the file behind a response body, and the lazy spool for bodies that are not files."""

from __future__ import annotations

import io
import os
import pathlib
import typing as t
import wsgiref.util

import pytest
import werkzeug.wsgi

from fop_middleware.body import FileWrapper, LazySpool, file_behind, path_of, size_of
from fop_middleware.errors import FileTooLarge

from conftest import FILES, webob_file_iter


@pytest.fixture
def photo() -> t.Iterator[io.BufferedReader]:
    with open(FILES / "photo.jpg", "rb") as f:
        yield f


@pytest.mark.parametrize(
    "wrap",
    [
        pytest.param(wsgiref.util.FileWrapper, id="wsgiref"),
        pytest.param(werkzeug.wsgi.FileWrapper, id="werkzeug"),
        webob_file_iter(),
        pytest.param(FileWrapper, id="ours"),
    ],
)
def test_file_behind_wrappers(photo: io.BufferedReader, wrap: t.Any) -> None:
    assert file_behind(wrap(photo)) is photo


def test_file_behind_other_bodies(photo: io.BufferedReader, tmp_path: pathlib.Path) -> None:
    assert file_behind([b"x"]) is None
    assert file_behind(iter([b"x"])) is None
    assert file_behind(photo) is None, "a bare file is not a wrapper"
    with open(tmp_path / "t.txt", "w", encoding="utf-8") as text:
        assert file_behind(FileWrapper(text)) is None
    r, w = os.pipe()
    with open(r, "rb") as pipe, open(w, "wb"):
        assert file_behind(FileWrapper(pipe)) is None, "a pipe cannot be read in place"


def test_file_behind_a_broken_seekable(photo: io.BufferedReader) -> None:
    class Odd:
        def seekable(self) -> bool:
            raise RuntimeError("no idea")

        def read(self, n: int = -1) -> bytes:
            return b""

    assert file_behind(FileWrapper(Odd())) is None


def test_path_of(photo: io.BufferedReader, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert path_of(photo) == str(FILES / "photo.jpg")
    assert path_of(io.BytesIO(b"x")) is None
    monkeypatch.chdir(FILES)
    with open("photo.jpg", "rb") as relative:
        assert path_of(relative) is None, "only an absolute path is trusted"


def test_size_of(photo: io.BufferedReader) -> None:
    assert size_of(photo) == (FILES / "photo.jpg").stat().st_size
    bio = io.BytesIO(b"12345")
    bio.seek(2)
    assert size_of(bio) == 5 and bio.tell() == 2, "the position is kept"


def test_file_wrapper_iterates_and_closes(photo: io.BufferedReader) -> None:
    wrapper = FileWrapper(photo, 100)
    chunks = list(wrapper)
    assert b"".join(chunks) == (FILES / "photo.jpg").read_bytes()
    assert max(map(len, chunks)) == 100
    wrapper.close()
    assert photo.closed
    FileWrapper(object()).close()


class Chunks:
    """Counts how many chunks were pulled."""

    def __init__(self, data: bytes, size: int) -> None:
        self.parts = [data[i : i + size] for i in range(0, len(data), size)]
        self.pulled = 0

    def __iter__(self) -> t.Iterator[bytes]:
        for part in self.parts:
            self.pulled += 1
            yield part


DATA = bytes(range(256)) * 40  # 10240 bytes


def test_spool_pulls_only_what_reads_reach() -> None:
    chunks = Chunks(DATA, 1000)
    with LazySpool(chunks, max_bytes=1 << 20) as spool:
        assert spool.read(10) == DATA[:10]
        assert chunks.pulled == 1
        spool.seek(2500)
        assert chunks.pulled == 1, "seeking alone pulls nothing"
        assert spool.read(600) == DATA[2500:3100]
        assert chunks.pulled == 4
        spool.seek(-100, os.SEEK_CUR)
        assert spool.read(100) == DATA[3000:3100]
        assert spool.tell() == 3100
        assert chunks.pulled == 4


def test_spool_seek_end_reads_everything() -> None:
    chunks = Chunks(DATA, 1000)
    with LazySpool(chunks, max_bytes=1 << 20) as spool:
        assert spool.seek(-16, os.SEEK_END) == len(DATA) - 16
        assert spool.read() == DATA[-16:]
        assert chunks.pulled == 11
        assert spool.read(5) == b""
        spool.seek(len(DATA) + 100)
        assert spool.read(5) == b""


def test_spool_skips_empty_chunks() -> None:
    with LazySpool([b"", b"ab", b"", b"cd"], max_bytes=10) as spool:
        assert spool.read() == b"abcd"


def test_spool_works_under_a_buffered_reader() -> None:
    with io.BufferedReader(LazySpool(Chunks(DATA, 333), max_bytes=1 << 20)) as f:  # type: ignore[arg-type]
        f.seek(5000)
        assert f.read(10) == DATA[5000:5010]
        assert f.read() == DATA[5010:]


def test_spool_bad_seeks() -> None:
    with LazySpool([b"abc"], max_bytes=10) as spool:
        with pytest.raises(OSError):
            spool.seek(-1)
        with pytest.raises(ValueError):
            spool.seek(0, 7)
        assert spool.seekable() and spool.readable() and not spool.writable()


def test_spool_cap() -> None:
    chunks = Chunks(DATA, 1000)
    with LazySpool(chunks, max_bytes=2500) as spool:
        assert spool.read(2000) == DATA[:2000]
        assert not spool.overflowed
        with pytest.raises(FileTooLarge):
            spool.read(1000)
        assert spool.overflowed
        assert chunks.pulled == 3


def test_spool_cap_on_seek_end() -> None:
    with LazySpool(Chunks(DATA, 1000), max_bytes=len(DATA) - 1) as spool:
        with pytest.raises(FileTooLarge):
            spool.seek(0, os.SEEK_END)


def test_spool_cap_exact_size_is_fine() -> None:
    with LazySpool(Chunks(DATA, 1000), max_bytes=len(DATA)) as spool:
        assert spool.read() == DATA


def test_spool_moves_to_disk_past_memory_and_drops_it_on_close() -> None:
    spool = LazySpool(Chunks(DATA, 1000), max_bytes=1 << 20, memory_bytes=4000)
    spool.read(3000)
    assert not spool._spool._rolled
    spool.read(3000)
    assert spool._spool._rolled
    inner = spool._spool
    spool.close()
    assert spool.closed and inner.closed
    spool.close()


def test_size_of_an_unsizable_stream() -> None:
    class Stream(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def seek(self, offset: int, whence: int = 0) -> int:
            raise OSError("not seekable")

    with Stream() as stream:
        assert size_of(stream) is None  # type: ignore[arg-type]
