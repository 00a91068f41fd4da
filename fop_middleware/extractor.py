"""The contract every extractor backend fulfils."""

from __future__ import annotations

import abc
import dataclasses
import typing as t

if t.TYPE_CHECKING:
    from typing import BinaryIO

#: Bytes handed to :meth:`Extractor.accepts` to sniff a file's magic.
HEAD_SIZE = 64

#: Seconds an extraction may take. Any file within the read caps is answered well under a
#: second here (the slowest corpus file: ~0.2 s); a parse stuck in native code is ended this soon.
DEFAULT_TIMEOUT = 5.0

OPERATIONS = ("avinfo", "exif", "imageAve", "imageInfo")

#: The service's decompression-bomb limits: pixels a side, and pixels in all.
DEFAULT_MAX_IMAGE_SIDE = 30_000
DEFAULT_MAX_IMAGE_PIXELS = 150_000_000


@dataclasses.dataclass(frozen=True)
class Source:
    """A file to extract from, as the middleware found it in the wrapped app's response.

    :param stream: binary, readable and seekable; positioned at 0. Backends seek and read
        only what they need and never close it.
    :param name: the last segment of the request path (or, in the CLI, the file's name);
        the only name a backend may put in its answer (ffprobe's ``format.filename``).
    :param path: the real filesystem path behind ``stream`` when there is one, for tools
        that need a path; never shown to a client.
    :param size: the file's size in bytes when known.
    :param timeout: seconds the backend may spend on this file.
    :param max_image_side: widest or tallest image a backend may decode, in pixels.
    :param max_image_pixels: largest image a backend may decode, in pixels.
    """

    stream: BinaryIO
    name: str
    path: str | None = None
    size: int | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_image_side: int = DEFAULT_MAX_IMAGE_SIDE
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS


@dataclasses.dataclass(frozen=True)
class Availability:
    """Whether a backend can run here, and if not, why (shown by ``fop-middleware backends``)."""

    ok: bool
    reason: str = ""


class Extractor(abc.ABC):
    """One way to answer one operation.

    Subclasses set ``name`` and ``operation`` and implement :meth:`extract`. They translate
    their library's failures into :class:`~fop_middleware.errors.FopError` subclasses, so
    that a bad file becomes a 400 and only a real crash becomes a 599.

    Usage::

        class MyExif(Extractor):
            name = "my-exif"
            operation = "exif"

            def extract(self, source):
                return {"Make": {"val": "Canon", "type": 2}}
    """

    name: t.ClassVar[str]
    operation: t.ClassVar[str]
    #: ``"process"`` for a backend running native code a hostile file can crash or wedge:
    #: it then runs in a helper process (:mod:`fop_middleware.supervisor`).
    isolation: t.ClassVar[str] = "inline"

    def availability(self) -> Availability:
        """Cheap probe that never raises: can this backend run on this machine?"""
        return Availability(True)

    def is_available(self) -> bool:
        return self.availability().ok

    def accepts(self, head: bytes) -> bool:
        """Whether the file starting with ``head`` (up to ``HEAD_SIZE`` bytes) is worth trying.

        Returning False lets the next backend try; the default accepts everything.
        """
        return True

    @abc.abstractmethod
    def extract(self, source: Source) -> dict[str, t.Any]:
        """Return the operation's JSON-ready answer for ``source``.

        Subclasses must implement this; raise :class:`~fop_middleware.errors.BadRequest`
        (or a subclass) for a file that cannot be read as asked.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement extract()")
