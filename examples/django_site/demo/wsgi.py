"""The WSGI entry point: ``gunicorn demo.wsgi`` from ``examples/django_site/``."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")

application = get_wsgi_application()
