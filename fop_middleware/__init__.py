"""fop-middleware: ``?exif`` and ``?avinfo`` file operations for any WSGI app."""

from __future__ import annotations

from .errors import FopError
from .extractor import Availability, Extractor, Source
from .middleware import FopMiddleware
from .registry import register

__all__ = ["Availability", "Extractor", "FopError", "FopMiddleware", "Source", "register"]
__version__ = "0.1.0"

