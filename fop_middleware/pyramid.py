"""Pyramid integration: a tween, set up with ``config.include("fop_middleware.pyramid")``.

Settings (in the ``.ini`` file or the ``Configurator``'s ``settings``):

- ``fop.backends``: ``avinfo = pyav mediainfo`` lines, or a dict of lists in Python;
- ``fop.max_body_bytes``, ``fop.spool_memory_bytes``: ints;
- ``fop.timeout``: seconds;
- ``fop.isolation``: ``process`` (native backends in helper processes) or ``inline``;
- ``fop.max_extractions``: an int (unset: sized from the cores), ``fop.extraction_wait``: seconds;
- ``fop.cache``: ``memory`` (the default), a ``redis://`` URL, or ``off``;
- ``fop.redact``: ``/media/users/ = gps serial`` lines, or a dict of lists in Python;
- ``fop.max_image_side``, ``fop.max_image_pixels``: ints.
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

from pyramid.settings import aslist  # type: ignore[import-untyped]
from pyramid.tweens import EXCVIEW  # type: ignore[import-untyped]
from webob import Response

from .body import DEFAULT_SPOOL_MEMORY, FileWrapper, file_behind
from .cache import MEMORY
from .core import DEFAULT_MAX_BODY_BYTES, STRIPPED_REQUEST_HEADERS, FopCore, FopRequest, Result, last_segment
from .extractor import DEFAULT_MAX_IMAGE_PIXELS, DEFAULT_MAX_IMAGE_SIDE, DEFAULT_TIMEOUT
from .failures import BodyWatch, app_failure
from .limit import DEFAULT_WAIT
from .middleware import ENVIRON_OP
from .pump import close_body
from .redirects import with_operation

if t.TYPE_CHECKING:
    from pyramid.config import Configurator  # type: ignore[import-untyped]
    from pyramid.registry import Registry  # type: ignore[import-untyped]
    from pyramid.request import Request  # type: ignore[import-untyped]

    Handler = t.Callable[[Request], Response]

TWEEN = "fop_middleware.pyramid.fop_tween_factory"

_STRIPPED_ENVIRON_KEYS = tuple("HTTP_" + h.upper().replace("-", "_") for h in STRIPPED_REQUEST_HEADERS)


def includeme(config: Configurator) -> None:
    """Add the tween above Pyramid's exception view, so it sees the 403s and 404s views raise.

    :raises ValueError: a bad ``fop.*`` setting, here rather than on the first request.
    """
    FopCore(**core_options(config.get_settings()))
    config.add_tween(TWEEN, over=EXCVIEW)


def core_options(settings: Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The :class:`~fop_middleware.core.FopCore` options in Pyramid ``settings``.

    :raises ValueError: a value that is not a number where one is needed.
    """
    return {
        "backends": _backends(settings.get("fop.backends")),
        "max_body_bytes": int(settings.get("fop.max_body_bytes", DEFAULT_MAX_BODY_BYTES)),
        "spool_memory_bytes": int(settings.get("fop.spool_memory_bytes", DEFAULT_SPOOL_MEMORY)),
        "timeout": float(settings.get("fop.timeout", DEFAULT_TIMEOUT)),
        "isolation": str(settings.get("fop.isolation", "process")),
        "max_extractions": int(settings["fop.max_extractions"]) if settings.get("fop.max_extractions") else None,
        "extraction_wait": float(settings.get("fop.extraction_wait", DEFAULT_WAIT)),
        "cache": _cache(settings.get("fop.cache", MEMORY)),
        "redact": _lines("fop.redact", settings.get("fop.redact"), "/path/prefix/ = gps ..."),
        "max_image_side": int(settings.get("fop.max_image_side", DEFAULT_MAX_IMAGE_SIDE)),
        "max_image_pixels": int(settings.get("fop.max_image_pixels", DEFAULT_MAX_IMAGE_PIXELS)),
    }


def _cache(value: t.Any) -> t.Any:
    """``off`` (as an ``.ini`` can say it) is None; anything else goes to the core as is."""
    if isinstance(value, str) and value.strip().lower() in ("off", "none", "false", ""):
        return None
    return value.strip() if isinstance(value, str) else value


def _backends(value: t.Any) -> Mapping[str, t.Sequence[str]] | None:
    """``"avinfo = pyav mediainfo"`` lines (as an ``.ini`` gives them) or a mapping as is."""
    return _lines("fop.backends", value, "operation = backend ...")


def _lines(setting: str, value: t.Any, shape: str) -> Mapping[str, t.Sequence[str]] | None:
    """``key = name name`` lines (as an ``.ini`` gives them) as a dict of lists; a mapping as is."""
    if value is None or isinstance(value, Mapping):
        return value
    result: dict[str, list[str]] = {}
    for line in str(value).strip().splitlines():
        if line.strip():
            key, sep, names = line.partition("=")
            if not sep:
                raise ValueError(f"{setting}: expected '{shape}', not {line.strip()!r}")
            result[key.strip()] = aslist(names.replace(",", " "))
    return result


def fop_tween_factory(handler: Handler, registry: Registry) -> Handler:
    """The tween: a fop request reaches the views as a plain GET, and their answer becomes JSON."""
    core = FopCore(**core_options(registry.settings or {}))

    def fop_tween(request: Request) -> Response:
        fop = core.match(request.method, request.environ.get("QUERY_STRING", ""))
        if fop is None:
            return handler(request)
        name = last_segment(request.script_name + request.path_info)
        try:
            with _PlainGet(request, fop):
                response = handler(request)
            result = _respond(core, fop, request, response)
        except Exception:
            # No exception view took it (or the body or close() raised): the client gets JSON.
            result = app_failure(fop, name)
        if result is None:
            response.headerlist = with_operation(response.headerlist, request.script_name + request.path_info, fop)
            return response
        return to_response(result)

    return fop_tween


class _PlainGet:
    """Show the views a plain GET of the file, and restore the environ afterwards."""

    _KEYS = (*_STRIPPED_ENVIRON_KEYS, "REQUEST_METHOD", "QUERY_STRING", "wsgi.file_wrapper", ENVIRON_OP)

    def __init__(self, request: Request, fop: FopRequest) -> None:
        self.environ = request.environ
        self.fop = fop
        self.saved: dict[str, t.Any] = {}

    def __enter__(self) -> None:
        for key in self._KEYS:
            if key in self.environ:
                self.saved[key] = self.environ.pop(key)
        self.environ.update(
            {"REQUEST_METHOD": "GET", "QUERY_STRING": self.fop.query, "wsgi.file_wrapper": FileWrapper, ENVIRON_OP: self.fop.op}
        )

    def __exit__(self, *exc: object) -> None:
        for key in self._KEYS:
            self.environ.pop(key, None)
        self.environ.update(self.saved)


def _respond(core: FopCore, fop: FopRequest, request: Request, response: Response) -> Result | None:
    """The core's answer; closes the view's ``app_iter`` once unless the response passes."""
    app_iter = response.app_iter
    file = file_behind(app_iter)
    body_watch = BodyWatch()
    path = request.script_name + request.path_info
    try:
        result = core.respond(
            fop,
            response.status_code,
            response.headerlist,
            last_segment(path),
            file=file,
            chunks=None if file is not None else body_watch.watch(app_iter),
            path=path,
        )
        body_watch.raise_error()
    except BaseException:
        _close(app_iter)
        raise
    if result is not None:
        _close(app_iter)
    return result


def _close(app_iter: t.Any) -> None:
    close = getattr(app_iter, "close", None)
    if close is not None:
        close_body(close)


def to_response(result: Result) -> Response:
    """The WebOb response for a core :class:`~fop_middleware.core.Result`, headers kept as made."""
    return Response(status=result.status_line, headerlist=list(result.headers), app_iter=[result.body] if result.body else [])
