"""The Matroska track entries' codec private data and codec delay, which MediaInfo does not show.

libavformat keeps a track's ``CodecPrivate`` as the decoder's extradata (``extradata_size``;
for H.264 the avcC record gives the decoder's options and reorder depth) and shifts a
track with a ``CodecDelay`` (Opus pre-skip) to start before zero. The ``Tracks`` element
comes near the start of the file; only :data:`HEAD_BYTES` are read.
"""

from __future__ import annotations

import dataclasses
import typing as t

HEAD_BYTES = 256 * 1024

#: Bytes read where ``SeekHead`` says the ``Tags`` are.
TAGS_BYTES = 64 * 1024

SEGMENT, SEEK_HEAD, SEEK, SEEK_ID, SEEK_POSITION = 0x18538067, 0x114D9B74, 0x4DBB, 0x53AB, 0x53AC
INFO, TITLE, TRACKS, TRACK_ENTRY, TRACK_UID = 0x1549A966, 0x7BA9, 0x1654AE6B, 0xAE, 0x73C5
CODEC_ID, CODEC_PRIVATE, CODEC_DELAY, NAME, LANGUAGE = 0x86, 0x63A2, 0x56AA, 0x536E, 0x22B59C
TAGS, TAG, TARGETS, TAG_TRACK_UID, SIMPLE_TAG = 0x1254C367, 0x7373, 0x63C0, 0x63C5, 0x67C8
TAG_NAME, TAG_STRING, TAG_LANGUAGE = 0x45A3, 0x4487, 0x447A
CLUSTER = 0x1F43B675


@dataclasses.dataclass
class MkvTrack:
    codec_id: str = ""
    private: bytes | None = None
    codec_delay: int = 0  # nanoseconds
    uid: int = 0
    name: str = ""
    language: str = "eng"  # the element's default
    tags: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def extradata_size(self) -> int | None:
        """What ``matroska_parse_tracks()`` keeps of the private data."""
        if self.private is None:
            return None
        if self.codec_id == "A_FLAC":  # the STREAMINFO block only
            return 34 if len(self.private) >= 42 else len(self.private)
        if self.codec_id.startswith(("V_MS/", "A_MS/")):
            return None  # BITMAPINFOHEADER / WAVEFORMATEX: what follows depends on the codec
        return len(self.private)


def _vint(data: bytes, at: int, strip: bool) -> tuple[int, int]:
    """An EBML variable-length integer at ``at``: (value, length); ID form keeps the marker."""
    first = data[at]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or at + length > len(data):
        raise ValueError("bad EBML number")
    value = first & (0xFF >> length) if strip else first
    for byte in data[at + 1:at + length]:
        value = value << 8 | byte
    return value, length


@dataclasses.dataclass
class MkvInfo:
    tracks: list[MkvTrack] = dataclasses.field(default_factory=list)
    title: str = ""
    #: Tags aimed at no track: the container's.
    tags: dict[str, str] = dataclasses.field(default_factory=dict)


def _elements(data: bytes, start: int, end: int) -> t.Iterator[tuple[int, int, int]]:
    """(id, body start, body end) of the EBML elements in ``data[start:end]``."""
    at = start
    while at < end:
        element, id_length = _vint(data, at, strip=False)
        size, size_length = _vint(data, at + id_length, strip=True)
        body = at + id_length + size_length
        unknown = size == (1 << (7 * size_length)) - 1
        yield element, body, end if unknown else min(body + size, end)
        if unknown:
            return
        at = body + size


def _uint(value: bytes) -> int:
    return int.from_bytes(value, "big")


def _text(value: bytes) -> str:
    return value.split(b"\0", 1)[0].decode("utf-8", "replace")


def read_matroska(stream: t.BinaryIO) -> MkvInfo | None:
    """Track entries, titles and tags; None when ``Tracks`` is not whole in the first bytes."""
    stream.seek(0)
    data = stream.read(HEAD_BYTES)
    info = MkvInfo()
    try:
        segment = next(((body, end) for element, body, end in _elements(data, 0, len(data)) if element == SEGMENT), None)
        if segment is None:
            return None
        tags_at, have_tracks = None, False
        for element, body, end in _elements(data, segment[0], segment[1]):
            if element == SEEK_HEAD:
                tags_at = _tags_position(data, body, end)
            elif element == INFO:
                info.title = next((_text(data[b:e]) for el, b, e in _elements(data, body, end) if el == TITLE), "")
            elif element == TRACKS:
                have_tracks = True
                info.tracks = [_entry(data, b, e) for el, b, e in _elements(data, body, end) if el == TRACK_ENTRY]
            elif element == TAGS:
                _tags(data, body, end, info)
                tags_at = None
            elif element == CLUSTER:
                break
        if not have_tracks:
            return None
        if tags_at is not None:
            stream.seek(segment[0] + tags_at)
            more = stream.read(TAGS_BYTES)
            for element, body, end in _elements(more, 0, len(more)):
                if element == TAGS:
                    _tags(more, body, end, info)
                break
    except (ValueError, IndexError):
        return info if info.tracks else None
    return info


def _tags_position(data: bytes, start: int, end: int) -> int | None:
    for element, body, seek_end in _elements(data, start, end):
        if element != SEEK:
            continue
        fields = {el: data[b:e] for el, b, e in _elements(data, body, seek_end)}
        if _uint(fields.get(SEEK_ID, b"")) == TAGS and SEEK_POSITION in fields:
            return _uint(fields[SEEK_POSITION])
    return None


def _entry(data: bytes, start: int, end: int) -> MkvTrack:
    track = MkvTrack()
    for element, body, element_end in _elements(data, start, end):
        value = data[body:element_end]
        if element == CODEC_ID:
            track.codec_id = value.decode("ascii", "replace")
        elif element == CODEC_PRIVATE:
            track.private = value
        elif element == CODEC_DELAY:
            track.codec_delay = _uint(value)
        elif element == TRACK_UID:
            track.uid = _uint(value)
        elif element == NAME:
            track.name = _text(value)
        elif element == LANGUAGE:
            track.language = _text(value)
    return track


def _tags(data: bytes, start: int, end: int, info: MkvInfo) -> None:
    """Each ``Tag``'s simple tags, to its track or to the container (``matroska_convert_tags()``)."""
    by_uid = {track.uid: track for track in info.tracks if track.uid}
    for element, body, tag_end in _elements(data, start, end):
        if element != TAG:
            continue
        target, simple = 0, {}
        for child, child_body, child_end in _elements(data, body, tag_end):
            if child == TARGETS:
                target = next((_uint(data[b:e]) for el, b, e in _elements(data, child_body, child_end)
                               if el == TAG_TRACK_UID), 0)
            elif child == SIMPLE_TAG:
                fields = {el: data[b:e] for el, b, e in _elements(data, child_body, child_end)}
                name, language = _text(fields.get(TAG_NAME, b"")), _text(fields.get(TAG_LANGUAGE, b"und"))
                if name and TAG_STRING in fields:
                    simple[name if language in ("und", "") else f"{name}-{language}"] = _text(fields[TAG_STRING])
        if target and target in by_uid:
            by_uid[target].tags.update(simple)
        elif not target:
            info.tags.update(simple)


def entry_tags(track: MkvTrack) -> dict[str, str]:
    """A track's tags as the matroska demuxer sets them: language ("und" left out), title, then its Tags."""
    tags: dict[str, str] = {}
    if track.language and track.language != "und":
        tags["language"] = track.language
    if track.name:
        tags["title"] = track.name
    tags.update(track.tags)
    return tags
