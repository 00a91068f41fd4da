"""A static file server for ``examples/media/`` with ``?exif`` and ``?avinfo``: WhiteNoise under gunicorn.

Run:  gunicorn examples.gunicorn_static:app      (from the repository root)

Then ``curl 'http://127.0.0.1:8000/photo.jpg?exif'``. Plain file requests are WhiteNoise's
own, untouched, so gunicorn still sends them with ``sendfile()``. ``FOP_MEDIA_ROOT``
serves another directory.
"""

from __future__ import annotations

import os
import pathlib
import typing as t

from whitenoise import WhiteNoise

from fop_middleware import FopMiddleware

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

MEDIA_ROOT = os.environ.get("FOP_MEDIA_ROOT") or str(pathlib.Path(__file__).resolve().parent / "media")


def not_found(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
    """What WhiteNoise falls back to for a path that is not a file under the root."""
    body = b"Not Found\n"
    start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


app = FopMiddleware(WhiteNoise(not_found, root=MEDIA_ROOT))
