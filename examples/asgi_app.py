"""A Starlette app serving ``examples/media/`` three ways, each answering ``?exif`` and ``?avinfo``.

Run:  uvicorn examples.asgi_app:app      (pip install uvicorn starlette)

Try ``/static/photo.jpg?exif`` (``StaticFiles``), ``/files/movie.mp4?avinfo`` (a
``FileResponse``, as FastAPI's), ``/stream/sound.mp3?avinfo`` (a ``StreamingResponse``) and
``/private/photo.jpg?exif`` (401 without ``Authorization: Bearer demo``).
"""

from __future__ import annotations

import pathlib
import typing as t

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from fop_middleware.asgi import FopASGIMiddleware

MEDIA_ROOT = pathlib.Path(__file__).resolve().parent / "media"
TOKEN = "demo"


def media_path(request: Request) -> pathlib.Path:
    path = (MEDIA_ROOT / request.path_params["name"]).resolve()
    if path.parent != MEDIA_ROOT or not path.is_file():
        raise HTTPException(404)
    return path


async def files(request: Request) -> FileResponse:
    return FileResponse(media_path(request))


async def stream(request: Request) -> StreamingResponse:
    path = media_path(request)

    async def chunks() -> t.AsyncIterator[bytes]:
        with path.open("rb") as f:
            while data := f.read(64 * 1024):
                yield data

    return StreamingResponse(chunks(), media_type="application/octet-stream")


async def private(request: Request) -> FileResponse:
    if request.headers.get("authorization") != f"Bearer {TOKEN}":
        raise HTTPException(401, headers={"WWW-Authenticate": 'Bearer realm="media"'})
    return FileResponse(media_path(request))


site = Starlette(
    routes=[
        Route("/files/{name}", files),
        Route("/stream/{name}", stream),
        Route("/private/{name}", private),
        Mount("/static", app=StaticFiles(directory=MEDIA_ROOT)),
    ]
)

app = FopASGIMiddleware(site, max_body_bytes=64 * 1024 * 1024, timeout=20)
