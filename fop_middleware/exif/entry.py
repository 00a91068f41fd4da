"""One EXIF entry as libexif holds it (``ExifEntry``), shared by the loader and the formatter."""

from __future__ import annotations

import dataclasses
import enum


class Ifd(enum.IntEnum):
    """libexif's ``ExifIfd`` numbering."""

    IFD0 = 0
    IFD1 = 1
    EXIF = 2
    GPS = 3
    INTEROPERABILITY = 4


class Format(enum.IntEnum):
    """TIFF field types (libexif's ``ExifFormat``); the ``type`` of each answer entry."""

    BYTE = 1
    ASCII = 2
    SHORT = 3
    LONG = 4
    RATIONAL = 5
    SBYTE = 6
    UNDEFINED = 7
    SSHORT = 8
    SLONG = 9
    SRATIONAL = 10
    FLOAT = 11
    DOUBLE = 12


#: Bytes per component of each format (``exif_format_get_size``); 0 for unknown formats.
FORMAT_SIZE: dict[int, int] = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}


class ByteOrder(enum.IntEnum):
    """libexif's ``ExifByteOrder``; the value is the ``struct`` prefix via :attr:`prefix`."""

    MOTOROLA = 0
    INTEL = 1

    @property
    def prefix(self) -> str:
        return ">" if self is ByteOrder.MOTOROLA else "<"


@dataclasses.dataclass(slots=True)
class ExifEntry:
    """An entry as loaded: raw ``data`` of ``components`` items of ``format``, in ``order``."""

    tag: int
    format: int
    components: int
    data: bytes
    ifd: Ifd
    order: ByteOrder = ByteOrder.MOTOROLA
