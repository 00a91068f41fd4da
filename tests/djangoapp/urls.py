"""One URL per way of serving a file."""

from __future__ import annotations

from django.conf import settings
from django.urls import path, re_path
from django.views.static import serve

from . import views

urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    path("files/<str:name>", views.file_response),
    path("private/<str:name>", views.private_file),
    path("token/<str:name>", views.token_file),
    path("stream/<str:name>", views.streamed_file),
    path("astream/<str:name>", views.async_streamed_file),
    path("bytes/<str:name>", views.bytes_file),
    path("tracked/<str:name>", views.tracked_file),
    path("moved/<str:name>", views.moved),
    path("broken/<str:name>", views.broken),
    path("broken-stream/<str:name>", views.broken_stream),
    path("renamed/<str:name>", views.renamed),
]
