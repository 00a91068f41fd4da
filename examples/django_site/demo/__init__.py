"""A Django project serving ``examples/media/`` with ``?exif`` and ``?avinfo`` (see ``../manage.py``)."""

from __future__ import annotations
