"""The ``ffprobe`` avinfo backend: FFmpeg's own ffprobe, run as a subprocess.

Its answer is the reference by definition, so it is taken as is, except for
``format.filename`` (the client's name for the file, never a server path) and the
``codec_time_base`` ffprobe 4.x printed, which the service's documented answer shows.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
import typing as t

from .. import selftest
from ..avinfo.names import is_refused_format, with_codec_time_base
from ..errors import BadRequest, ExtractorFailure, ExtractorTimeout
from ..extractor import Availability, Extractor, Source

if t.TYPE_CHECKING:
    from collections.abc import Iterator

logger = logging.getLogger("fop_middleware")

#: FFmpeg's own default, spelled out so that the bound on what ffprobe reads to find the
#: streams is explicit. ``-analyzeduration`` is left unset on purpose: setting it, even to
#: its default, disables the longer per-format defaults (flv, mpegts, subtitles) and so
#: changes the answer; the time limit bounds it instead.
PROBESIZE = "5000000"

#: ``file`` (and ``subfile``, a window on one) only: no network, no ``pipe:``/``fd:``,
#: not even from inside a playlist.
PROTOCOLS = "file,subfile"

#: Bytes read to recognise a playlist (HLS, ffconcat, DASH) before ffprobe opens it.
PLAYLIST_SNIFF = 1024
_PLAYLIST_MARKS = (b"#EXTM3U", b"ffconcat version", b"<MPD")

#: Chunk size for spooling a stream that has no file behind it.
SPOOL_CHUNK = 1 << 20

#: An extension worth keeping on a temporary name: some demuxers probe by extension.
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")


class FfprobeExtractor(Extractor):
    """``?avinfo`` by running ``ffprobe -show_streams -show_format -print_format json``.

    :param binary: the ffprobe program; looked up on ``PATH`` when not given.

    Usage::

        from fop_middleware.backends.ffprobe import FfprobeExtractor
        info = FfprobeExtractor().extract(Source(f, "movie.mp4", path="/srv/movie.mp4"))
    """

    name = "ffprobe"
    operation = "avinfo"
    isolation = "process"

    def __init__(self, binary: str | None = None) -> None:
        self.binary = binary

    def _binary(self) -> str | None:
        return shutil.which(self.binary or "ffprobe")

    def availability(self) -> Availability:
        binary = self._binary()
        if binary is None:
            return Availability(False, "ffprobe not found on PATH (apt-get install ffmpeg)")
        return selftest.verify(self, (type(self), binary))

    def extract(self, source: Source) -> dict[str, t.Any]:
        binary = self._binary()
        if binary is None:
            raise ExtractorFailure("ffprobe is not installed")
        source.stream.seek(0)
        head = source.stream.read(PLAYLIST_SNIFF)
        source.stream.seek(0)
        if _is_playlist(head):
            # ffprobe would open the files it lists, which are not the client's to probe
            raise BadRequest("playlists are not audio or video files")
        deadline = _deadline(source)
        with _input_path(source, deadline) as (path, fds):
            report = self._probe(binary, path, source, deadline, fds)
        return _finish(report, source.name)

    def _probe(self, binary: str, path: str, source: Source, deadline: float, fds: tuple[int, ...] = ()) -> dict[str, t.Any]:
        cmd = [
            binary, "-v", "error", "-hide_banner",
            "-protocol_whitelist", PROTOCOLS, "-probesize", PROBESIZE,
            "-show_streams", "-show_format", "-print_format", "json",
            "-i", path,
        ]  # fmt: skip
        try:
            timeout = max(deadline - time.monotonic(), 0.01)
            proc = subprocess.run(
                cmd, capture_output=True, stdin=subprocess.DEVNULL, timeout=timeout, check=False, pass_fds=fds
            )
        except subprocess.TimeoutExpired as e:
            logger.warning("ffprobe ran past %.1f s on %r; killed", source.timeout, source.name)
            raise ExtractorTimeout() from e
        except OSError as e:
            logger.exception("cannot run %s", binary)
            raise ExtractorFailure("ffprobe could not be run") from e
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        if proc.returncode < 0:
            logger.error("ffprobe died of signal %d on %r: %s", -proc.returncode, source.name, stderr)
            raise ExtractorFailure("ffprobe crashed on this file")
        if proc.returncode != 0:
            logger.info("ffprobe refused %r (exit %d): %s", source.name, proc.returncode, stderr)
            raise BadRequest("invalid or unsupported audio/video file")
        if stderr:
            logger.debug("ffprobe on %r: %s", source.name, stderr)
        try:
            report = json.loads(proc.stdout.decode("utf-8", "replace"))
        except ValueError as e:
            logger.error("ffprobe printed no JSON for %r: %r", source.name, proc.stdout[:200])
            raise ExtractorFailure("ffprobe gave an unreadable answer") from e
        if not isinstance(report, dict):
            raise ExtractorFailure("ffprobe gave an unreadable answer")
        return report


def _finish(report: dict[str, t.Any], name: str) -> dict[str, t.Any]:
    """Check ffprobe's report and make it the service's answer."""
    streams = report.get("streams")
    fmt = report.get("format")
    if not isinstance(streams, list) or not isinstance(fmt, dict):
        # a file ffprobe opens with no stream still gets its answer, ``"streams": []``
        raise BadRequest("no audio or video stream found")
    if is_refused_format(str(fmt.get("format_name", ""))):
        raise BadRequest("not an audio or video file")
    if "filename" in fmt:
        fmt["filename"] = name
    else:
        report["format"] = {"filename": name, **fmt}
    report["streams"] = [with_codec_time_base(s) for s in streams]
    return {"streams": report["streams"], "format": report["format"]}


def _deadline(source: Source) -> float:
    """When ffprobe must be done: the source's time limit, or the request's if it ends sooner."""
    deadline = time.monotonic() + source.timeout
    request_deadline = getattr(source.stream, "deadline", None)
    if isinstance(request_deadline, float):
        deadline = min(deadline, request_deadline)
    return deadline


@contextlib.contextmanager
def _input_path(source: Source, deadline: float) -> Iterator[tuple[str, tuple[int, ...]]]:
    """The URL ffprobe opens, and the descriptors it must inherit, for the ``with`` block.

    The descriptor of the file the app opened when there is one (``/proc/self/fd/N`` in
    ffprobe, under a name with the file's extension), never its path: a file renamed or
    replaced since the app opened it must not be the one probed. FFmpeg's ``subfile``
    protocol ends it at the size the file had when the request started, so a growing
    file feeds ffprobe no more than that. A streamed body
    is read from its own spool file, pulled whole first (``LazySpool.complete_fileno``); a
    stream in memory is spooled to a copy.
    """
    suffix = _suffix(source.name)
    with tempfile.TemporaryDirectory(prefix="fop-ffprobe-") as tmp:
        path = os.path.join(tmp, "input" + suffix)
        complete = getattr(source.stream, "complete_fileno", None)
        fd = complete() if callable(complete) else None
        if fd is None:
            fd = _regular_fileno(source)
        if fd is not None:
            os.symlink(f"/proc/self/fd/{fd}", path)
            yield _bounded_url(path, source.size), (fd,)
            return
        if source.path:
            yield _bounded_url(source.path, source.size), ()
            return
        _spool(source, path, deadline)
        yield "file:" + path, ()


def _bounded_url(path: str, size: int | None) -> str:
    """``path`` as ffprobe should read it: through ``subfile`` up to ``size`` when known."""
    if not size:
        return "file:" + path
    return f"subfile,,start,0,end,{size},,:{path}"


def _is_playlist(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(_PLAYLIST_MARKS[:2]) or _PLAYLIST_MARKS[2] in head


def _suffix(name: str) -> str:
    match = _EXTENSION.search(name)
    return match.group(0).lower() if match else ""


def _regular_fileno(source: Source) -> int | None:
    """The descriptor behind ``source.stream`` when it is a plain file, else None."""
    try:
        fd = source.stream.fileno()
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return fd
    except (AttributeError, OSError, ValueError):
        pass
    return None


def _spool(source: Source, path: str, deadline: float) -> None:
    """Copy the stream to ``path`` from its start, within the time limit; the stream stays open."""
    stream = source.stream
    stream.seek(0)
    with open(path, "wb") as out:
        while chunk := stream.read(SPOOL_CHUNK):
            if time.monotonic() > deadline:
                logger.warning("copying %r for ffprobe ran past the time limit", source.name)
                raise ExtractorTimeout()
            out.write(chunk)
