"""``DjangoFopMiddleware`` in async mode, in process through Django's ``AsyncClient`` (ASGI handler)."""

from __future__ import annotations

import asyncio
import os
import threading
import typing as t
import warnings

import pytest

pytest.importorskip("django", reason="Django is not installed (extra [django])")

os.environ["DJANGO_SETTINGS_MODULE"] = "djangoapp.settings"

import django  # noqa: E402

django.setup()

from asgiref.sync import iscoroutinefunction  # noqa: E402
from django.core.signals import request_finished  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import AsyncClient, override_settings  # noqa: E402

from djangoapp import settings_async, views  # noqa: E402
from fop_middleware import registry  # noqa: E402
from fop_middleware.django.middleware import DjangoFopMiddleware  # noqa: E402
from fop_middleware.extractor import Extractor, Source  # noqa: E402
from servers import Reply, assert_fop_answer, plain_answer  # noqa: E402

NAMES = ["photo.jpg?exif", "movie.mp4?avinfo", "plain.png?exif", "missing.jpg?exif"]

async_stack = override_settings(MIDDLEWARE=settings_async.MIDDLEWARE)


def get(path: str, method: str = "GET") -> Reply:
    """One request through Django's ASGI handler with only async-capable middleware."""

    async def go() -> t.Any:
        client = AsyncClient(raise_request_exception=False)
        return await (client.head(path) if method == "HEAD" else client.get(path))

    with async_stack:
        response = asyncio.run(go())
    assert not response.streaming, "a fop answer is never streamed"
    return Reply(response.status_code, response.headers, response.content)


def test_async_capable_and_async_when_the_next_one_is() -> None:
    async def async_next(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    def sync_next(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    assert DjangoFopMiddleware.sync_capable and DjangoFopMiddleware.async_capable
    assert iscoroutinefunction(DjangoFopMiddleware(async_next))
    assert not iscoroutinefunction(DjangoFopMiddleware(sync_next))


@pytest.mark.parametrize("prefix", ["/media", "/files", "/stream", "/astream", "/bytes"])
@pytest.mark.parametrize("name", NAMES)
def test_answers_like_the_wsgi_middleware(prefix: str, name: str) -> None:
    assert_fop_answer(get(f"{prefix}/{name}"), plain_answer(f"/{name}"))


def test_async_body_is_read_on_the_loop_not_listed_by_django() -> None:
    with warnings.catch_warnings():
        # Django warns when it falls back to listing an async body from a sync thread.
        warnings.filterwarnings("error", message=".*asynchronous iterators.*")
        assert_fop_answer(get("/astream/movie.mp4?avinfo"), plain_answer("/movie.mp4?avinfo"))


def test_head_and_errors() -> None:
    assert_fop_answer(get("/files/photo.jpg?exif", "HEAD"), plain_answer("/photo.jpg?exif"), head=True)
    assert get("/broken/photo.jpg?exif").json() == {"code": 500, "error": "server error"}
    assert get("/token/photo.jpg?exif&token=no").json() == {"code": 403, "error": "forbidden"}
    moved = get("/moved/photo.jpg?exif")
    assert (moved.status, moved.header("Location")) == (302, "/files/photo.jpg")


def test_file_closed_once_and_request_finished_once() -> None:
    finished: list[object] = []

    def count(sender: object, **kwargs: object) -> None:
        finished.append(sender)

    views.TRACKED.clear()
    request_finished.connect(count)
    try:
        assert get("/tracked/movie.mp4?avinfo").status == 200
    finally:
        request_finished.disconnect(count)
    assert [f.closes for f in views.TRACKED] == [1]
    assert len(finished) == 1


class WhereExtractor(Extractor):
    """Answers where it ran: on an event loop's thread or not."""

    name = "django-where"
    operation = "exif"

    def extract(self, source: Source) -> dict[str, t.Any]:
        try:
            asyncio.get_running_loop()
            on_loop = True
        except RuntimeError:
            on_loop = False
        return {"on_loop": on_loop, "main_thread": threading.current_thread() is threading.main_thread(), "file": source.path is not None}


@pytest.mark.parametrize(("prefix", "file"), [("/files", True), ("/stream", False), ("/astream", False)])
def test_backend_runs_in_a_worker_thread_not_on_the_loop(clean_registry: None, prefix: str, file: bool) -> None:
    registry.register(WhereExtractor.name, WhereExtractor)
    with override_settings(FOP_BACKENDS={"exif": [WhereExtractor.name]}):
        answer = get(f"{prefix}/photo.jpg?exif").json()
    assert answer == {"on_loop": False, "main_thread": False, "file": file}
