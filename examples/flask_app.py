"""A Flask app serving ``examples/media/`` four ways, each answering ``?exif`` and ``?avinfo``.

Run:  flask --app examples/flask_app.py run      (or: gunicorn examples.flask_app:app)

Try ``/static/photo.jpg?exif`` (the static route), ``/media/movie.mp4?avinfo``
(``send_from_directory``), ``/memory/photo.jpg?exif`` (``send_file`` of a ``BytesIO``) and
``/private/photo.jpg?exif`` (401 without ``Authorization: Bearer demo``).
"""

from __future__ import annotations

import io
import pathlib

from flask import Flask, abort, request, send_file, send_from_directory
from flask.typing import ResponseReturnValue
from werkzeug.security import safe_join

from fop_middleware.flask import FlaskFop

MEDIA_ROOT = pathlib.Path(__file__).resolve().parent / "media"
TOKEN = "demo"

app = Flask(__name__, static_folder=str(MEDIA_ROOT), static_url_path="/static")
app.config.update(FOP_MAX_BODY_BYTES=64 * 1024 * 1024, FOP_TIMEOUT=20)
FlaskFop(app)


@app.get("/media/<path:name>")
def media(name: str) -> ResponseReturnValue:
    return send_from_directory(MEDIA_ROOT, name)


@app.get("/memory/<path:name>")
def memory(name: str) -> ResponseReturnValue:
    """A file that never was on disk, as a generated thumbnail or a blob from a database would be."""
    path = safe_join(str(MEDIA_ROOT), name)
    if path is None or not pathlib.Path(path).is_file():
        abort(404)
    return send_file(io.BytesIO(pathlib.Path(path).read_bytes()), download_name=name)


@app.get("/private/<path:name>")
def private(name: str) -> ResponseReturnValue:
    if request.headers.get("Authorization") != f"Bearer {TOKEN}":
        return "login required\n", 401, {"WWW-Authenticate": 'Bearer realm="demo"'}
    return send_from_directory(MEDIA_ROOT, name)


if __name__ == "__main__":
    app.run()
