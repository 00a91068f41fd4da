"""Which backends answer which operation, in what order.

Built-ins are listed by dotted path and imported only when first used, so an optional
library that is not installed costs nothing. Third-party packages add backends through
the ``fop_middleware.extractors`` entry-point group (``name = "package.module:Class"``).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import typing as t

from .errors import ExtractorFailure
from .extractor import OPERATIONS, Availability, Extractor

logger = logging.getLogger("fop_middleware")

ENTRY_POINT_GROUP = "fop_middleware.extractors"

#: name -> (dotted path, what to install when it cannot be imported). Kept sorted.
BUILTIN_BACKENDS: dict[str, tuple[str, str]] = {
    "ffprobe": ("fop_middleware.backends.ffprobe:FfprobeExtractor", "apt-get install ffmpeg"),
    "libexif": ("fop_middleware.backends.libexif:LibexifExtractor", "reinstall fop-middleware"),
    "mediainfo": ("fop_middleware.backends.mediainfo:MediainfoExtractor", "pip install pymediainfo"),
    "pillow-ave": ("fop_middleware.backends.pillow:PillowAveExtractor", "pip install pillow"),
    "pillow-info": ("fop_middleware.backends.pillow:PillowInfoExtractor", "pip install pillow"),
    "pyav": ("fop_middleware.backends.pyav:PyavExtractor", "pip install av"),
}

#: The order tried when none is configured; the README says why.
DEFAULT_ORDER: dict[str, tuple[str, ...]] = {
    "avinfo": ("pyav", "ffprobe", "mediainfo"),
    "exif": ("libexif",),
    "imageAve": ("pillow-ave",),
    "imageInfo": ("pillow-info",),
}

#: name -> (dotted path or the class itself, install hint).
_registry: dict[str, tuple[str | type[Extractor], str]] = dict(BUILTIN_BACKENDS)
_instances: dict[str, Extractor] = {}
_entry_points_loaded = False


class UnknownBackend(ValueError):
    """A configured backend name that nothing registered."""


def register(name: str, target: str | type[Extractor], *, clobber: bool = False, hint: str = "") -> None:
    """Register a backend class (or its ``"module:Class"`` path) under ``name``.

    Re-registering a name raises :class:`ValueError` unless ``clobber`` is true.
    """
    if name in _registry and not clobber:
        raise ValueError(f"backend {name!r} is already registered; pass clobber=True to replace it")
    if not isinstance(target, str) and not (isinstance(target, type) and issubclass(target, Extractor)):
        raise TypeError(f"{target!r} is not an Extractor subclass")
    # A class is kept as is: one defined in a function or in __main__ cannot be re-imported.
    _registry[name] = (target, hint)
    _instances.pop(name, None)


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in _registry:
            logger.warning("entry point %s ignored: backend %r already registered", ep.value, ep.name)
            continue
        _registry[ep.name] = (ep.value, f"reinstall the package that provides {ep.value}")


def registered_names() -> list[str]:
    """Every registered backend name, sorted."""
    _load_entry_points()
    return sorted(_registry)


def _import(target: str | type[Extractor]) -> type[Extractor]:
    if isinstance(target, type):
        return target
    module_name, _, attr = target.partition(":")
    obj = getattr(importlib.import_module(module_name), attr)
    if not (isinstance(obj, type) and issubclass(obj, Extractor)):
        raise TypeError(f"{target} is not an Extractor subclass")
    return obj


def get_backend(name: str) -> Extractor:
    """The (cached) instance of backend ``name``.

    :raises UnknownBackend: nothing is registered under ``name``.
    :raises ImportError: its module or library cannot be imported.
    """
    _load_entry_points()
    if name in _instances:
        return _instances[name]
    if name not in _registry:
        raise UnknownBackend(f"unknown backend {name!r}; known: {', '.join(sorted(_registry))}")
    instance = _import(_registry[name][0])()
    _instances[name] = instance
    return instance


def availability(name: str) -> Availability:
    """Whether backend ``name`` can run here, and why not; never raises."""
    try:
        return get_backend(name).availability()
    except UnknownBackend as e:
        return Availability(False, str(e))
    except ImportError as e:
        hint = _registry.get(name, ("", ""))[1]
        logger.debug("backend %r cannot be imported", name, exc_info=True)
        return Availability(False, f"not installed: {e} ({hint})" if hint else f"not installed: {e}")
    except Exception as e:  # a broken plugin must not break the others
        hint = _registry.get(name, ("", ""))[1]
        logger.warning("backend %r failed to load", name, exc_info=True)
        reason = f"cannot load: {type(e).__name__}: {e}"
        return Availability(False, f"{reason} ({hint})" if hint else reason)


def operation_of(name: str) -> str | None:
    """The operation backend ``name`` answers, or None if it cannot be loaded."""
    try:
        return get_backend(name).operation
    except Exception:
        return None


def validate_order(order: t.Mapping[str, t.Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    """Check a per-operation backend order at configuration time and fill in defaults.

    :raises ValueError: an unknown operation or backend name.
    """
    result = dict(DEFAULT_ORDER)
    for op, names in (order or {}).items():
        if op not in OPERATIONS:
            raise ValueError(f"unknown operation {op!r}; expected one of {', '.join(OPERATIONS)}")
        if isinstance(names, str):
            names = [names]
        names = tuple(names)
        if not names:
            raise ValueError(f"no backend configured for {op!r}")
        known = registered_names()
        for name in names:
            if name not in known:
                raise UnknownBackend(f"unknown backend {name!r} for {op!r}; known: {', '.join(known)}")
            answers = operation_of(name)
            if answers is not None and answers != op:
                raise ValueError(f"backend {name!r} answers {answers!r}, not {op!r}")
        result[op] = names
    return result


def available_backends(names: t.Iterable[str]) -> list[Extractor]:
    """The backends among ``names`` that can run here, in order."""
    backends = []
    for name in names:
        status = availability(name)
        if status.ok:
            backends.append(get_backend(name))
        else:
            logger.debug("backend %r unavailable: %s", name, status.reason)
    return backends


def require_backends(op: str, names: t.Sequence[str]) -> list[Extractor]:
    """Like :func:`available_backends`, but a 599 when none of them can run."""
    backends = available_backends(names)
    if not backends:
        logger.error("no available backend for %s among %s", op, ", ".join(names))
        raise ExtractorFailure(f"no backend available for {op}")
    return backends
