"""The port every answer store implements: bytes in, bytes out, by a string key."""

from __future__ import annotations

import abc


class StorePort(abc.ABC):
    """Where cached answers live. Subclasses implement :meth:`get` and :meth:`set`.

    A store may raise on any call (a server is down); :class:`~fop_middleware.cache.AnswerCache`
    turns that into a miss, so a store never fails a request.

    ``shared`` says whether other processes or hosts read the same entries: a shared store
    is keyed by the file's URL path, size and mtime (the same on every host), a private one
    by the file's device and inode.
    """

    shared: bool = True

    @abc.abstractmethod
    def get(self, key: str) -> bytes | None:
        """The value stored under ``key``, or None."""
        raise NotImplementedError(f"{type(self).__name__} must implement get()")

    @abc.abstractmethod
    def set(self, key: str, value: bytes) -> None:
        """Store ``value`` under ``key``; the store may drop it at any time."""
        raise NotImplementedError(f"{type(self).__name__} must implement set()")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
