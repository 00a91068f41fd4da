"""The test settings without ``DjangoFopMiddleware``, for the whole app wrapped by ``FopMiddleware``."""

from __future__ import annotations

from .settings import *  # noqa: F403

MIDDLEWARE = [m for m in MIDDLEWARE if not m.endswith("DjangoFopMiddleware")]  # noqa: F405
