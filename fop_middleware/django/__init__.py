"""Django integration: ``DjangoFopMiddleware`` for ``MIDDLEWARE``, ``FOP_*`` settings, system checks.

Add ``"fop_middleware.django.middleware.DjangoFopMiddleware"`` to ``MIDDLEWARE`` above any
middleware that serves files (WhiteNoise), and ``"fop_middleware.django"`` to
``INSTALLED_APPS`` for the system checks.
"""

from __future__ import annotations
