"""The ``mediainfo`` avinfo backend: libmediainfo (through pymediainfo) in ffprobe's shape.

MediaInfo reads through the file object, asking for the bytes it wants, so it needs no
path and, at parse speed 0, reads a few hundred kilobytes of even a large MP4 whose index
is at the end. Its report is mapped onto ffprobe's JSON: FFmpeg's codec and demuxer names
and long names, ffprobe's types and field order. A field MediaInfo cannot know is left
out rather than guessed.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
import typing as t

from ... import selftest
from ...errors import ExtractorFailure, ExtractorTimeout
from ...extractor import Availability, Extractor, Source
from .map import Mapper

logger = logging.getLogger("fop_middleware")

#: 0 reads the headers and a few frames; libmediainfo's 0.5 reads over half of a
#: large MP4 for durations ffprobe does not compute that way anyway.
PARSE_SPEED = 0.0

#: Bytes handed to libmediainfo per call.
BUFFER_SIZE = 64 * 1024

#: The second, bounded look for frame rates parse speed 0 leaves out.
SECOND_LOOK_SPEED = 0.5
SECOND_LOOK_BYTES = 1024 * 1024

#: Files libmediainfo reads more of than it needs, by signature (first 4 bytes + bytes 8-12):
#: an AVI's first ~9 MiB of frames, whatever its size, for nothing its header and index
#: (read first) do not already say.
READ_BUDGETS = ((b"RIFFAVI ", 2 * 1024 * 1024),)

#: Process-wide libmediainfo options set once. MPEG-TS is otherwise scanned for its
#: first 64 MB (``MpegTs_MaximumOffset``) whatever the parse speed; 2 MiB from each end
#: finds the same streams and durations.
GLOBAL_OPTIONS = {"MpegTs_MaximumOffset": str(2 * 1024 * 1024)}


class MediainfoExtractor(Extractor):
    """``?avinfo`` from libmediainfo's report, mapped onto ffprobe's JSON.

    Usage::

        from fop_middleware.backends.mediainfo import MediainfoExtractor
        with open("movie.mp4", "rb") as f:
            info = MediainfoExtractor().extract(Source(f, "movie.mp4"))
    """

    name = "mediainfo"
    operation = "avinfo"
    isolation = "process"

    def availability(self) -> Availability:
        try:
            from pymediainfo import MediaInfo
        except ImportError as e:
            return Availability(False, f"pymediainfo not installed: {e} (pip install pymediainfo)")
        if not MediaInfo.can_parse():
            return Availability(False, "libmediainfo not found (apt-get install libmediainfo0v5)")
        return selftest.verify(self)

    def extract(self, source: Source) -> dict[str, t.Any]:
        _set_global_options()
        deadline = time.monotonic() + source.timeout
        budget = _read_budget(source.stream)
        mapper = Mapper(_tracks(source, BoundedReader(source.stream, deadline, budget), PARSE_SPEED), source)
        mapper.read_headers(t.cast("t.BinaryIO", BoundedReader(source.stream, deadline)))
        if mapper.lacks_frame_rates():
            # Matroska keeps frame rates in its blocks, which parse speed 0 skips: look
            # at the first blocks only, and take nothing else from that second look.
            capped = BoundedReader(source.stream, deadline, SECOND_LOOK_BYTES)
            mapper.add_frame_rates(_tracks(source, capped, SECOND_LOOK_SPEED))
        return mapper.answer()


def _read_budget(stream: t.BinaryIO) -> int | None:
    """The bytes libmediainfo may read of this file, by its signature; None: no cap."""
    stream.seek(0)
    head = stream.read(12)
    stream.seek(0)
    for signature, budget in READ_BUDGETS:
        if head[:4] == signature[:4] and head[8:12] == signature[4:]:
            return budget
    return None


def _tracks(source: Source, stream: BoundedReader, speed: float) -> list[dict[str, t.Any]]:
    """libmediainfo's tracks for ``stream``, read from its start."""
    from pymediainfo import MediaInfo

    stream.seek(0)
    try:
        text = MediaInfo.parse(
            stream, output="JSON", full=True, cover_data=True, parse_speed=speed, buffer_size=BUFFER_SIZE
        )
        report = json.loads(str(text)) if text else {}
    except (RuntimeError, ValueError) as e:
        logger.exception("libmediainfo failed on %r", source.name)
        raise ExtractorFailure("mediainfo could not read the file") from e
    if stream.timed_out:
        logger.warning("mediainfo ran past %.1f s on %r", source.timeout, source.name)
        raise ExtractorTimeout()
    tracks: list[dict[str, t.Any]] = (report.get("media") or {}).get("track") or []
    return tracks


class BoundedReader(io.RawIOBase):
    """A view of a seekable stream that ends early: at ``deadline`` or after ``budget`` bytes.

    libmediainfo cannot be interrupted, but it stops at the end of its input, so the
    time limit ends the input and :attr:`timed_out` tells why it ended.
    """

    def __init__(self, stream: t.BinaryIO, deadline: float, budget: int | None = None) -> None:
        super().__init__()
        self._stream = stream
        self._deadline = deadline
        self._left = budget
        self.timed_out = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: t.Any) -> int:
        if time.monotonic() > self._deadline:
            self.timed_out = True
            return 0
        size = len(buffer) if self._left is None else min(len(buffer), self._left)
        data = self._stream.read(size) if size > 0 else b""
        buffer[: len(data)] = data
        if self._left is not None:
            self._left -= len(data)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()

    def close(self) -> None:
        """Leave the stream open: it is the caller's."""


_options_lock = threading.Lock()
_options_set = False


def _set_global_options() -> None:
    """Set :data:`GLOBAL_OPTIONS` once per process.

    Not through ``parse(mediainfo_options=...)``: that resets every option after each
    call, which breaks parses running in other threads
    (https://github.com/sbraz/pymediainfo/issues/76).
    """
    global _options_set
    with _options_lock:
        if _options_set:
            return
        _options_set = True
        try:
            from pymediainfo import MediaInfo

            lib, handle, _, _ = MediaInfo._get_library()
            try:
                for name, value in GLOBAL_OPTIONS.items():
                    lib.MediaInfo_Option(handle, name, value)
            finally:
                lib.MediaInfo_Delete(handle)
        except Exception:  # an older pymediainfo: MediaInfo still works, reading more
            logger.warning("cannot set libmediainfo options %s", GLOBAL_OPTIONS, exc_info=True)
