"""The ``pillow-info`` (``?imageInfo``) and ``pillow-ave`` (``?imageAve``) backends.

Pillow opens an image by reading its headers only, which is all ``imageInfo`` needs; the
colour model is named as the service's Go decoders name it (:mod:`.models`), from header
details Pillow does not expose (:mod:`.headers`). ``imageAve`` decodes, so it checks the
size against the request's limits first (:mod:`.opening`).
"""

from __future__ import annotations

import typing as t

from ...extractor import Extractor
from .ave import average_colour
from .info import image_info
from .opening import is_image_head

if t.TYPE_CHECKING:
    from ...extractor import Source


class PillowInfoExtractor(Extractor):
    """``?imageInfo`` from the headers: size, format, width, height, colour model, frames, orientation.

    Usage::

        from fop_middleware.registry import get_backend
        get_backend("pillow-info").extract(source)   # {"size": 1024, "format": "jpeg", ...}
    """

    name = "pillow-info"
    operation = "imageInfo"

    def accepts(self, head: bytes) -> bool:
        return is_image_head(head)

    def extract(self, source: Source) -> dict[str, t.Any]:
        return image_info(source)


class PillowAveExtractor(Extractor):
    """``?imageAve``: the average colour, refusing images over ``Source.max_image_*`` with a 400.

    Usage::

        get_backend("pillow-ave").extract(source)   # {"RGB": "0x8a7f6c"}
    """

    name = "pillow-ave"
    operation = "imageAve"

    def accepts(self, head: bytes) -> bool:
        return is_image_head(head)

    def extract(self, source: Source) -> dict[str, t.Any]:
        return average_colour(source)


__all__ = ["PillowAveExtractor", "PillowInfoExtractor"]
