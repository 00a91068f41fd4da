"""The WSGI app ``bench_server.py`` runs under gunicorn: one static directory under several mounts.

- ``/p/bare/NAME``: the static app alone, as deep in the dispatcher as the others (the baseline for pass-through overhead);
- ``/c/BACKEND/NAME``: through FopMiddleware with only BACKEND for its operation, answers cached;
- ``/n/BACKEND/NAME``: the same with ``cache=None``, so every answer is extracted.

``FOP_BENCH_ROOT`` names the directory; ``FOP_BENCH_CACHE`` the ``cache=`` option of the
``/c/`` mounts (default ``memory``, or a ``redis://`` URL).
"""

from __future__ import annotations

import os
import typing as t

from werkzeug.middleware.dispatcher import DispatcherMiddleware

from fop_middleware import FopMiddleware, registry
from fop_middleware.serve import static_app

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

BACKENDS = ("ffprobe", "pyav", "mediainfo", "libexif")


def make_app(root: str, cache: str) -> WSGIApplication:
    static = static_app(root)
    mounts: dict[str, WSGIApplication] = {"/p/bare": static}
    for name in BACKENDS:
        if not registry.availability(name).ok:
            continue
        op = registry.operation_of(name)
        assert op is not None
        mounts[f"/c/{name}"] = FopMiddleware(static, backends={op: [name]}, cache=cache)
        mounts[f"/n/{name}"] = FopMiddleware(static, backends={op: [name]}, cache=None)
    return DispatcherMiddleware(static, mounts)


app = make_app(os.environ["FOP_BENCH_ROOT"], os.environ.get("FOP_BENCH_CACHE", "memory"))
