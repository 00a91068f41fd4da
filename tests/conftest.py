"""Shared fixtures for the core's tests: small real files, test backends, a counting file."""

from __future__ import annotations

import importlib.util
import pathlib
import typing as t

import pytest
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response

from fop_middleware import registry
from fop_middleware.errors import NoExifData, UnsupportedFile
from fop_middleware.extractor import Extractor, Source

from bigfiles import CountingFile, big_jpeg, big_moov_end_mp4  # noqa: E402,F401 - shared with the tests
from cachesupport import Counting

FILES = pathlib.Path(__file__).parent / "files" / "core"

#: How much the test exif backend reads, like a parser that only wants the first segments.
TEST_EXIF_READ = 16 * 1024


class FakeExif(Extractor):
    """Answers what it saw: name, size, whether a path was given, and the JPEG marker."""

    name = "test-exif"
    operation = "exif"

    def accepts(self, head: bytes) -> bool:
        return head.startswith(b"\xff\xd8")

    def extract(self, source: Source) -> dict[str, t.Any]:
        data = source.stream.read(TEST_EXIF_READ)
        if b"Exif\x00\x00" not in data:
            raise NoExifData()
        return {
            "name": source.name,
            "size": source.size,
            "has_path": source.path is not None,
            "read": len(data),
            "text": "Café ✓",
        }


class FakeAvinfo(Extractor):
    """Reads only the first four bytes after the RIFF/ftyp magic; refuses anything else."""

    name = "test-avinfo"
    operation = "avinfo"

    def extract(self, source: Source) -> dict[str, t.Any]:
        head = source.stream.read(12)
        if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
            kind = "wav"
        elif head[4:8] == b"ftyp":
            kind = "mp4"
        else:
            raise UnsupportedFile("unsupported file format for avinfo")
        return {"format": {"filename": source.name, "format_name": kind, "size": source.size}}


class Crashing(Extractor):
    """A backend with a bug: it raises something that is not a FopError."""

    name = "test-crash"
    operation = "exif"
    message = "crashed while reading /srv/secret/dir/photo.jpg"

    def extract(self, source: Source) -> dict[str, t.Any]:
        source.stream.read(10)
        raise RuntimeError(self.message)


class Unavailable(Extractor):
    name = "test-unavailable"
    operation = "exif"

    def availability(self) -> t.Any:
        from fop_middleware.extractor import Availability

        return Availability(False, "the test says no")

    def extract(self, source: Source) -> dict[str, t.Any]:
        raise AssertionError("an unavailable backend must not run")


TEST_BACKENDS: dict[str, type[Extractor]] = {
    "test-exif": FakeExif,
    "test-avinfo": FakeAvinfo,
    "test-crash": Crashing,
    "test-unavailable": Unavailable,
}

TEST_ORDER = {"exif": ["test-exif"], "avinfo": ["test-avinfo"]}


@pytest.fixture
def clean_registry(monkeypatch: pytest.MonkeyPatch) -> t.Iterator[None]:
    """Registry state as a fresh process has it, restored afterwards."""
    monkeypatch.setattr(registry, "_registry", dict(registry.BUILTIN_BACKENDS))
    monkeypatch.setattr(registry, "_instances", {})
    monkeypatch.setattr(registry, "_entry_points_loaded", False)
    yield


@pytest.fixture
def test_backends(clean_registry: None) -> dict[str, list[str]]:
    """Register the test backends; returns the per-operation order that uses them."""
    for name, cls in TEST_BACKENDS.items():
        registry.register(name, cls, clobber=True)
    return {op: list(names) for op, names in TEST_ORDER.items()}


def send_file_app(root: pathlib.Path) -> t.Any:
    """A static app on werkzeug's send_file, which honours Range and conditional requests."""

    @Request.application
    def app(request: Request) -> t.Any:
        path = root / request.path.lstrip("/")
        if not path.is_file():
            return Response("no such file", status=404)
        return send_file(path, request.environ, conditional=True, etag=True)

    return app


def webob_file_iter() -> t.Any:
    """A ``pytest.param`` of WebOb's FileIter, skipped where WebOb is not installed (tox env "core")."""
    try:
        from webob.static import FileIter
    except ImportError:
        return pytest.param(None, id="webob-file", marks=pytest.mark.skip(reason="webob not installed"))
    return pytest.param(FileIter, id="webob-file")


def backend_module_exists(name: str) -> bool:
    """Whether the built-in backend ``name``'s module is in the package (some are still being written)."""
    module = registry.BUILTIN_BACKENDS[name][0].partition(":")[0]
    return importlib.util.find_spec(module) is not None


def require_backend(name: str) -> None:
    """Skip when the backend's module or its optional library is absent; fail on anything else."""
    if not backend_module_exists(name):
        pytest.skip(f"backend module for {name!r} is not in this checkout yet")
    status = registry.availability(name)
    if not status.ok and "not installed" in status.reason.lower():
        pytest.skip(f"backend {name!r}: {status.reason}")


@pytest.fixture(scope="session")
def big_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pathlib.Path]:
    """A 10 MB JPEG with EXIF and a 110 MB (sparse) moov-at-end MP4, made once per session."""
    root = tmp_path_factory.mktemp("big")
    return {"jpeg": big_jpeg(root / "big.jpg"), "mp4": big_moov_end_mp4(root / "big.mp4", clip_path=FILES / "clip.mp4")}


@pytest.fixture
def counting(clean_registry: None) -> t.Iterator[type[Counting]]:
    """The answer-cache tests' backend ``test-counting``, registered, with its count at zero."""
    registry.register("test-counting", Counting, clobber=True)
    Counting.calls = []
    Counting.fail_with = None
    yield Counting
