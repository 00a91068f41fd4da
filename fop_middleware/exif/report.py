"""Turn loaded EXIF into the answer: ``{name: {"val": str, "type": int}}``, sorted keys.

As the reference program prints it: IFD0, EXIF, GPS and Interoperability entries under
their libexif name (the first of a name wins, in that order), IFD1 entries under
``thumbnail:<name>``, keys in byte order.
"""

from __future__ import annotations

import typing as t

from ..errors import NoExifData
from . import tags, values
from .containers import exif_data
from .entry import Ifd

if t.TYPE_CHECKING:
    from typing import BinaryIO

    from .loader import ExifData

MAIN_IFDS = (Ifd.IFD0, Ifd.EXIF, Ifd.GPS, Ifd.INTEROPERABILITY)
THUMBNAIL_PREFIX = "thumbnail:"


def answer(data: ExifData) -> dict[str, dict[str, t.Any]]:
    """The JSON-ready answer for ``data``; empty when no entry has a name."""
    ifd0 = data.ifds[Ifd.IFD0]
    found: dict[str, dict[str, t.Any]] = {}
    for ifd in (*MAIN_IFDS, Ifd.IFD1):
        prefix = THUMBNAIL_PREFIX if ifd == Ifd.IFD1 else ""
        for entry in data.ifds[ifd]:
            name = tags.name_in_ifd(entry.tag, ifd)
            if name is None or prefix + name in found:
                continue
            found[prefix + name] = {"val": values.get_value(entry, ifd0=ifd0), "type": entry.format}
    return {key: found[key] for key in sorted(found, key=lambda k: k.encode("utf-8"))}


def read_exif(stream: BinaryIO) -> dict[str, dict[str, t.Any]]:
    """The ``exif`` answer for an image stream.

    :raises NoExifData: the file holds no EXIF libexif would show.
    :raises BadRequest: the EXIF structure is too corrupt to walk safely.
    """
    result = answer(exif_data(stream))
    if not result:
        raise NoExifData()
    return result
