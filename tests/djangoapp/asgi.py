"""``uvicorn djangoapp.asgi:application`` (with ``tests/`` on the path): the test project under ASGI.

``DJANGO_SETTINGS_MODULE`` picks the variant: ``djangoapp.settings`` (WhiteNoise below
``DjangoFopMiddleware``, which so runs sync), ``djangoapp.settings_async`` (only async-capable
middleware below it, so it runs async) or ``djangoapp.settings_plain`` (no fop at all).
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djangoapp.settings")

application = get_asgi_application()
