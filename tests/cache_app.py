"""A static site whose ``?exif`` answers go through a Redis cache, for gunicorn (``cache_app:app``).

``FOP_TEST_ROOT`` is the directory served, ``FOP_TEST_REDIS`` the cache URL, and the
counting backend appends one line per extraction to ``FOP_TEST_COUNT_FILE``.
"""

from __future__ import annotations

import os

from cachesupport import Counting

from fop_middleware import FopMiddleware, registry
from fop_middleware.serve import static_app

registry.register("test-counting", Counting, clobber=True)

app = FopMiddleware(static_app(os.environ["FOP_TEST_ROOT"]), backends={"exif": ["test-counting"]}, cache=os.environ["FOP_TEST_REDIS"])
