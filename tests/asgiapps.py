"""ASGI apps for ``tests/test_asgi.py``, each served by uvicorn as ``asgiapps:NAME`` (``tests/`` on the path).

Every app comes twice: ``NAME`` wrapped by ``FopASGIMiddleware`` and ``NAME_raw`` as it is,
so a test can compare a plain request's bytes with the unwrapped app's.
"""

from __future__ import annotations

import pathlib
import typing as t

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from fop_middleware.asgi import FopASGIMiddleware

MEDIA = pathlib.Path(__file__).resolve().parent.parent / "examples" / "media"
#: Small chunks, so a streamed body takes many messages.
STREAM_CHUNK = 1024


def _path(name: str) -> pathlib.Path | None:
    path = (MEDIA / name).resolve()
    return path if path.parent == MEDIA and path.is_file() else None


async def file_response(request: Request) -> Response:
    path = _path(request.path_params["name"])
    if path is None:
        return PlainTextResponse("Not Found", status_code=404)
    return FileResponse(path)


async def streamed(request: Request) -> Response:
    path = _path(request.path_params["name"])
    if path is None:
        return PlainTextResponse("Not Found", status_code=404)

    async def chunks() -> t.AsyncIterator[bytes]:
        with path.open("rb") as f:
            while data := f.read(STREAM_CHUNK):
                yield data

    return StreamingResponse(chunks(), media_type="application/octet-stream")


async def private(request: Request) -> Response:
    if request.headers.get("authorization") != "Bearer ok":
        return PlainTextResponse("no", status_code=401, headers={"WWW-Authenticate": 'Bearer realm="media"'})
    return await file_response(request)


async def moved(request: Request) -> Response:
    return RedirectResponse(f"/files/{request.path_params['name']}", status_code=302)


async def broken(request: Request) -> Response:
    raise RuntimeError("a view that crashes at /srv/secret")


routes = [
    Route("/files/{name}", file_response),
    Route("/stream/{name}", streamed),
    Route("/private/{name}", private),
    Route("/moved/{name}", moved),
    Route("/broken/{name}", broken),
]

# StaticFiles raises its 404 as an exception, for the app it is mounted in to render.
static_raw = Starlette(routes=[Mount("/", app=StaticFiles(directory=MEDIA))])
static = FopASGIMiddleware(static_raw)
files_raw = Starlette(routes=routes)
files = FopASGIMiddleware(files_raw)
