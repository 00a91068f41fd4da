"""The wrapped app's own failures on a fop request: answered in our JSON, logged in full.

A plain request keeps the server's behaviour (the exception propagates); a fop request
promised JSON, so it gets ``{"code": 500, "error": "server error"}`` whether the app
raised before or after ``start_response``, in its body or in ``close()``.
"""

from __future__ import annotations

import logging
import typing as t

from .core import FopRequest, Result, json_result
from .errors import AppFailure, FopError

logger = logging.getLogger("fop_middleware")


def app_failure(request: FopRequest, name: str) -> Result:
    """Log the exception being handled, with its traceback, and answer the 500 JSON.

    Call it from an ``except`` block.
    """
    logger.exception("the wrapped app failed while serving %r for ?%s", name, request.op)
    return json_result(AppFailure.status, AppFailure().as_dict(), head=request.head)


class BodyWatch:
    """Wraps the app's body chunks and keeps the exception the app's iterator raised.

    A backend reading a spooled body may turn that exception into its own verdict on the
    file (a ``ValueError`` becomes "corrupt image file"); the adapter checks :attr:`error`
    after the core answered and reports the app's failure instead. A :class:`FopError`
    raised by the body is a fop-aware layer's deliberate answer and passes as is.
    """

    def __init__(self) -> None:
        self.error: Exception | None = None

    def watch(self, chunks: t.Iterable[bytes]) -> t.Iterator[bytes]:
        try:
            yield from chunks
        except FopError:
            raise
        except Exception as e:
            self.error = e
            raise

    def raise_error(self) -> None:
        """Re-raise the app's exception, if its body raised one."""
        if self.error is not None:
            raise self.error
