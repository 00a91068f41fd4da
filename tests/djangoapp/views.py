"""Views answering with a media file in each shape Django has."""

from __future__ import annotations

import pathlib
import typing as t

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse

#: Files opened by ``tracked_file``, so a test can see how often each was closed.
TRACKED: list[t.Any] = []
#: What ``token_file`` saw: (method, query keys).
SEEN: list[tuple[str | None, list[str]]] = []


def _path(name: str) -> pathlib.Path:
    root = pathlib.Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if root not in path.parents or not path.is_file():
        raise Http404("no such file")
    return path


def file_response(request: HttpRequest, name: str) -> FileResponse:
    return FileResponse(_path(name).open("rb"))


@login_required
def private_file(request: HttpRequest, name: str) -> FileResponse:
    return FileResponse(_path(name).open("rb"))


def token_file(request: HttpRequest, name: str) -> FileResponse:
    """403 unless the query (as the view sees it) carries ``token=ok``."""
    SEEN.append((request.method, sorted(request.GET)))
    if request.GET.get("token") != "ok":
        raise PermissionDenied("token required")
    return FileResponse(_path(name).open("rb"))


def streamed_file(request: HttpRequest, name: str) -> StreamingHttpResponse:
    path = _path(name)

    def chunks() -> t.Iterator[bytes]:
        with path.open("rb") as f:
            while data := f.read(1024):
                yield data

    return StreamingHttpResponse(chunks(), content_type="application/octet-stream")


def async_streamed_file(request: HttpRequest, name: str) -> StreamingHttpResponse:
    """The file in 1 KiB chunks from an async iterator, as an async view streams."""
    path = _path(name)

    async def chunks() -> t.AsyncIterator[bytes]:
        with path.open("rb") as f:
            while data := f.read(1024):
                yield data

    return StreamingHttpResponse(chunks(), content_type="application/octet-stream")


def bytes_file(request: HttpRequest, name: str) -> HttpResponse:
    return HttpResponse(_path(name).read_bytes(), content_type="application/octet-stream")


class _CountingFile:
    """A real file that counts its ``close()`` calls."""

    def __init__(self, path: pathlib.Path) -> None:
        self.file = path.open("rb")
        self.closes = 0

    def __getattr__(self, name: str) -> t.Any:
        return getattr(self.file, name)

    def close(self) -> None:
        self.closes += 1
        self.file.close()


def tracked_file(request: HttpRequest, name: str) -> FileResponse:
    f = _CountingFile(_path(name))
    TRACKED.append(f)
    return FileResponse(f)


def moved(request: HttpRequest, name: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"/files/{name}")


def broken(request: HttpRequest, name: str) -> HttpResponse:
    raise RuntimeError("a view that crashes")


def broken_stream(request: HttpRequest, name: str) -> StreamingHttpResponse:
    """A streamed file whose iterator fails half-way (a storage back end going away)."""
    data = _path(name).read_bytes()

    def chunks() -> t.Iterator[bytes]:
        yield data[:1000]
        raise ValueError("storage at /srv/secret went away")

    return StreamingHttpResponse(chunks(), content_type="image/jpeg")


def renamed(request: HttpRequest, name: str) -> FileResponse:
    """``photo.jpg`` under any name, to see which name reaches the backend."""
    return FileResponse(_path("photo.jpg").open("rb"))
