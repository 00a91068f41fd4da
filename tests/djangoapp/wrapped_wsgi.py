"""``gunicorn djangoapp.wrapped_wsgi``: the whole Django WSGI app behind the plain ``FopMiddleware``."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from fop_middleware import FopMiddleware

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djangoapp.settings_plain")

application = FopMiddleware(get_wsgi_application())
