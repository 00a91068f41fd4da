"""The ``FOP_*`` settings, read on every access so that ``override_settings`` just works."""

from __future__ import annotations

import typing as t

from django.conf import settings

from ..body import DEFAULT_SPOOL_MEMORY
from ..core import DEFAULT_MAX_BODY_BYTES
from ..extractor import DEFAULT_MAX_IMAGE_PIXELS, DEFAULT_MAX_IMAGE_SIDE, DEFAULT_TIMEOUT
from ..limit import DEFAULT_WAIT
from .cache import UNSET, cache_option


class Settings:
    """One property per setting, each with the same default as :class:`~fop_middleware.FopMiddleware`."""

    @property
    def FOP_BACKENDS(self) -> t.Mapping[str, t.Sequence[str]] | None:
        return getattr(settings, "FOP_BACKENDS", None)

    @property
    def FOP_MAX_BODY_BYTES(self) -> int:
        return getattr(settings, "FOP_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)

    @property
    def FOP_SPOOL_MEMORY_BYTES(self) -> int:
        return getattr(settings, "FOP_SPOOL_MEMORY_BYTES", DEFAULT_SPOOL_MEMORY)

    @property
    def FOP_TIMEOUT(self) -> float:
        return getattr(settings, "FOP_TIMEOUT", DEFAULT_TIMEOUT)

    @property
    def FOP_ISOLATION(self) -> str:
        return getattr(settings, "FOP_ISOLATION", "process")

    @property
    def FOP_MAX_EXTRACTIONS(self) -> int | None:
        return getattr(settings, "FOP_MAX_EXTRACTIONS", None)

    @property
    def FOP_EXTRACTION_WAIT(self) -> float:
        return getattr(settings, "FOP_EXTRACTION_WAIT", DEFAULT_WAIT)

    @property
    def FOP_CACHE(self) -> t.Any:
        """A ``CACHES`` alias, or None for no cache; unset, an LRU in each process."""
        return getattr(settings, "FOP_CACHE", UNSET)

    @property
    def FOP_REDACT(self) -> t.Mapping[str, t.Sequence[str]] | None:
        return getattr(settings, "FOP_REDACT", None)

    @property
    def FOP_MAX_IMAGE_SIDE(self) -> int:
        return getattr(settings, "FOP_MAX_IMAGE_SIDE", DEFAULT_MAX_IMAGE_SIDE)

    @property
    def FOP_MAX_IMAGE_PIXELS(self) -> int:
        return getattr(settings, "FOP_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS)

    def core_options(self) -> dict[str, t.Any]:
        """The keyword arguments of :class:`~fop_middleware.core.FopCore`."""
        return {
            "backends": self.FOP_BACKENDS,
            "max_body_bytes": self.FOP_MAX_BODY_BYTES,
            "spool_memory_bytes": self.FOP_SPOOL_MEMORY_BYTES,
            "timeout": self.FOP_TIMEOUT,
            "isolation": self.FOP_ISOLATION,
            "max_extractions": self.FOP_MAX_EXTRACTIONS,
            "extraction_wait": self.FOP_EXTRACTION_WAIT,
            "cache": cache_option(self.FOP_CACHE),
            "redact": self.FOP_REDACT,
            "max_image_side": self.FOP_MAX_IMAGE_SIDE,
            "max_image_pixels": self.FOP_MAX_IMAGE_PIXELS,
        }


conf = Settings()
