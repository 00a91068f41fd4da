"""The WSGI app bench/load.py runs under gunicorn: a static directory with the middleware.

``FOP_LOAD_ROOT`` is the directory; ``FOP_LOAD_BACKEND`` the one avinfo backend (mediainfo
by default: the one hostile files hang).
"""

from __future__ import annotations

import os

from fop_middleware import FopMiddleware
from fop_middleware.serve import static_app

app = FopMiddleware(
    static_app(os.environ["FOP_LOAD_ROOT"]),
    backends={"avinfo": [os.environ.get("FOP_LOAD_BACKEND", "mediainfo")]},
    timeout=float(os.environ.get("FOP_LOAD_TIMEOUT", "2")),
)
