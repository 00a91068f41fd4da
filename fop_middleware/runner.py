"""Run one operation on one file: pick the backend, call it, make its failures client-safe."""

from __future__ import annotations

import json
import logging
import typing as t

from .errors import ExtractorFailure, ExtractorTimeout, FopError, UnsupportedFile
from .extractor import HEAD_SIZE, Extractor, Source
from .supervisor import Limits, extract

logger = logging.getLogger("fop_middleware")


def read_head(source: Source) -> bytes:
    """The first bytes of the file, for :meth:`Extractor.accepts`; leaves the stream at 0."""
    stream = source.stream
    stream.seek(0)
    head = stream.read(HEAD_SIZE)
    stream.seek(0)
    return head


def run(op: str, source: Source, backends: t.Sequence[Extractor], limits: Limits = Limits()) -> dict[str, t.Any]:
    """The answer of the first backend that accepts the file.

    A backend's :class:`FopError` is its verdict on the file and is final, and so is a
    timeout: the time limit is per request. A crash (any other exception) is logged and
    the next accepting backend gets its turn; when none is left the caller sees a 599
    with a generic message. ``limits`` says how each backend is run (in a helper
    process or not); every one reads a bounded view of the file.
    """
    head = read_head(source)
    if not head:
        raise UnsupportedFile("empty file")
    tried = False
    crashed: ExtractorFailure | None = None
    for backend in backends:
        if not backend.accepts(head):
            continue
        tried = True
        source.stream.seek(0)
        try:
            return extract(op, backend, source, limits)
        except ExtractorTimeout:
            logger.error("%s backend %r timed out on %r", op, backend.name, source.name)
            raise
        except ExtractorFailure as e:
            logger.error("%s backend %r failed on %r: %s", op, backend.name, source.name, e, exc_info=True)
            crashed = e
        except FopError:
            raise
        except Exception as e:
            logger.exception("%s backend %r crashed on %r", op, backend.name, source.name)
            crashed = ExtractorFailure()
            crashed.__cause__ = e
    if crashed is not None:
        raise crashed
    if not tried:
        raise UnsupportedFile(f"unsupported file format for {op}")
    raise ExtractorFailure()  # pragma: no cover - every path above returns or raises


def dumps(obj: t.Any) -> bytes:
    """Compact UTF-8 JSON, non-ASCII kept as is, key order kept as the backend made it."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
