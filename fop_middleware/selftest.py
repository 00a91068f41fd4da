"""A native backend proves it works before it is offered: one tiny file, once per process.

A library can import and still fail on every file (PyAV 19 dropped an ``av.open``
argument the pyav backend passed; a system ``ffprobe`` can be a wrapper that prints
nothing). Without this check such a backend counts as available, crashes on every
request and falls back each time, and ``fop-middleware backends`` says all is well.
With it, the first :meth:`~fop_middleware.extractor.Extractor.availability` call
extracts a 0.1 s WAV built in memory; a failure makes the backend unavailable with
the reason, logged once, and the verdict is kept for the life of the process.
"""

from __future__ import annotations

import io
import logging
import struct
import threading
import typing as t

from .extractor import Availability, Extractor, Source

if t.TYPE_CHECKING:
    from collections.abc import Hashable

logger = logging.getLogger("fop_middleware")

#: The name the sample is given; its extension helps tools that probe by name.
SAMPLE_NAME = "fop-self-test.wav"
SAMPLE_RATE = 8000
#: A library that takes longer than this on 1.6 kB is not one to serve with.
TIMEOUT = 10.0

_verdicts: dict[Hashable, Availability] = {}
_lock = threading.Lock()


def sample_wav() -> bytes:
    """0.1 s of 16-bit mono silence at 8 kHz: a file every avinfo backend reads."""
    fmt = struct.pack("<HHIIHH", 1, 1, SAMPLE_RATE, SAMPLE_RATE * 2, 2, 16)
    data = bytes(SAMPLE_RATE // 10 * 2)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _check_avinfo(answer: dict[str, t.Any]) -> str:
    """What is wrong with an avinfo answer for :func:`sample_wav`, or "" when nothing is."""
    streams = answer.get("streams") if isinstance(answer, dict) else None
    if not streams or not isinstance(streams, list):
        return "no streams in the answer"
    stream = streams[0]
    if stream.get("codec_name") != "pcm_s16le" or str(stream.get("sample_rate")) != str(SAMPLE_RATE):
        return f"unexpected answer for a PCM WAV: {stream.get('codec_name')!r} at {stream.get('sample_rate')!r}"
    return ""


def verify(extractor: Extractor, key: Hashable | None = None) -> Availability:
    """Whether ``extractor`` answers a known-good sample; run once per ``key`` and process.

    :param key: what makes two instances the same for this check (default: the class);
        e.g. the ffprobe program's path.
    """
    key = key if key is not None else type(extractor)
    verdict = _verdicts.get(key)
    if verdict is not None:
        return verdict
    with _lock:
        verdict = _verdicts.get(key)
        if verdict is None:
            verdict = _run(extractor)
            _verdicts[key] = verdict
    return verdict


def _run(extractor: Extractor) -> Availability:
    if extractor.operation != "avinfo":
        return Availability(True)
    data = sample_wav()
    try:
        answer = extractor.extract(Source(io.BytesIO(data), SAMPLE_NAME, None, len(data), TIMEOUT))
        problem = _check_avinfo(answer)
    except Exception as e:  # whatever it is, the backend cannot serve
        logger.warning("backend %r failed its self-test and is unavailable", extractor.name, exc_info=True)
        return Availability(False, f"failed its self-test: {type(e).__name__}: {e}")
    if problem:
        logger.warning("backend %r failed its self-test and is unavailable: %s", extractor.name, problem)
        return Availability(False, f"failed its self-test: {problem}")
    return Availability(True)


def forget() -> None:
    """Drop every verdict, so that the next check runs again (tests, a library upgraded in place)."""
    with _lock:
        _verdicts.clear()
