"""Load an EXIF block as libexif 0.6.24 does (``exif_data_load_data`` and its helpers).

The block is what libexif's loader hands over: usually ``Exif\\0\\0`` and a TIFF structure,
at most 64 KiB. Every sanity check of ``exif-data.c`` is kept, because they decide which
entries a libexif user sees: entries whose data lies outside the block are dropped, a
sub-IFD pointer outside it ends its IFD, IFDs are loaded once, recursion is bounded by
libexif's cost measure, and unknown tags are ignored. With ``fix`` (libexif's default
``FOLLOW_SPECIFICATION``) the loaded data then goes through ``exif_data_fix``.
"""

from __future__ import annotations

import dataclasses
import math
import struct

from ..errors import BadRequest
from . import tags, values
from .entry import FORMAT_SIZE, ByteOrder, ExifEntry, Ifd

EXIF_HEADER = b"Exif\x00\x00"

#: libexif caps the block at what one JPEG APP1 segment can hold.
MAX_BLOCK = 0xFFFE

TAG_EXIF_IFD_POINTER = 0x8769
TAG_GPS_IFD_POINTER = 0x8825
TAG_INTEROPERABILITY_IFD_POINTER = 0xA005
TAG_JPEG_INTERCHANGE_FORMAT = 0x0201
TAG_JPEG_INTERCHANGE_FORMAT_LENGTH = 0x0202
POINTER_TAGS = {
    TAG_EXIF_IFD_POINTER: Ifd.EXIF,
    TAG_GPS_IFD_POINTER: Ifd.GPS,
    TAG_INTEROPERABILITY_IFD_POINTER: Ifd.INTEROPERABILITY,
}

#: ``level_cost`` stops recursing past this (``exif_data_load_data_content``).
MAX_RECURSION_COST = 170
_LOG_1_1 = 0.09531017980432493

#: Entries visited before a crafted IFD graph is refused; libexif's cost bound allows
#: about 1.1**170 visits, far beyond any real file, and memoisation below removes the
#: revisits that add nothing, so this only stops pathological blocks.
MAX_VISITS = 200_000


class CorruptExif(BadRequest):
    """400: the EXIF structure is too convoluted to load safely."""

    default_message = "corrupt exif data"


@dataclasses.dataclass
class ExifData:
    """The loaded IFDs (entries in libexif's order), the byte order, and whether a thumbnail loaded."""

    order: ByteOrder = ByteOrder.MOTOROLA
    ifds: dict[Ifd, list[ExifEntry]] = dataclasses.field(default_factory=lambda: {ifd: [] for ifd in Ifd})
    has_thumbnail: bool = False

    def count(self) -> int:
        return sum(len(entries) for entries in self.ifds.values())

    def get(self, ifd: Ifd, tag: int) -> ExifEntry | None:
        for entry in self.ifds[ifd]:
            if entry.tag == tag:
                return entry
        return None


def level_cost(n: int) -> int:
    """libexif's recursion cost of one IFD level with ``n`` entries."""
    return math.ceil(math.log(n + 0.1) / _LOG_1_1)


def _locate_header(d: bytes) -> bytes | None:
    """The block from its ``Exif\\0\\0`` header on, found as ``exif_data_load_data`` does
    when the data does not start with it (a JPEG marker walk); None when it gives up."""
    if d[:6] == EXIF_HEADER:
        return d
    pos, ds = 0, len(d)
    while ds - pos >= 3:
        while pos < ds and d[pos] == 0xFF:
            pos += 1
        if pos < ds and d[pos] == 0xD8:
            pos += 1
            continue
        if pos < ds and d[pos] == 0xE1 and ds - pos >= 9 and d[pos + 3 : pos + 9] == EXIF_HEADER:
            break
        if ds - pos >= 3 and 0xE0 <= d[pos] <= 0xEF:
            pos += 1
            length = (d[pos] << 8) | d[pos + 1]
            if length > ds - pos:
                return None
            pos += length
            continue
        return None
    if ds - pos < 3:
        return None
    pos += 1
    length = (d[pos] << 8) | d[pos + 1]
    if length > ds - pos or length < 2:
        return None
    return d[pos + 2 : pos + length]


class _Loader:
    """One ``exif_data_load_data`` run over the TIFF structure ``tiff``."""

    def __init__(self, data: ExifData, tiff: bytes) -> None:
        self.data = data
        self.d = tiff
        self.ds = len(tiff)
        self.prefix = data.order.prefix
        self.visits = 0
        self.generation = 0
        self.tags: dict[Ifd, set[int]] = {ifd: set() for ifd in Ifd}
        # (ifd, offset) -> (generation, cost) of a finished walk that added nothing:
        # walking it again in the same state, with no more budget, adds nothing either.
        self.idle: dict[tuple[int, int], tuple[int, int]] = {}

    def short(self, pos: int) -> int:
        return struct.unpack_from(self.prefix + "H", self.d, pos)[0]  # type: ignore[no-any-return]

    def long(self, pos: int) -> int:
        return struct.unpack_from(self.prefix + "L", self.d, pos)[0]  # type: ignore[no-any-return]

    def content(self, ifd: Ifd, offset: int, cost: int) -> None:
        """``exif_data_load_data_content``."""
        if cost > MAX_RECURSION_COST:
            return
        key = (int(ifd), offset)
        idle = self.idle.get(key)
        if idle is not None and idle[0] == self.generation and idle[1] <= cost:
            return
        start = self.generation
        self._walk(ifd, offset, cost)
        if self.generation == start:
            self.idle[key] = (start, cost)

    def _walk(self, ifd: Ifd, offset: int, cost: int) -> None:
        ds = self.ds
        if offset >= ds or ds - offset < 2:
            return
        n = self.short(offset)
        offset += 2
        if offset >= ds or 12 * n > ds or offset > ds - 12 * n:
            n = (ds - offset) // 12
        thumb_offset = thumb_length = 0
        entries = self.data.ifds[ifd]
        present = self.tags[ifd]
        for i in range(n):
            self.visits += 1
            if self.visits > MAX_VISITS:
                raise CorruptExif("corrupt exif data: too many nested IFDs")
            pos = offset + 12 * i
            tag = self.short(pos)
            if tag in POINTER_TAGS or tag in (TAG_JPEG_INTERCHANGE_FORMAT, TAG_JPEG_INTERCHANGE_FORMAT_LENGTH):
                o = self.long(pos + 8)
                if o >= ds:
                    return
                target = POINTER_TAGS.get(tag)
                if target is not None:
                    if target == ifd or self.data.ifds[target]:
                        continue
                    self.content(target, o, cost + level_cost(n))
                    continue
                if tag == TAG_JPEG_INTERCHANGE_FORMAT:
                    thumb_offset = o
                else:
                    thumb_length = o
                if thumb_offset and thumb_length:
                    self.thumbnail(thumb_offset, thumb_length)
                continue
            if tags.name_in_ifd(tag, ifd) is None:
                continue
            entry = self.entry(pos, ifd)
            if entry is not None and entry.tag not in present:
                entries.append(entry)
                present.add(entry.tag)
                self.generation += 1

    def entry(self, pos: int, ifd: Ifd) -> ExifEntry | None:
        """``exif_data_load_data_entry``: None when its data is not all inside the block."""
        tag = self.short(pos)
        fmt = self.short(pos + 2)
        components = self.long(pos + 4)
        size = (FORMAT_SIZE.get(fmt, 0) * components) & 0xFFFFFFFF
        if size < components or size == 0:
            return None
        doff = self.long(pos + 8) if size > 4 else pos + 8
        if doff >= self.ds or size > self.ds - doff:
            return None
        return ExifEntry(tag, fmt, components, self.d[doff : doff + size], ifd, self.data.order)

    def thumbnail(self, offset: int, length: int) -> None:
        """``exif_data_load_data_thumbnail``: only whether it fits matters here."""
        if offset >= self.ds or length > self.ds or offset > self.ds - length:
            return
        if not self.data.has_thumbnail:
            self.data.has_thumbnail = True
            self.generation += 1


def load(block: bytes, *, fix: bool = True) -> ExifData:
    """Parse ``block`` as ``exif_data_load_data`` with libexif's default options.

    Returns an :class:`ExifData` that may be empty (libexif's silent failures);
    raises :class:`CorruptExif` only for IFD graphs too costly to walk.
    """
    data = ExifData()
    found = _locate_header(block)
    if found is None or len(found) < 14 or found[:6] != EXIF_HEADER:
        return data
    d = found[:MAX_BLOCK]
    ds = len(d)
    if d[6:8] == b"II":
        data.order = ByteOrder.INTEL
    elif d[6:8] == b"MM":
        data.order = ByteOrder.MOTOROLA
    else:
        return data
    loader = _Loader(data, d[6:])
    if loader.short(2) != 0x002A:
        return data
    offset = loader.long(4)
    if offset > ds or offset + 6 + 2 > ds:
        return data
    loader.content(Ifd.IFD0, offset, 0)
    n = loader.short(offset)
    if offset + 6 + 2 + 12 * n + 4 > ds:
        return data
    offset = loader.long(offset + 2 + 12 * n)
    if offset and offset <= ds - 6:
        loader.content(Ifd.IFD1, offset, 0)
    if fix:
        fix_data(data)
    return data


def fix_data(data: ExifData) -> None:
    """``exif_data_fix``: fix each entry, drop IFD1 without a thumbnail, add mandatory tags."""
    for ifd in Ifd:
        entries = data.ifds[ifd]
        if ifd == Ifd.IFD1 and not data.has_thumbnail:
            entries.clear()
            continue
        for entry in entries:
            values.fix_entry(entry)
        present = {entry.tag for entry in entries}
        for tag in tags.MANDATORY_TAGS[ifd]:
            if tag not in present:
                entries.append(values.initialize_entry(tag, ifd, data.order))
                present.add(tag)
