"""A tiny Django project for ``tests/test_django.py``: each way a Django site serves a file."""

from __future__ import annotations
