"""The ASGI middleware: ``?exif`` and ``?avinfo`` on every file a wrapped ASGI app serves."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import typing as t

from .asgi_bridge import DISCONNECT, BodyChunks, Message, Outbox
from .core import STRIPPED_REQUEST_HEADERS, FopCore, FopRequest, Result, json_result, last_segment
from .errors import ExtractorFailure, FopError

logger = logging.getLogger("fop_middleware")

Scope = t.MutableMapping[str, t.Any]
Receive = t.Callable[[], t.Awaitable[Message]]
Send = t.Callable[[Message], t.Awaitable[None]]
ASGIApp = t.Callable[[Scope, Receive, Send], t.Awaitable[None]]

#: Scope key telling the wrapped app which operation a request is for, as the WSGI environ has it.
SCOPE_OP = "fop_middleware.op"
PATHSEND = "http.response.pathsend"
#: Extensions the wrapped app is not offered on a fop request: each sends messages that
#: carry the body (or come before the head) in a way the core does not read.
HIDDEN_EXTENSIONS = ("http.response.zerocopy", "http.response.trailers", "http.response.early_hint")
#: Seconds a wrapped app gets to return once its response is no longer wanted (it is told
#: the client left); past them it is cancelled.
APP_GRACE = 5.0
#: Bytes per message when a path the app sent must be streamed to a server without pathsend.
PATH_CHUNK = 64 * 1024

_STRIPPED_HEADERS = frozenset(h.lower().encode("latin-1") for h in STRIPPED_REQUEST_HEADERS)


class FopASGIMiddleware:
    """Wrap an ASGI app that serves files so each file also answers ``?exif`` and ``?avinfo``.

    The app sees a fop request as a plain GET of the file (the operation taken out of the
    query, range and conditional headers dropped, ``http.response.pathsend`` offered), so
    its routing and auth run as usual. A path the app sends is opened and read in place;
    a streamed body is read only as far as the backend asks. Extraction runs in a worker
    thread, never on the event loop. Every other request goes to the app untouched.
    Needs an asyncio event loop (uvicorn, hypercorn's asyncio worker, daphne, granian).

    :param app: the ASGI application to wrap.
    :param backends: per operation, backend names in the order to try them.
    :param max_body_bytes: cap on what is spooled from a body that is not a path.
    :param spool_memory_bytes: how much of a spooled body stays in memory.
    :param timeout: seconds a backend may spend on one file.

    Usage::

        from starlette.staticfiles import StaticFiles
        from fop_middleware.asgi import FopASGIMiddleware

        app = FopASGIMiddleware(StaticFiles(directory="media"), timeout=10)
    """

    def __init__(self, app: ASGIApp, **options: t.Any) -> None:
        self.app = app
        self.core = FopCore(**options)
        # Not the loop's default executor: an extraction waits there for the app's next chunk,
        # and an app that reads its file through that executor (aiofiles does) would wait
        # for the extraction's thread.
        self.executor = concurrent.futures.ThreadPoolExecutor(thread_name_prefix="fop_middleware")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = None
        if scope["type"] == "http":
            request = self.core.match(scope.get("method", "GET"), bytes(scope.get("query_string", b"")).decode("latin-1"))
        if request is None:
            await self.app(scope, receive, send)
            return
        await _Exchange(self, scope, receive, send, request).run()


def inner_scope(scope: Scope, request: FopRequest) -> Scope:
    """The scope the wrapped app sees for a fop request: a plain GET of the file."""
    inner = dict(scope)
    inner["method"] = "GET"
    inner["query_string"] = request.query.encode("latin-1")
    inner["headers"] = [(k, v) for k, v in scope.get("headers", ()) if bytes(k).lower() not in _STRIPPED_HEADERS]
    extensions = {k: v for k, v in (scope.get("extensions") or {}).items() if k not in HIDDEN_EXTENSIONS}
    inner["extensions"] = {**extensions, PATHSEND: {}}
    inner[SCOPE_OP] = request.op
    return inner


class _Exchange:
    """One fop request: runs the app as a task, reads its response, answers the client."""

    def __init__(self, middleware: FopASGIMiddleware, scope: Scope, receive: Receive, send: Send, request: FopRequest) -> None:
        self.app = middleware.app
        self.core = middleware.core
        self.executor = middleware.executor
        self.scope = scope
        self.receive = receive
        self.send = send
        self.request = request
        # The decoded path names the file in a shared cache and picks the redact rule.
        self.path = str(scope.get("path", ""))
        self.name = last_segment(self.path)
        self.outbox = Outbox()
        self.detached = asyncio.Event()
        self.app_error: BaseException | None = None
        self.client_left = False

    async def run(self) -> None:
        app_task = asyncio.ensure_future(self._run_app())
        try:
            await self._answer()
        finally:
            self._detach()
            await _settle(app_task)

    async def _run_app(self) -> None:
        try:
            await self.app(inner_scope(self.scope, self.request), self._receive, self.outbox.put)
        except Exception as e:
            self.app_error = e
            if self.outbox.discarding:
                logger.debug("the wrapped ASGI app failed after its answer was taken", exc_info=True)
            else:
                logger.exception("the wrapped ASGI app failed on %s for %r", self.request.op, self.name)
        finally:
            self.outbox.finish()

    async def _receive(self) -> Message:
        """The client's messages, and a disconnect once the app's response is no longer wanted."""
        if self.detached.is_set():
            return dict(DISCONNECT)
        getter = asyncio.ensure_future(self.receive())
        stopper = asyncio.ensure_future(self.detached.wait())
        try:
            await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            if not getter.done():
                getter.cancel()
        if getter.done() and not getter.cancelled():
            message = getter.result()
            self.client_left = self.client_left or message.get("type") == "http.disconnect"
            return message
        return dict(DISCONNECT)

    def _detach(self) -> None:
        self.outbox.discard()
        self.detached.set()

    async def _answer(self) -> None:
        start = await self.outbox.get()
        if start is None or start.get("type") != "http.response.start":
            if start is not None:
                logger.error("the wrapped ASGI app sent %r before its response head", start.get("type"))
            elif self.app_error is None:
                logger.error("the wrapped ASGI app returned without a response for %r", self.name)
            await self._send_result(self._error(FopError.for_status(500)))
            return
        first = await self.outbox.get()
        if first is not None and first.get("type") not in ("http.response.body", PATHSEND):
            logger.error("the wrapped ASGI app sent %r instead of a body for %r", first.get("type"), self.name)
            await self._send_result(self._error(ExtractorFailure()))
            return
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(self.executor, self._respond, start, first, loop)
        if result is not None:
            self._detach()
            await self._send_result(result)
            return
        await self._pass_through(start, first)

    def _respond(self, start: Message, first: Message | None, loop: asyncio.AbstractEventLoop) -> Result | None:
        """The core's answer; runs in a worker thread, reading the body as the backend asks."""
        status = int(start["status"])
        headers = [(bytes(k).decode("latin-1"), bytes(v).decode("latin-1")) for k, v in start.get("headers", ())]
        if first is not None and first.get("type") == PATHSEND and not 200 <= status < 300:
            # An error page or a redirect sent as a path: the core answers from the status alone.
            return self.core.respond(self.request, status, headers, self.name, chunks=(), path=self.path)
        if first is not None and first.get("type") == PATHSEND:
            try:
                file = _open_binary(first["path"])
            except (OSError, KeyError, TypeError, ValueError):
                logger.exception("cannot open the path the wrapped ASGI app sent for %r", self.name)
                return self._error(ExtractorFailure())
            with file:
                return self.core.respond(self.request, status, headers, self.name, file=file, path=self.path)
        if first is not None:
            body, more = bytes(first.get("body", b"")), bool(first.get("more_body", False))
        else:
            body, more = b"", True  # the app returned after its head: BodyChunks says so
        chunks = BodyChunks(
            self.outbox, loop, body, more, timeout=self.core.timeout, app_error=lambda: self.app_error, client_left=lambda: self.client_left
        )
        return self.core.respond(self.request, status, headers, self.name, chunks=chunks, path=self.path)

    def _error(self, error: FopError) -> Result:
        return json_result(error.status, error.as_dict(), head=self.request.head)

    async def _send_result(self, result: Result) -> None:
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in result.headers]
        await self.send({"type": "http.response.start", "status": result.status, "headers": headers})
        await self.send({"type": "http.response.body", "body": result.body, "more_body": False})

    async def _pass_through(self, start: Message, first: Message | None) -> None:
        """The app's own response (a redirect), as it sent it; a HEAD client gets no body."""
        await self.send(start)
        if self.request.head or first is None:
            self._detach()
            await self.send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        message: Message | None = first
        while message is not None:
            if message.get("type") == PATHSEND and PATHSEND not in (self.scope.get("extensions") or {}):
                await self._send_path(str(message["path"]))
            else:
                await self.send(message)
            message = await self.outbox.get()
        if self.app_error is not None:
            raise self.app_error

    async def _send_path(self, path: str) -> None:
        loop = asyncio.get_running_loop()
        with await loop.run_in_executor(None, _open_binary, path) as f:
            while True:
                data = await loop.run_in_executor(None, f.read, PATH_CHUNK)
                await self.send({"type": "http.response.body", "body": data, "more_body": bool(data)})
                if not data:
                    return


def _open_binary(path: str) -> t.BinaryIO:
    return open(path, "rb")  # noqa: SIM115 - the caller closes it


async def _settle(app_task: asyncio.Future[None]) -> None:
    """Wait for the app to return once told the client left; cancel it past :data:`APP_GRACE`."""
    try:
        await asyncio.wait_for(asyncio.shield(app_task), APP_GRACE)
    except asyncio.TimeoutError:
        logger.warning("the wrapped ASGI app did not return %.0f s after its answer was taken", APP_GRACE)
        app_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await app_task
