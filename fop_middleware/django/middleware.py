"""``DjangoFopMiddleware``: ``?exif`` and ``?avinfo`` on every file a Django project serves."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import types
import typing as t

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase

from ..body import file_behind
from ..core import STRIPPED_REQUEST_HEADERS, FopCore, FopRequest, Result, last_segment
from ..errors import ExtractorTimeout
from ..failures import BodyWatch, app_failure
from ..middleware import ENVIRON_OP
from ..pump import close_body
from ..redirects import keep_operation
from .checks import settings_errors
from .conf import conf

if t.TYPE_CHECKING:
    from typing import BinaryIO

logger = logging.getLogger("fop_middleware")

_STRIPPED_META_KEYS = tuple("HTTP_" + h.upper().replace("-", "_") for h in STRIPPED_REQUEST_HEADERS)


class DjangoFopMiddleware:
    """Answer ``?exif`` and ``?avinfo`` for files served by the views below it.

    The views see a fop request as a plain GET of the file (the operation taken out of the
    query, range and conditional headers dropped), so ``login_required`` and friends run as
    usual. It reads ``FileResponse`` files in place, spools other bodies lazily, and passes
    redirects through. It runs sync, or async under ASGI when the middleware below it is
    async too (the backend then runs in a worker thread). Settings: ``FOP_BACKENDS``,
    ``FOP_MAX_BODY_BYTES``, ``FOP_SPOOL_MEMORY_BYTES``, ``FOP_TIMEOUT``, ``FOP_CACHE`` (an
    alias of ``CACHES`` to share answers between workers and hosts, or None; unset, each
    process keeps its own), and the others of the README's options table.

    :param get_response: the next middleware or the view, as Django passes it.

    Usage::

        MIDDLEWARE = [
            "django.middleware.security.SecurityMiddleware",
            "fop_middleware.django.middleware.DjangoFopMiddleware",
            "whitenoise.middleware.WhiteNoiseMiddleware",
            ...
        ]
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: t.Callable[[HttpRequest], t.Any]) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)
        self._options: dict[str, t.Any] | None = None
        self._core: FopCore | None = None
        errors = settings_errors()
        if errors:
            raise ImproperlyConfigured(f"{errors[0].id}: {errors[0].msg}")
        self.core()

    def core(self) -> FopCore:
        """The core for the current settings, rebuilt only when a ``FOP_*`` setting changed."""
        options = conf.core_options()
        if self._core is None or options != self._options:
            self._core = FopCore(**options)
            self._options = options
        return self._core

    def __call__(self, request: HttpRequest) -> t.Any:
        if iscoroutinefunction(self):
            return self.__acall__(request)
        fop = FopCore.match(request.method or "GET", request.META.get("QUERY_STRING", ""))
        if fop is None:
            return self.get_response(request)
        core = self.core()
        with _PlainGet(request, fop):
            response = self.get_response(request)
        result = _respond(core, fop, request, response)
        if result is None:
            if response.has_header("Location"):
                response["Location"] = keep_operation(response["Location"], request.path, fop)
            return response
        return to_http_response(result)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        """The same under ASGI, with the backend in a worker thread off the event loop."""
        fop = FopCore.match(request.method or "GET", request.META.get("QUERY_STRING", ""))
        if fop is None:
            return t.cast(HttpResponseBase, await self.get_response(request))
        core = self.core()
        with _PlainGet(request, fop):
            response: HttpResponseBase = await self.get_response(request)
        # A sync streaming iterator may use what is bound to Django's sync thread (a DB
        # connection), as it would when Django consumes it; a file or bytes can go anywhere,
        # so a long extraction does not hold up every sync view.
        thread_sensitive = bool(response.streaming) and not isinstance(response, FileResponse)
        body: t.AsyncGenerator[bytes, None] | None = None
        chunks: t.Iterable[bytes] | None = None
        if response.streaming and getattr(response, "is_async", False):
            # Read an async body on the loop, one chunk per backend read, instead of Django's
            # sync fallback, which lists the whole body first.
            body = t.cast("t.AsyncGenerator[bytes, None]", aiter(t.cast(t.Any, response)))
            chunks = _pulled(body, asyncio.get_running_loop(), core.timeout)
            thread_sensitive = False
        try:
            result = await sync_to_async(_respond, thread_sensitive=thread_sensitive)(core, fop, request, response, chunks)
        finally:
            if body is not None:
                await body.aclose()
        if result is None:
            return response
        return to_http_response(result)


def _pulled(body: t.AsyncGenerator[bytes, None], loop: asyncio.AbstractEventLoop, timeout: float) -> t.Iterator[bytes]:
    """An async body as a sync iterator, for a worker thread: each chunk is fetched on ``loop``."""

    async def next_chunk() -> bytes:
        return await body.__anext__()

    while True:
        future = asyncio.run_coroutine_threadsafe(next_chunk(), loop)
        try:
            yield future.result(timeout)
        except StopAsyncIteration:
            return
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise ExtractorTimeout() from None


class _PlainGet:
    """Show the views a plain GET of the file, and restore the request afterwards.

    ``request.META`` is the WSGI environ itself; ``request.GET`` is cached on first use,
    so it is dropped on the way in and on the way out.
    """

    def __init__(self, request: HttpRequest, fop: FopRequest) -> None:
        self.request = request
        self.fop = fop
        self.saved: dict[str, t.Any] = {}
        self.method = request.method

    def __enter__(self) -> None:
        meta = self.request.META
        for key in (*_STRIPPED_META_KEYS, "REQUEST_METHOD", "QUERY_STRING"):
            if key in meta:
                self.saved[key] = meta.pop(key)
        meta["REQUEST_METHOD"] = "GET"
        meta["QUERY_STRING"] = self.fop.query
        meta[ENVIRON_OP] = self.fop.op
        self.request.method = "GET"
        self.request.__dict__.pop("GET", None)

    def __exit__(self, *exc: object) -> None:
        meta = self.request.META
        for key in ("REQUEST_METHOD", "QUERY_STRING", ENVIRON_OP):
            meta.pop(key, None)
        meta.update(self.saved)
        self.request.method = self.method
        self.request.__dict__.pop("GET", None)


def _respond(
    core: FopCore, fop: FopRequest, request: HttpRequest, response: HttpResponseBase, chunks: t.Iterable[bytes] | None = None
) -> Result | None:
    """The core's answer for ``response`` (its body read from ``chunks`` if given); releases the
    response's resources unless it passes."""
    name = last_segment(request.path)
    headers = list(response.items())
    file: BinaryIO | None = None
    if chunks is None and isinstance(response, FileResponse):
        # file_behind() knows which files can be read in place; a pipe gets spooled instead.
        file = file_behind(types.SimpleNamespace(file=getattr(response, "file_to_stream", None)))
    body_watch = BodyWatch()
    if file is None and chunks is None:
        chunks = body_watch.watch(response) if response.streaming else [t.cast(HttpResponse, response).content]
    try:
        result = core.respond(fop, response.status_code, headers, name, file=file, chunks=chunks, path=request.path)
        body_watch.raise_error()
    except Exception:
        # A streaming view's iterator raised: Django never sees it, so answer its 500 here.
        _release(response)
        return app_failure(fop, name)
    except BaseException:
        _release(response)
        raise
    if result is not None:
        _release(response)
    return result


def _release(response: HttpResponseBase) -> None:
    """Close what ``response`` holds (its file, its iterator) without ``response.close()``.

    ``close()`` also sends ``request_finished``, which must fire once per request, when the
    server closes the response Django hands it (it resets the urlconf and DB connections).
    """
    closers = getattr(response, "_resource_closers", None)
    if closers is None:
        response.close()
        return
    while closers:
        closer = closers.pop(0)
        try:
            close_body(closer)
        except Exception:
            logger.warning("closing a wrapped response failed", exc_info=True)
    response.closed = True


def to_http_response(result: Result) -> HttpResponse:
    """The Django response for a core :class:`~fop_middleware.core.Result`."""
    status, _, reason = result.status_line.partition(" ")
    response = HttpResponse(result.body, status=int(status), reason=reason)
    for key, value in result.headers:
        response[key] = value
    return response
