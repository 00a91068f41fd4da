"""/static/ (WhiteNoise), /media/ (``django.views.static.serve``), and the views in ``views.py``."""

from __future__ import annotations

from django.conf import settings
from django.urls import path, re_path
from django.views.static import serve

from . import views

urlpatterns = [
    # static() would add this only with DEBUG; the demo serves media either way.
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    path("files/<str:name>", views.media_file),
    path("private/<str:name>", views.private_file),
    path("stream/<str:name>", views.streamed_file),
]
