"""The test settings with only async-capable middleware below ``DjangoFopMiddleware`` (no WhiteNoise).

Under ASGI, Django then calls ``DjangoFopMiddleware`` in async mode.
"""

from __future__ import annotations

from .settings import *  # noqa: F403

MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]  # noqa: F405
