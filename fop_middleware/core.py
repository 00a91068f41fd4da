"""The framework-free core: which requests are ours, and the answer for a wrapped app's response.

Adapters (WSGI, Django, Pyramid) translate their request and response objects into the
plain values these functions take, and translate :class:`Result` back.
"""

from __future__ import annotations

import dataclasses
import http
import logging
import time
import typing as t

from . import registry
from .body import DEFAULT_SPOOL_MEMORY, LazySpool, path_of, size_of
from .cache import MEMORY, answer_cache
from .errors import ExtractorFailure, FileTooLarge, FopError, NotFound
from .extractor import DEFAULT_MAX_IMAGE_PIXELS, DEFAULT_MAX_IMAGE_SIDE, DEFAULT_TIMEOUT, OPERATIONS, Source
from .limit import DEFAULT_WAIT, ExtractionLimiter, default_slots
from .pump import forget_pump
from .redact import Redactor
from .runner import dumps, run
from .supervisor import DEFAULT_HELPER_MEMORY, DEFAULT_HELPERS, ISOLATIONS, Limits
from .supervisor.view import READ_CAPS, capped_chunks, is_special

if t.TYPE_CHECKING:
    from typing import BinaryIO

logger = logging.getLogger("fop_middleware")

#: Request headers dropped before the wrapped app sees a fop request, so that it answers
#: a plain 200 with the whole identity body.
STRIPPED_REQUEST_HEADERS = (
    "Range",
    "If-Range",
    "If-None-Match",
    "If-Modified-Since",
    "If-Match",
    "If-Unmodified-Since",
    "Accept-Encoding",
)

#: Response headers of the wrapped app kept on a fop answer (lower case); CORS by prefix.
KEPT_RESPONSE_HEADERS = ("www-authenticate",)
KEPT_RESPONSE_PREFIX = "access-control-"

JSON_CONTENT_TYPE = "application/json; charset=utf-8"

#: A 512 MiB default lets a streamed video's moov at the end be reached, while a runaway
#: body cannot fill the disk.
DEFAULT_MAX_BODY_BYTES = 512 * 1024 * 1024

#: Bytes per read when a file that is not a regular file is spooled.
SPOOL_CHUNK = 64 * 1024

REASONS = {599: "File Operation Failed"}


@dataclasses.dataclass(frozen=True)
class FopRequest:
    """A request that is ours: the operation, the query left for the app, and HEAD or not."""

    op: str
    query: str
    head: bool


class Result:
    """A neutral response each adapter translates: status, headers, body bytes."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def status_line(self) -> str:
        try:
            reason = http.HTTPStatus(self.status).phrase
        except ValueError:
            reason = REASONS.get(self.status, "Error")
        return f"{self.status} {reason}"

    def __repr__(self) -> str:
        return f"<Result {self.status_line} {len(self.body)} bytes>"


def parse_operation(method: str, query_string: str) -> FopRequest | None:
    """The fop request in ``method`` and ``query_string``, or None when the request is not ours.

    Ours: GET or HEAD, and the first ``&``-separated component is exactly an operation name.
    """
    if method not in ("GET", "HEAD"):
        return None
    first, _, rest = query_string.partition("&")
    if first not in OPERATIONS:
        return None
    return FopRequest(first, rest, method == "HEAD")


def last_segment(path: str) -> str:
    """The name ffprobe's ``format.filename`` shows: the request path's last segment."""
    return path.rstrip("/").rpartition("/")[2]


class FopCore:
    """Answers fop requests from a wrapped app's response; knows nothing of any framework.

    :param backends: per operation, the backend names to try in order, e.g.
        ``{"avinfo": ["pyav", "mediainfo"]}``; operations left out keep the default order.
    :param max_body_bytes: how much of a non-file body may be spooled before the answer
        is a 400; a file body is read in place and has no cap.
    :param spool_memory_bytes: how much of a spooled body stays in memory.
    :param timeout: seconds the whole extraction of one file may take (pulling a streamed
        body included); past it, a 599.
    :param isolation: ``"process"`` runs the backends that run native code in helper
        processes that are killed past ``timeout``; ``"inline"`` runs every backend in
        this process (faster to start, but a crash in C takes the process with it).
    :param helpers: helper processes per serving process.
    :param helper_memory_bytes: address-space limit of each helper.
    :param max_extractions: extractions this process runs at once (None: sized from the
        cores, see :func:`~fop_middleware.limit.default_slots`).
    :param extraction_wait: seconds a request waits for a free slot before its 503.
    :param cache: where answers are kept by file identity: ``"memory"`` (an LRU in this
        process), a ``redis://`` URL, a ``cachelib`` cache, a
        :class:`~fop_middleware.cache.StorePort`, or None for no cache.
    :param redact: path prefix -> what ``?exif`` and ``?avinfo`` leave out (``"gps"``,
        ``"serial"``, ``"thumbnail"``); the longest matching prefix wins. See :mod:`.redact`.
    :param max_image_side, max_image_pixels: images over these are refused (400) before
        decoding (``?imageAve``).
    """

    def __init__(
        self,
        *,
        backends: t.Mapping[str, t.Sequence[str]] | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        spool_memory_bytes: int = DEFAULT_SPOOL_MEMORY,
        timeout: float = DEFAULT_TIMEOUT,
        isolation: str = "process",
        helpers: int = DEFAULT_HELPERS,
        helper_memory_bytes: int = DEFAULT_HELPER_MEMORY,
        max_extractions: int | None = None,
        extraction_wait: float = DEFAULT_WAIT,
        cache: t.Any = MEMORY,
        redact: t.Mapping[str, t.Sequence[str]] | None = None,
        max_image_side: int = DEFAULT_MAX_IMAGE_SIDE,
        max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS,
    ) -> None:
        if isolation not in ISOLATIONS:
            raise ValueError(f"isolation must be one of {', '.join(ISOLATIONS)}, not {isolation!r}")
        if not isinstance(helpers, int) or isinstance(helpers, bool) or helpers < 1:
            raise ValueError(f"helpers must be a positive int, not {helpers!r}")
        for name, value in (
            ("max_body_bytes", max_body_bytes),
            ("spool_memory_bytes", spool_memory_bytes),
            ("helper_memory_bytes", helper_memory_bytes),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a non-negative int, not {value!r}")
        for name, value in (("max_image_side", max_image_side), ("max_image_pixels", max_image_pixels)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name} must be a positive int, not {value!r}")
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self.order = registry.validate_order(backends)
        self.max_body_bytes = max_body_bytes
        self.spool_memory_bytes = spool_memory_bytes
        self.timeout = float(timeout)
        self.limits = Limits(isolation, helpers, helper_memory_bytes)
        self.limiter = ExtractionLimiter(default_slots() if max_extractions is None else max_extractions, extraction_wait)
        self.answers = answer_cache(cache)
        self.redactor = Redactor(redact)
        self.image_limits = {"max_image_side": max_image_side, "max_image_pixels": max_image_pixels}

    match = staticmethod(parse_operation)

    def extract(self, op: str, source: Source) -> dict[str, t.Any]:
        """Run ``op`` on ``source`` with the configured backends."""
        return run(op, source, registry.require_backends(op, self.order[op]), self.limits)

    def respond(
        self,
        request: FopRequest,
        status: int,
        headers: t.Sequence[tuple[str, str]],
        name: str,
        *,
        file: BinaryIO | None = None,
        chunks: t.Iterable[bytes] | None = None,
        path: str | None = None,
    ) -> Result | None:
        """The answer for the wrapped app's response, or None to pass that response through.

        The body is either ``file`` (seekable, read in place) or ``chunks`` (spooled lazily).
        ``path`` is the request's decoded URL path: it names the file in a shared cache and
        picks the ``redact`` rule (without it, every kind any rule names is left out).
        Closing what the app returned stays the caller's job.
        """
        forget_pump()
        if 300 <= status < 400:
            return None
        kept = [(k, v) for k, v in headers if k.lower() in KEPT_RESPONSE_HEADERS or k.lower().startswith(KEPT_RESPONSE_PREFIX)]
        try:
            if status in (404, 410):
                raise NotFound()
            if not 200 <= status < 300:
                return self._error_result(request, FopError.for_status(status), kept)
            if _header(headers, "content-encoding") not in (None, "", "identity"):
                logger.error("wrapped app sent an encoded body for %r", name)
                raise ExtractorFailure()
            if status == http.HTTPStatus.PARTIAL_CONTENT:
                # Range is stripped, so a 206 means something upstream added one; a part of
                # the file would give a wrong answer.
                logger.error("wrapped app sent a partial body for %r", name)
                raise ExtractorFailure()
            answer = self._answer(request, name, path, headers, file, chunks)
            # The cache keeps the whole answer; what a path may not show is taken out per request.
            answer = self.redactor.apply(request.op, answer, path)
        except FopError as e:
            return self._error_result(request, e, kept)
        except Exception:
            logger.exception("%s failed on %r", request.op, name)
            return self._error_result(request, ExtractorFailure(), kept)
        return json_result(200, answer, kept, head=request.head)

    def _answer(
        self,
        request: FopRequest,
        name: str,
        path: str | None,
        headers: t.Sequence[tuple[str, str]],
        file: BinaryIO | None,
        chunks: t.Iterable[bytes] | None,
    ) -> dict[str, t.Any]:
        """The cached answer when the body has an identity, else the backends'."""
        op = request.op

        def extract() -> dict[str, t.Any]:
            # Only a miss takes one of the process's extraction slots.
            with self.limiter.slot():
                return self._extract_body(op, name, headers, file, chunks)

        if self.answers is None:
            return extract()
        key = self.answers.key(op, self.order[op], name, path, headers, file, request.query)
        return self.answers.fetch(key, extract)

    def _extract_body(
        self,
        op: str,
        name: str,
        headers: t.Sequence[tuple[str, str]],
        file: BinaryIO | None,
        chunks: t.Iterable[bytes] | None,
    ) -> dict[str, t.Any]:
        deadline = time.monotonic() + self.timeout
        if file is not None and is_special(file):
            # A device or FIFO behind the app's file (a symlink to /dev/zero) has no size
            # to stop at: spool it like any other body, up to max_body_bytes and the read cap.
            chunks, file = capped_chunks(file, SPOOL_CHUNK, READ_CAPS.get(op)), None
            headers = ()  # a device's Content-Length says nothing of what it yields
        if file is not None:
            file.seek(0)
            return self.extract(op, Source(file, name, path_of(file), size_of(file), self.timeout, **self.image_limits))
        length = _header(headers, "content-length")
        size = int(length) if length and length.isdigit() else None
        if size is not None and size > self.max_body_bytes:
            raise FileTooLarge()
        spool = LazySpool(
            chunks or (), max_bytes=self.max_body_bytes, memory_bytes=self.spool_memory_bytes, size=size, deadline=deadline
        )
        with spool:
            stream = t.cast("BinaryIO", spool)
            try:
                return self.extract(op, Source(stream, name, None, size, self.timeout, **self.image_limits))
            except Exception as e:
                # A backend may turn the spool's own error into its "bad file" error.
                if spool.error is not None and e is not spool.error:
                    raise spool.error from e
                raise

    def _error_result(self, request: FopRequest, error: FopError, kept: list[tuple[str, str]]) -> Result:
        extra = [*kept, *getattr(error, "headers", ())]
        return json_result(error.status, error.as_dict(), extra, head=request.head)


def json_result(status: int, obj: t.Any, extra: t.Sequence[tuple[str, str]] = (), *, head: bool = False) -> Result:
    """A JSON :class:`Result` with the headers every fop answer carries."""
    body = dumps(obj)
    headers = [
        ("Content-Type", JSON_CONTENT_TYPE),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        *extra,
    ]
    return Result(status, headers, b"" if head else body)


def _header(headers: t.Sequence[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.strip()
    return None
