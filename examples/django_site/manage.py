#!/usr/bin/env python
"""The demo Django project's manage.py.

Run:  python examples/django_site/manage.py runserver      (or, from examples/django_site/: gunicorn demo.wsgi)
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
