"""The ``exif`` operation: libexif 0.6.24's view of an image's EXIF, in pure Python.

:func:`read_exif` is the whole pipeline: find the block in the container
(:mod:`.containers`), load it as libexif does (:mod:`.loader`), name and format each
entry (:mod:`.tags`, :mod:`.values`) into the answer (:mod:`.report`).
"""

from __future__ import annotations

from .report import read_exif

__all__ = ["read_exif"]
