"""Carrying a wrapped ASGI app's response messages to the core, which reads them from a thread.

The app's ``send`` hands one message at a time to an :class:`Outbox`; the extraction
thread pulls the body through :class:`BodyChunks`, a plain iterator that waits on the
event loop for each next message. Nothing is read ahead: the app sends its next chunk
only when the backend's read reaches it.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import logging
import typing as t

from .errors import ExtractorFailure, ExtractorTimeout, FopError

logger = logging.getLogger("fop_middleware")

Message = t.MutableMapping[str, t.Any]

DISCONNECT: Message = {"type": "http.disconnect"}


class _ClientLeft(FopError):
    """The client disconnected before the body was read: no answer is wanted, nothing to log."""

    status = 599
    default_message = "the client left"


class Outbox:
    """The wrapped app's ``send``, one message deep, with a way to stop listening.

    :meth:`put` waits while a message is still unread, so the app runs no further ahead
    than the reader; after :meth:`discard` it returns at once and drops the message, as a
    server's ``send`` does once the client is gone.
    """

    def __init__(self) -> None:
        self._messages: collections.deque[Message] = collections.deque()
        self._readable = asyncio.Event()
        self._writable = asyncio.Event()
        self._writable.set()
        self.finished = False
        self.discarding = False

    async def put(self, message: Message) -> None:
        while not self.discarding and self._messages:
            self._writable.clear()
            await self._writable.wait()
        if self.discarding:
            # Yield to the loop, so an app that listens for the disconnect gets to hear it.
            await asyncio.sleep(0)
            return
        self._messages.append(message)
        self._readable.set()

    async def get(self) -> Message | None:
        """The next message, or None once the app has returned and everything was read."""
        while not self._messages and not self.finished:
            self._readable.clear()
            await self._readable.wait()
        if not self._messages:
            return None
        message = self._messages.popleft()
        self._writable.set()
        return message

    def finish(self) -> None:
        """The app returned: readers get what is left, then None."""
        self.finished = True
        self._readable.set()

    def discard(self) -> None:
        """Stop listening: drop what is queued and let the app's sends go nowhere."""
        self.discarding = True
        self._messages.clear()
        self._writable.set()


class BodyChunks:
    """The app's ``http.response.body`` messages as a sync iterator of bytes, for a worker thread.

    A body that stops short (the app returned or failed before ``more_body`` went false)
    raises a :class:`FopError` on every later call too, so a second backend cannot mistake
    the part it got for the whole file.

    :param first: the body of the first body message, already received.
    :param more: whether that message said ``more_body``.
    :param timeout: seconds to wait for one message.
    :param app_error: the app's exception, once it raised one.
    :param client_left: whether the client disconnected (a body cut short is then no error).
    """

    def __init__(
        self,
        outbox: Outbox,
        loop: asyncio.AbstractEventLoop,
        first: bytes,
        more: bool,
        *,
        timeout: float,
        app_error: t.Callable[[], BaseException | None],
        client_left: t.Callable[[], bool],
    ) -> None:
        self._outbox = outbox
        self._loop = loop
        self._pending: list[bytes] = [first] if first else []
        self._more = more
        self._timeout = timeout
        self._app_error = app_error
        self._client_left = client_left
        self._failure: FopError | None = None

    def __iter__(self) -> BodyChunks:
        return self

    def __next__(self) -> bytes:
        if self._pending:
            return self._pending.pop()
        if self._failure is not None:
            raise self._failure
        if not self._more:
            raise StopIteration
        future = asyncio.run_coroutine_threadsafe(self._outbox.get(), self._loop)
        try:
            message = future.result(self._timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            logger.error("the wrapped ASGI app sent no body for %.1f s", self._timeout)
            self._failure = ExtractorTimeout()
            raise self._failure from None
        if message is None or message.get("type") != "http.response.body":
            self._failure = self._cut_short(message)
            raise self._failure
        self._more = bool(message.get("more_body", False))
        return bytes(message.get("body", b""))

    def _cut_short(self, message: Message | None) -> FopError:
        if self._app_error() is not None:
            # The app's own exception is logged where it ran; the client gets a 500 as for
            # an app that failed before answering.
            return FopError.for_status(500)
        if message is None and self._client_left():
            logger.info("the client left before the wrapped ASGI app's body was read")
            return _ClientLeft()
        if message is None:
            logger.error("the wrapped ASGI app returned before the end of its body")
        else:
            logger.error("the wrapped ASGI app sent %r inside its body", message.get("type"))
        return ExtractorFailure()
