"""Positional reads that do not trust one ``read()`` call to return everything asked."""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from typing import BinaryIO


def read_at(stream: BinaryIO, offset: int, size: int) -> bytes:
    """Up to ``size`` bytes at ``offset``; fewer only at the end of the file.

    Raw and socket-like streams may return short reads; a short answer here always means EOF.
    """
    stream.seek(offset)
    data = stream.read(size)
    if data is None or len(data) >= size:
        return data or b""
    parts = [data]
    missing = size - len(data)
    while missing > 0:
        more = stream.read(missing)
        if not more:
            break
        parts.append(more)
        missing -= len(more)
    return b"".join(parts)
