"""The app config that registers the system checks."""

from __future__ import annotations

from django.apps import AppConfig


class FopMiddlewareConfig(AppConfig):
    """``INSTALLED_APPS = [..., "fop_middleware.django"]`` turns on the ``fop_middleware.*`` checks."""

    name = "fop_middleware.django"
    label = "fop_middleware"
    verbose_name = "fop-middleware"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks on import)
