"""The WSGI middleware: ``?exif`` and ``?avinfo`` on every file a wrapped app serves."""

from __future__ import annotations

import itertools
import typing as t

from .body import FileWrapper, file_behind
from .core import STRIPPED_REQUEST_HEADERS, FopCore, FopRequest, Result, json_result, last_segment
from .errors import ExtractorTimeout
from .failures import BodyWatch, app_failure
from .pump import close_body, next_within
from .redirects import with_operation

if t.TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ENVIRON_OP = "fop_middleware.op"

_STRIPPED_ENVIRON_KEYS = tuple("HTTP_" + h.upper().replace("-", "_") for h in STRIPPED_REQUEST_HEADERS)


class FopMiddleware:
    """Wrap a WSGI app that serves files so each file also answers ``?exif`` and ``?avinfo``.

    The app sees a fop request as a plain GET of the file (the operation taken out of the
    query, range and conditional headers dropped), so its routing and auth run as usual.
    Every other request goes to the app untouched.

    :param app: the WSGI application to wrap.
    :param backends: per operation, backend names in the order to try them.
    :param max_body_bytes: cap on what is spooled from a response that is not a file.
    :param spool_memory_bytes: how much of a spooled body stays in memory.
    :param timeout: seconds a backend may spend on one file.
    :param cache: where answers are kept by file identity: ``"memory"`` (default), a
        ``redis://`` URL, a ``cachelib`` cache, or None.

    Usage::

        from fop_middleware import FopMiddleware
        app = FopMiddleware(app, backends={"avinfo": ["pyav", "mediainfo"]})
    """

    def __init__(self, app: WSGIApplication, **options: t.Any) -> None:
        self.app = app
        self.core = FopCore(**options)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> t.Iterable[bytes]:
        request = self.core.match(environ.get("REQUEST_METHOD", "GET"), environ.get("QUERY_STRING", ""))
        if request is None:
            return self.app(environ, start_response)
        try:
            return self._serve(environ, start_response, request)
        except Exception:
            # The app raised (or sent a malformed status): the client still gets JSON.
            return _finish(start_response, app_failure(request, _decoded_path(environ)))

    def _serve(self, environ: WSGIEnvironment, start_response: StartResponse, request: FopRequest) -> t.Iterable[bytes]:
        inner = inner_environ(environ, request)
        captured: list[t.Any] = []
        written: list[bytes] = []

        def catching_start_response(status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None) -> t.Callable[[bytes], object]:
            # Nothing reaches the client before the app returns, so an error page sent with
            # exc_info may always replace the headers recorded so far (PEP 3333).
            captured[:] = [status, headers]
            return written.append

        app_iter = self.app(inner, catching_start_response)
        passthrough = False
        try:
            body: t.Iterable[bytes] = app_iter
            if not captured:
                # The app may call start_response only when its body is first iterated.
                iterator = iter(app_iter)
                try:
                    first = next_within(iterator, self.core.timeout)
                except ExtractorTimeout as e:
                    return _finish(start_response, json_result(e.status, e.as_dict(), head=request.head))
                body = itertools.chain([first], iterator)
            if not captured:
                raise RuntimeError("the wrapped app returned a body without calling start_response")
            status_line, headers = captured
            status = int(status_line.split(None, 1)[0])
            file = file_behind(app_iter) if not written else None
            body_watch = BodyWatch()
            chunks: t.Iterable[bytes] | None = None
            if file is None:
                # A list cannot stall, so the core pulls it without a thread.
                chunks = [*written, *app_iter] if isinstance(app_iter, (list, tuple)) else body_watch.watch(itertools.chain(written, body))
            name = last_segment(_decoded_path(environ))
            path = _decoded_path(environ, environ.get("SCRIPT_NAME", ""))
            result = self.core.respond(request, status, headers, name, file=file, chunks=chunks, path=path)
            body_watch.raise_error()
            if result is None:
                full_path = _decoded(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
                start_response(status_line, with_operation(headers, full_path, request))
                passthrough = True
                # The app answered a GET; a HEAD client must not get that body.
                return _Passthrough([] if request.head else written, () if request.head else body, app_iter)
        finally:
            if not passthrough:
                _close(app_iter)
        return _finish(start_response, result)


def inner_environ(environ: WSGIEnvironment, request: FopRequest) -> WSGIEnvironment:
    """The environ the wrapped app sees for a fop request: a plain GET of the file."""
    inner = {k: v for k, v in environ.items() if k not in _STRIPPED_ENVIRON_KEYS}
    inner["REQUEST_METHOD"] = "GET"
    inner["QUERY_STRING"] = request.query
    inner["wsgi.file_wrapper"] = FileWrapper
    inner[ENVIRON_OP] = request.op
    return inner


def _decoded_path(environ: WSGIEnvironment, script_name: str = "") -> str:
    return _decoded(script_name + environ.get("PATH_INFO", ""))


def _decoded(path: str) -> str:
    """A WSGI path (UTF-8 bytes as latin-1) as text."""
    try:
        return str(path.encode("latin-1").decode("utf-8"))
    except UnicodeError:
        return str(path)


def _finish(start_response: StartResponse, result: Result) -> list[bytes]:
    start_response(result.status_line, result.headers)
    return [result.body] if result.body else []


def _close(app_iter: t.Iterable[bytes]) -> None:
    close = getattr(app_iter, "close", None)
    if close is not None:
        close_body(close)
        return
    # WebOb's FileIter has no close(): it closes its file when iterated to the end,
    # which a fop request never does.
    file = file_behind(app_iter)
    if file is not None:
        file.close()


class _Passthrough:
    """The app's own response (a redirect), with anything it wrote first; closes it once."""

    def __init__(self, written: list[bytes], body: t.Iterable[bytes], app_iter: t.Iterable[bytes]) -> None:
        self._iter = itertools.chain(written, body)
        self._app_iter = app_iter
        self._closed = False

    def __iter__(self) -> t.Iterator[bytes]:
        return self._iter

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            _close(self._app_iter)
