"""System checks for the ``FOP_*`` settings and the middleware's place, with stable ids.

- ``fop_middleware.E001``: ``FOP_BACKENDS`` is not a mapping of operation to backend names.
- ``fop_middleware.E002``: ``FOP_BACKENDS`` names an unknown operation or backend.
- ``fop_middleware.E003``: ``FOP_MAX_BODY_BYTES`` is not a non-negative int.
- ``fop_middleware.E004``: ``FOP_SPOOL_MEMORY_BYTES`` is not a non-negative int.
- ``fop_middleware.E005``: ``FOP_TIMEOUT`` is not a positive number of seconds.
- ``fop_middleware.E006``: ``FOP_ISOLATION`` is not a known isolation.
- ``fop_middleware.E007``: ``FOP_MAX_EXTRACTIONS`` is neither None nor a positive int.
- ``fop_middleware.E008``: ``FOP_EXTRACTION_WAIT`` is not a non-negative number of seconds.
- ``fop_middleware.E009``: ``FOP_CACHE`` is not None or an alias of ``CACHES``.
- ``fop_middleware.E010``: ``FOP_REDACT`` is not a mapping of path prefix to ``gps``/``serial``/``thumbnail`` lists.
- ``fop_middleware.E011``: ``FOP_MAX_IMAGE_SIDE`` or ``FOP_MAX_IMAGE_PIXELS`` is not a positive int.
- ``fop_middleware.W001``: the middleware sits below WhiteNoise, which then answers first.
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .. import redact, registry
from ..supervisor import ISOLATIONS
from .cache import UNSET
from .conf import conf

MIDDLEWARE_PATH = "fop_middleware.django.middleware.DjangoFopMiddleware"
WHITENOISE_PATH = "whitenoise.middleware.WhiteNoiseMiddleware"


@register(Tags.compatibility)
def check_settings(app_configs: t.Any = None, **kwargs: t.Any) -> list[Error]:
    """Report each bad ``FOP_*`` value at startup instead of on the first request."""
    return settings_errors()


def settings_errors() -> list[Error]:
    """The errors in the current ``FOP_*`` settings (the middleware refuses to start on any)."""
    errors = _check_backends(conf.FOP_BACKENDS)
    for name, check_id in (("FOP_MAX_BODY_BYTES", "E003"), ("FOP_SPOOL_MEMORY_BYTES", "E004")):
        value = getattr(conf, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors.append(Error(f"{name} must be a non-negative int, not {value!r}.", id=f"fop_middleware.{check_id}"))
    timeout = conf.FOP_TIMEOUT
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        errors.append(Error(f"FOP_TIMEOUT must be a positive number of seconds, not {timeout!r}.", id="fop_middleware.E005"))
    if conf.FOP_ISOLATION not in ISOLATIONS:
        message = f"FOP_ISOLATION must be one of {', '.join(ISOLATIONS)}, not {conf.FOP_ISOLATION!r}."
        errors.append(Error(message, id="fop_middleware.E006"))
    slots = conf.FOP_MAX_EXTRACTIONS
    if slots is not None and (not isinstance(slots, int) or isinstance(slots, bool) or slots < 1):
        errors.append(Error(f"FOP_MAX_EXTRACTIONS must be None or a positive int, not {slots!r}.", id="fop_middleware.E007"))
    wait = conf.FOP_EXTRACTION_WAIT
    if not isinstance(wait, (int, float)) or isinstance(wait, bool) or wait < 0:
        errors.append(Error(f"FOP_EXTRACTION_WAIT must be a non-negative number of seconds, not {wait!r}.", id="fop_middleware.E008"))
    cache = conf.FOP_CACHE
    if cache is not UNSET and cache is not None and (not isinstance(cache, str) or cache not in (settings.CACHES or {})):
        errors.append(Error(f"FOP_CACHE must be None or an alias of CACHES, not {cache!r}.", hint='For example "default".', id="fop_middleware.E009"))
    try:
        redact.validate(conf.FOP_REDACT)
    except (TypeError, ValueError) as e:
        errors.append(Error(f"FOP_REDACT: {e}.", hint='For example {"/media/users/": ["gps", "serial"]}.', id="fop_middleware.E010"))
    for name in ("FOP_MAX_IMAGE_SIDE", "FOP_MAX_IMAGE_PIXELS"):
        value = getattr(conf, name)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            errors.append(Error(f"{name} must be a positive int, not {value!r}.", id="fop_middleware.E011"))
    return errors


def _check_backends(backends: t.Any) -> list[Error]:
    if backends is None:
        return []
    if not isinstance(backends, Mapping) or not all(_is_name_list(v) for v in backends.values()):
        return [
            Error(
                "FOP_BACKENDS must map an operation to a list of backend names.",
                hint='For example {"avinfo": ["ffprobe", "mediainfo"], "exif": ["libexif"]}.',
                id="fop_middleware.E001",
            )
        ]
    try:
        registry.validate_order(backends)
    except ValueError as e:
        return [Error(f"FOP_BACKENDS: {e}.", hint="`fop-middleware backends` lists the known ones.", id="fop_middleware.E002")]
    return []


def _is_name_list(value: t.Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)


@register(Tags.compatibility)
def check_middleware_order(app_configs: t.Any = None, **kwargs: t.Any) -> list[Warning]:
    """WhiteNoise answers static files itself, so a fop middleware below it never sees them."""
    middleware = list(getattr(settings, "MIDDLEWARE", None) or ())
    if MIDDLEWARE_PATH in middleware and WHITENOISE_PATH in middleware:
        if middleware.index(MIDDLEWARE_PATH) > middleware.index(WHITENOISE_PATH):
            return [
                Warning(
                    "DjangoFopMiddleware is below WhiteNoiseMiddleware, so ?exif and ?avinfo on static files get the file.",
                    hint=f"Put {MIDDLEWARE_PATH!r} above {WHITENOISE_PATH!r} in MIDDLEWARE.",
                    id="fop_middleware.W001",
                )
            ]
    return []
