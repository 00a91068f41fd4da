"""fop-middleware: ``?exif`` and ``?avinfo`` file operations for any WSGI app."""

from __future__ import annotations

import importlib.metadata

from .errors import FopError
from .extractor import Availability, Extractor, Source
from .middleware import FopMiddleware
from .registry import register

__all__ = ["Availability", "Extractor", "FopError", "FopMiddleware", "Source", "register"]

try:
    # pyproject.toml's version is the one source of truth; a source tree that was never
    # installed has no metadata to read it from.
    __version__ = importlib.metadata.version("fop-middleware")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - only outside an install
    __version__ = "0+unknown"

