"""``FlaskFop``: the Flask extension that wraps ``app.wsgi_app`` with :class:`FopMiddleware`."""

from __future__ import annotations

import logging
import os
import typing as t

from .body import DEFAULT_SPOOL_MEMORY, FileWrapper
from .cache import MEMORY
from .core import DEFAULT_MAX_BODY_BYTES
from .errors import ExtractorFailure
from .extractor import DEFAULT_MAX_IMAGE_PIXELS, DEFAULT_MAX_IMAGE_SIDE, DEFAULT_TIMEOUT
from .limit import DEFAULT_WAIT
from .middleware import ENVIRON_OP, FopMiddleware

if t.TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask

logger = logging.getLogger("fop_middleware")

EXTENSION_KEY = "fop_middleware"
X_SENDFILE = "X-Sendfile"

#: ``app.config`` key -> (FopMiddleware option, default).
CONFIG_OPTIONS: dict[str, tuple[str, t.Any]] = {
    "FOP_BACKENDS": ("backends", None),
    "FOP_MAX_BODY_BYTES": ("max_body_bytes", DEFAULT_MAX_BODY_BYTES),
    "FOP_SPOOL_MEMORY_BYTES": ("spool_memory_bytes", DEFAULT_SPOOL_MEMORY),
    "FOP_TIMEOUT": ("timeout", DEFAULT_TIMEOUT),
    "FOP_ISOLATION": ("isolation", "process"),
    "FOP_MAX_EXTRACTIONS": ("max_extractions", None),
    "FOP_EXTRACTION_WAIT": ("extraction_wait", DEFAULT_WAIT),
    "FOP_CACHE": ("cache", MEMORY),
    "FOP_REDACT": ("redact", None),
    "FOP_MAX_IMAGE_SIDE": ("max_image_side", DEFAULT_MAX_IMAGE_SIDE),
    "FOP_MAX_IMAGE_PIXELS": ("max_image_pixels", DEFAULT_MAX_IMAGE_PIXELS),
}


class FlaskFop:
    """Answer ``?exif`` and ``?avinfo`` for every file a Flask app serves.

    It reads ``app.config``: ``FOP_BACKENDS``, ``FOP_MAX_BODY_BYTES``,
    ``FOP_SPOOL_MEMORY_BYTES``, ``FOP_TIMEOUT``, ``FOP_ISOLATION``, ``FOP_MAX_EXTRACTIONS``,
    ``FOP_EXTRACTION_WAIT``, ``FOP_CACHE`` (``"memory"``, a ``redis://`` URL, a ``cachelib``
    cache, or None), ``FOP_REDACT``, ``FOP_MAX_IMAGE_SIDE``, ``FOP_MAX_IMAGE_PIXELS``, and
    ``FOP_SENDFILE_ROOT``: with
    ``USE_X_SENDFILE`` the app sends no body, so a fop request reads the file named by
    ``X-Sendfile`` only when it lies under this directory; otherwise the answer is a 599.
    Call :meth:`init_app` after setting the config; a bad value raises there.

    :param app: the app to set up now, or None for the app factory pattern.

    Usage::

        fop = FlaskFop()
        fop.init_app(app)
    """

    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Wrap ``app.wsgi_app``; the app is not kept."""
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError("FlaskFop is already set up on this app")
        options = {option: app.config.get(key, default) for key, (option, default) in CONFIG_OPTIONS.items()}
        root = app.config.get("FOP_SENDFILE_ROOT")
        inner = XSendfileResolver(app.wsgi_app, root=os.fspath(root) if root is not None else None)
        app.wsgi_app = FopMiddleware(inner, **options)  # type: ignore[method-assign]
        app.extensions[EXTENSION_KEY] = self


class XSendfileResolver:
    """On a fop request, turn an ``X-Sendfile`` response into the file it names.

    Only a file under ``root`` is opened; any other (or no ``root``) makes the fop answer a
    599, since the body the app sent is empty and the front server never sees this request.

    :param app: the WSGI app that may answer with ``X-Sendfile``.
    :param root: the directory X-Sendfile files may come from, or None.
    """

    def __init__(self, app: WSGIApplication, *, root: str | None = None) -> None:
        if root is not None and not os.path.isdir(root):
            raise ValueError(f"FOP_SENDFILE_ROOT is not a directory: {root!r}")
        self.app = app
        self.root = os.path.realpath(root) if root is not None else None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> t.Iterable[bytes]:
        if ENVIRON_OP not in environ:
            return self.app(environ, start_response)
        held: list[t.Any] = []

        def holding_start_response(status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None) -> t.Callable[[bytes], object]:
            if not any(k.lower() == "x-sendfile" for k, _ in headers):
                return start_response(status, headers, exc_info)
            held[:] = [status, headers, exc_info]
            return lambda data: None

        # Flask calls start_response before returning, so ``held`` is filled by now.
        app_iter = self.app(environ, holding_start_response)
        if not held:
            return app_iter
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
        status, headers, exc_info = held
        path = next(v for k, v in headers if k.lower() == "x-sendfile")
        headers = [(k, v) for k, v in headers if k.lower() not in ("x-sendfile", "content-length")]
        f = self.open(path)
        if f is None:
            start_response(status, headers, exc_info)
            return _Unservable()
        headers.append(("Content-Length", str(os.fstat(f.fileno()).st_size)))
        start_response(status, headers, exc_info)
        wrapper = environ.get("wsgi.file_wrapper", FileWrapper)
        return t.cast("t.Iterable[bytes]", wrapper(f))

    def open(self, path: str) -> t.BinaryIO | None:
        """The file at ``path`` if it lies under the root, else None (the reason is logged)."""
        if self.root is None:
            logger.error("X-Sendfile response on a fop request, and FOP_SENDFILE_ROOT is not set")
            return None
        real = os.path.realpath(path)
        if os.path.commonpath([self.root, real]) != self.root or not os.path.isfile(real):
            logger.error("X-Sendfile %r is not a file under FOP_SENDFILE_ROOT %r", path, self.root)
            return None
        return open(real, "rb")


class _Unservable:
    """A body that cannot be had: reading it makes the fop answer a 599."""

    def __iter__(self) -> t.Iterator[bytes]:
        raise ExtractorFailure()
