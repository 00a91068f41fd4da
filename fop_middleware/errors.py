"""Errors that carry an HTTP status and a message safe to show to any client."""

from __future__ import annotations


class FopError(Exception):
    """Base error: ``status`` is the HTTP status, ``message`` goes to the client as is.

    Never put a server path, a secret or a library's raw message in ``message``;
    log those server-side and chain the original with ``raise ... from e``.
    """

    status: int = 599
    default_message: str = "file operation failed"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)

    def as_dict(self) -> dict[str, object]:
        return {"code": self.status, "error": self.message}

    @classmethod
    def for_status(cls, status: int) -> FopError:
        """The error relayed when the wrapped app answered ``status`` instead of the file."""
        error = cls(_STATUS_MESSAGES.get(status) or f"the file could not be served (HTTP {status})")
        error.status = status
        return error


class BadRequest(FopError):
    """400: the request, or the file, cannot be read as the operation asks."""

    status = 400
    default_message = "bad request"


class UnsupportedFile(BadRequest):
    """400: no backend of the operation accepts this file (text for ``?exif``, ...)."""

    default_message = "unsupported file format"


class NoExifData(BadRequest):
    """400: an image without EXIF; the message is the one the service gives."""

    default_message = "no exif data"


class FileTooLarge(BadRequest):
    """400: the body of a non-file response is larger than ``max_body_bytes``."""

    default_message = "file is too large for this operation"


class AppFailure(FopError):
    """500: the wrapped app raised, or sent a malformed status, on a fop request.

    The same answer as an app that returned a 500: the file operation never started, so
    its 599 would blame the wrong party. The traceback goes to the log only.
    """

    status = 500
    default_message = "server error"


class ReadCapExceeded(FileTooLarge):
    """400: a reader would need more than its cap of the file to find what it looks for."""

    def __init__(self, cap: int, what: str) -> None:
        super().__init__(f"file too large to find {what} within {cap // 1024} KiB")


class NotFound(FopError):
    """404: the wrapped app has no such file."""

    status = 404
    default_message = "no such file"


class ExtractorFailure(FopError):
    """599: a backend crashed, timed out or is missing; details go to the log only."""

    status = 599
    default_message = "server failed to process the file"


class ExtractorTimeout(ExtractorFailure):
    """599: a backend ran past the per-request time limit."""

    default_message = "file operation timed out"


class BodyLengthMismatch(ExtractorFailure):
    """599: a streamed body ended short of, or ran past, the Content-Length it was sent with."""

    default_message = "the file's body did not match its length"


class ServiceBusy(FopError):
    """503: every extraction slot of this process stayed busy for the whole wait."""

    status = 503
    default_message = "too many file operations at once; retry later"

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after

    @property
    def headers(self) -> list[tuple[str, str]]:
        return [("Retry-After", str(self.retry_after))]


_STATUS_MESSAGES = {
    400: "bad request",
    401: "unauthorized",
    403: "forbidden",
    405: "method not allowed",
    429: "too many requests",
    500: "server error",
    502: "bad gateway",
    503: "service unavailable",
    504: "gateway timeout",
}
