"""What differs between the PyAV releases the backend supports (18.1 and later).

PyAV 19 dropped ``av.open(..., metadata_errors=...)``: it decodes every tag as UTF-8
with ``surrogateescape`` instead, so a tag with bytes that are not UTF-8 comes back
with lone surrogates, which no JSON encoder turns into UTF-8. Both releases end up
giving the same text here: invalid bytes become U+FFFD, as ``metadata_errors="replace"``
made PyAV 18 do. PyAV 19 also brings FFmpeg 9, whose answers differ from 8's in two
places that :func:`tags` and :func:`extradata_size` turn back into 5.1's.
"""

from __future__ import annotations

import functools
import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import av.container

#: The first PyAV release without ``metadata_errors``.
NO_METADATA_ERRORS_MAJOR = 19

#: FFmpeg 9's MP4/QuickTime demuxer joins a tag found twice (``udta`` and ``ilst``) with
#: ";"; 5.1 kept one value per key, so two equal copies were that one value.
MOV_DEMUXER = "mov,mp4,m4a,3gp,3g2,mj2"
JOINED_TAGS_MAJOR = 9

#: Demuxers whose H.264/HEVC extradata FFmpeg builds from the stream's first parameter
#: sets (``extract_extradata``), not from a header the file carries.
EXTRACTED_EXTRADATA_DEMUXERS = frozenset({"mpegts", "mpeg", "h264", "hevc"})
ANNEX_B_CODECS = frozenset({"h264", "hevc"})
START_CODE_4 = b"\x00\x00\x00\x01"
#: FFmpeg 9 writes a 4-byte start code before each NAL unit it extracts; 5.1 wrote 3 bytes.
FOUR_BYTE_START_CODES_MAJOR = 9


def major(version: str) -> int:
    """The major number of a PyAV version string; 0 when it cannot be read."""
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else 0


def release(version: str) -> tuple[int, int]:
    """``(major, minor)`` of a PyAV version string; parts that cannot be read count as 0."""
    parts = version.split(".")
    minor = parts[1] if len(parts) > 1 else "0"
    return major(version), int(minor) if minor.isdigit() else 0


@functools.cache
def open_options() -> dict[str, str]:
    """Keyword arguments ``av.open`` takes on the installed PyAV, besides the options."""
    import av

    if major(getattr(av, "__version__", "0")) < NO_METADATA_ERRORS_MAJOR:
        return {"metadata_errors": "replace"}
    return {}


def open_input(file: t.Any, options: dict[str, str]) -> av.container.InputContainer:
    """``av.open(file, "r", options=options)`` with what the installed release needs besides."""
    import av

    opener: Callable[..., av.container.InputContainer] = av.open  # the kwargs differ by release
    return opener(file, "r", options=options, **open_options())


def text(value: str) -> str:
    """A tag as PyAV 18 with ``metadata_errors="replace"`` gave it: U+FFFD for invalid bytes."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return value


def tags(metadata: Mapping[str, str], demuxer: str) -> dict[str, str]:
    """A container's or stream's ``metadata`` as a plain dict of valid text, as 5.1 gave it."""
    out = {text(key): text(value) for key, value in metadata.items()}
    if demuxer == MOV_DEMUXER and ffmpeg_major() >= JOINED_TAGS_MAJOR:
        out = {key: _unjoined(value) for key, value in out.items()}
    return out


def _unjoined(value: str) -> str:
    """``"a;a"`` back to ``"a"``; a value whose parts differ may be the file's own text and stays."""
    parts = value.split(";")
    return parts[0] if len(parts) > 1 and all(part == parts[0] for part in parts) else value


@functools.cache
def ffmpeg_major() -> int:
    """The major version of the FFmpeg the installed PyAV was built with."""
    import av

    return major(str(getattr(av, "ffmpeg_version_info", "0")))


def extradata_size(demuxer: str, codec: str, extradata: bytes) -> int:
    """``extradata_size`` as FFmpeg 5.1 counted it.

    5.1's ``extract_extradata_h2645()`` put ``00 00 01`` before each parameter set it kept;
    FFmpeg 9 puts ``00 00 00 01``, one byte more per NAL unit. Emulation prevention keeps
    ``00 00 00`` out of a NAL unit's payload, so each 4-byte code is one such unit.
    """
    size = len(extradata)
    if (
        ffmpeg_major() >= FOUR_BYTE_START_CODES_MAJOR
        and demuxer in EXTRACTED_EXTRADATA_DEMUXERS
        and codec in ANNEX_B_CODECS
        and extradata.startswith(START_CODE_4)
    ):
        size -= extradata.count(START_CODE_4)
    return size
