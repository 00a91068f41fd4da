"""A Pyramid app serving ``examples/media/`` with ``?exif`` and ``?avinfo`` through the tween.

Run:  python examples/pyramid_app.py      (or: gunicorn examples.pyramid_app:app)

Try ``/static/photo.jpg?exif`` (``add_static_view``), ``/files/movie.mp4?avinfo`` (a view
returning ``FileResponse``) and ``/private/photo.jpg?exif`` (403 without ``X-Token: demo``).
"""

from __future__ import annotations

import os
import pathlib
import typing as t
from wsgiref.simple_server import make_server

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound
from pyramid.response import FileResponse

if t.TYPE_CHECKING:
    from pyramid.request import Request

MEDIA_ROOT = pathlib.Path(__file__).resolve().parent / "media"
TOKEN = "demo"


def media_file(request: Request) -> FileResponse:
    """The media file the route names, or a 404; never a path outside the media root."""
    name = request.matchdict["name"]
    path = (MEDIA_ROOT / name).resolve()
    if MEDIA_ROOT not in path.parents or not path.is_file():
        raise HTTPNotFound()
    return FileResponse(str(path), request=request)


def private_file(request: Request) -> FileResponse:
    if request.headers.get("X-Token") != TOKEN:
        raise HTTPForbidden()
    return media_file(request)


def make_app(**settings: t.Any) -> t.Any:
    """The WSGI app; ``settings`` may hold ``fop.*`` options."""
    with Configurator(settings={"fop.timeout": "20", **settings}) as config:
        config.include("fop_middleware.pyramid")
        config.add_static_view("static", str(MEDIA_ROOT))
        config.add_route("file", "/files/{name}")
        config.add_view(media_file, route_name="file")
        config.add_route("private", "/private/{name}")
        config.add_view(private_file, route_name="private")
        return config.make_wsgi_app()


app = make_app()

if __name__ == "__main__":
    port = int(os.environ.get("PORT", "6543"))
    with make_server("127.0.0.1", port, app) as server:
        print(f"Serving examples/media/ on http://127.0.0.1:{port}/static/ (Ctrl-C to stop)")
        server.serve_forever()
