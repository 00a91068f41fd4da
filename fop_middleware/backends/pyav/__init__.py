"""``pyav``: ffprobe 5.1's ``?avinfo`` answer computed in-process with PyAV.

PyAV reads the container through the request's file object, so a ``moov`` box at
the end of an MP4 costs a seek, not a read of the media data.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import time
import typing as t

from ... import selftest
from ...avinfo.names import is_refused_format
from ...errors import BadRequest, ExtractorFailure, ExtractorTimeout
from ...extractor import HEAD_SIZE, Availability, Extractor, Source
from . import api

logger = logging.getLogger("fop_middleware")

#: The rules reproducing FFmpeg 5.1's answer were checked against PyAV 18's FFmpeg;
#: older PyAV lacks attributes they read (``CodecContext.level``, new in 18.1).
MIN_PYAV = (18, 1)

#: What the client sees for a file FFmpeg cannot read.
BAD_MEDIA = "unsupported or corrupt media file"

#: Magic numbers of still images and documents, which are not media for ``?avinfo``
#: (not GIF nor PNG: ffprobe reads GIF and APNG animations as video; a still PNG is
#: refused once FFmpeg names it ``png_pipe``).
IMAGE_MAGIC = (
    b"\xff\xd8\xff", b"BM", b"II*\x00", b"MM\x00*",
    b"%PDF", b"PK\x03\x04",
)
#: ``ftyp`` brands of HEIF/AVIF still images.
IMAGE_BRANDS = (b"heic", b"heix", b"mif1", b"msf1", b"avif", b"avis")
#: Text that FFmpeg reads as media: subtitles (which ffprobe reports as streams) and
#: raw YUV4MPEG video. SubRip starts with a cue number and a time line.
TEXT_MEDIA = re.compile(r"\ufeff?(WEBVTT|\[Script Info\]|YUV4MPEG2 |\d+\s*\n\s*\d+:\d\d:\d\d[,.]\d+ -->)")

#: Demuxers that open other files or URLs named inside the file (playlists,
#: concat lists, image sequences); never followed for a file sent by a client.
UNSAFE_DEMUXERS = frozenset({"hls", "dash", "concat", "image2", "ffmetadata", "tedcaptions", "webm_dash_manifest"})


def looks_like_text(head: bytes) -> bool:
    """Printable UTF-8 with no NUL: a text file, not a container."""
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 3:
            return False
        text = head[: e.start].decode("utf-8")
    return all(c.isprintable() or c in "\r\n\t" for c in text)


class _Deadline(Exception):
    """Raised inside PyAV's reads once the time limit is spent; PyAV re-raises it to us."""


class DeadlineReader:
    """The request's file as PyAV sees it: reads and seeks fail once ``timeout`` has passed.

    FFmpeg calls back into Python for every read, so a stuck or endless probe ends
    at the next read; probe size and analyze duration bound the work between reads.
    """

    def __init__(self, stream: t.BinaryIO, timeout: float, name: str = "") -> None:
        self.stream = stream
        self.deadline = time.monotonic() + timeout
        self.expired = False
        #: PyAV gives FFmpeg this as the URL: its extension helps probing, as the
        #: file name does for ffprobe (raw SBC, some MP3s, ...).
        self.name = name

    def _in_time(self) -> bool:
        """False once the time is spent; the first call after that raises :class:`_Deadline`.

        Later calls answer end-of-file instead of raising again, since PyAV keeps only
        the first exception and prints the others.
        """
        if self.expired:
            return False
        if time.monotonic() > self.deadline:
            self.expired = True
            raise _Deadline()
        return True

    def read(self, n: int = -1) -> bytes:
        return self.stream.read(n) if self._in_time() else b""

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self.stream.seek(offset, whence) if self._in_time() else -1

    def tell(self) -> int:
        return self.stream.tell()


class PyavExtractor(Extractor):
    """ffprobe-shaped ``?avinfo`` without a subprocess, through PyAV (``pip install av``).

    Usage::

        from fop_middleware.backends.pyav import PyavExtractor
        info = PyavExtractor().extract(Source(open("movie.mp4", "rb"), "movie.mp4"))
    """

    name = "pyav"
    operation = "avinfo"
    isolation = "process"

    def availability(self) -> Availability:
        try:
            import av
        except ImportError as e:
            logger.debug("pyav unavailable", exc_info=True)
            return Availability(False, f"PyAV not installed: {e} (pip install av)")
        version = getattr(av, "__version__", "0")
        if api.release(version) < MIN_PYAV:
            return Availability(False, f"PyAV {version} is too old: {'.'.join(map(str, MIN_PYAV))}+ needed (Python 3.11+)")
        return selftest.verify(self)

    def accepts(self, head: bytes) -> bool:
        if head.startswith(IMAGE_MAGIC):
            return False
        if head[4:8] == b"ftyp" and head[8:12] in IMAGE_BRANDS:
            return False
        if looks_like_text(head):
            text = head.decode("utf-8", "ignore").replace("\r\n", "\n").lstrip(" \t\n")
            return TEXT_MEDIA.match(text) is not None
        return True

    def extract(self, source: Source) -> dict[str, t.Any]:
        import av

        from .probe import probe

        stream = source.stream
        size = source.size if source.size is not None else _stream_size(stream)
        stream.seek(0)
        if not self.accepts(stream.read(HEAD_SIZE)):
            raise BadRequest(BAD_MEDIA)
        stream.seek(0)
        reader = DeadlineReader(stream, source.timeout, source.name)
        # scan_all_pmts: ffprobe sets it, so that every program of a TS is found.
        options = {"scan_all_pmts": "1", "format_whitelist": _format_whitelist()}
        try:
            container = api.open_input(reader, options)
        except _Deadline as e:
            logger.warning("pyav ran past %ss on %r", source.timeout, source.name)
            raise ExtractorTimeout() from e
        except (av.FFmpegError, ValueError, EOFError, UnicodeDecodeError) as e:
            logger.info("pyav cannot open %r: %s", source.name, e)
            raise BadRequest(BAD_MEDIA) from e
        try:
            if is_refused_format(container.format.name):  # no stream is an answer: ffprobe's
                raise BadRequest(BAD_MEDIA)
            return probe(container, source.name, size, reader)
        except _Deadline as e:
            raise ExtractorTimeout() from e
        except (av.FFmpegError, OSError) as e:
            logger.exception("pyav failed on %r", source.name)
            raise ExtractorFailure() from e
        finally:
            container.close()


def _stream_size(stream: t.BinaryIO) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


@functools.cache
def _format_whitelist() -> str:
    """Every demuxer but the :data:`UNSAFE_DEMUXERS`, for ``format_whitelist``."""
    import av

    return ",".join(sorted(set(av.formats_available) - UNSAFE_DEMUXERS))
