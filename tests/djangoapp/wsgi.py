"""``gunicorn djangoapp.wsgi`` (with ``tests/`` on the path): Django with ``DjangoFopMiddleware``."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djangoapp.settings")

application = get_wsgi_application()
