"""fop-middleware: ``?exif`` and ``?avinfo`` file operations for any WSGI app."""

from __future__ import annotations

from .errors import FopError
from .extractor import Availability, Extractor, Source
from .registry import register

__all__ = ["Availability", "Extractor", "FopError", "FopMiddleware", "Source", "register"]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # The middleware pulls in werkzeug; importing the package for a backend should not.
    if name == "FopMiddleware":
        from .middleware import FopMiddleware

        return FopMiddleware
    raise AttributeError(name)
