"""Views that answer with a media file: ``FileResponse``, behind a login, and streamed."""

from __future__ import annotations

import pathlib
import typing as t

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, StreamingHttpResponse

CHUNK = 64 * 1024


def _path(name: str) -> pathlib.Path:
    root = pathlib.Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if root not in path.parents or not path.is_file():
        raise Http404("no such file")
    return path


def media_file(request: HttpRequest, name: str) -> FileResponse:
    return FileResponse(_path(name).open("rb"))


@login_required
def private_file(request: HttpRequest, name: str) -> FileResponse:
    """Anonymous users get the login redirect, with ``?exif`` or without."""
    return FileResponse(_path(name).open("rb"))


def streamed_file(request: HttpRequest, name: str) -> StreamingHttpResponse:
    """A body that is no file (a generator), as a proxy or a storage backend would give."""
    path = _path(name)

    def chunks() -> t.Iterator[bytes]:
        with path.open("rb") as f:
            while data := f.read(CHUNK):
                yield data

    return StreamingHttpResponse(chunks(), content_type="application/octet-stream")
