"""``FOP_CACHE``: answers kept in one of the project's ``CACHES``, a real Redis behind Django's RedisCache."""

from __future__ import annotations

import os
import pathlib
import typing as t

import pytest

pytest.importorskip("django", reason="Django is not installed (extra [django])")
pytest.importorskip("whitenoise", reason="WhiteNoise is not installed (extra [test])")
pytest.importorskip("redis", reason="redis-py is not installed (extra [redis])")

os.environ["DJANGO_SETTINGS_MODULE"] = "djangoapp.settings"

import django  # noqa: E402

django.setup()

# The urlconf reads MEDIA_ROOT when first imported; import it before the tests override that.
import djangoapp.urls  # noqa: E402,F401
from cachesupport import Counting, needs_redis, redis_server  # noqa: E402
from conftest import FILES  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from fop_middleware.cache import LRUStore  # noqa: E402
from fop_middleware.django.cache import DjangoCacheStore  # noqa: E402
from fop_middleware.django.checks import check_settings  # noqa: E402
from fop_middleware.django.middleware import DjangoFopMiddleware  # noqa: E402

JPEG = (FILES / "photo.jpg").read_bytes()
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def redis_caches(url: str) -> dict[str, t.Any]:
    # Short socket time-outs, as the README advises: a hung Redis then costs 0.1 s, not a request.
    options = {"socket_timeout": 0.1, "socket_connect_timeout": 0.1}
    return {"default": LOCMEM, "fop": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "OPTIONS": options}}


def test_unset_is_an_lru_per_process_and_none_turns_it_off() -> None:
    middleware = DjangoFopMiddleware(lambda request: HttpResponse())
    answers = middleware.core().answers
    assert answers is not None and isinstance(answers.store, LRUStore)
    with override_settings(FOP_CACHE=None):
        assert middleware.core().answers is None
    with override_settings(CACHES={"default": LOCMEM}, FOP_CACHE="default"):
        answers = middleware.core().answers
        assert answers is not None and answers.store == DjangoCacheStore("default")
        assert middleware.core() is middleware.core()  # not rebuilt on every request


@pytest.mark.parametrize("value", [pytest.param("nope", id="unknown-alias"), pytest.param(3, id="not-a-string")])
def test_bad_fop_cache_is_a_system_check_error(value: t.Any) -> None:
    with override_settings(FOP_CACHE=value):
        assert [e.id for e in check_settings()] == ["fop_middleware.E009"]
        with pytest.raises(ImproperlyConfigured):
            DjangoFopMiddleware(lambda request: HttpResponse())


def test_a_locmem_alias_caches_the_answer(counting: type[Counting], tmp_path: pathlib.Path) -> None:
    (tmp_path / "a.jpg").write_bytes(JPEG)
    with override_settings(CACHES={"default": LOCMEM}, FOP_CACHE="default", FOP_BACKENDS={"exif": ["test-counting"]}, MEDIA_ROOT=tmp_path):
        client = Client()
        assert [client.get("/files/a.jpg?exif").status_code for _ in range(3)] == [200] * 3
    assert counting.calls == ["a.jpg"]


@needs_redis
def test_workers_share_answers_through_djangos_redis_cache(counting: type[Counting], tmp_path: pathlib.Path) -> None:
    path = tmp_path / "a.jpg"
    path.write_bytes(JPEG)
    with redis_server() as redis:
        settings = {"CACHES": redis_caches(redis.url), "FOP_CACHE": "fop", "FOP_BACKENDS": {"exif": ["test-counting"]}, "MEDIA_ROOT": tmp_path}
        with override_settings(**settings):
            # Each test client builds its own middleware chain: two workers.
            first, second = Client(), Client()
            a, b = first.get("/files/a.jpg?exif"), second.get("/files/a.jpg?exif")
            assert a.status_code == b.status_code == 200 and a.content == b.content
            assert counting.calls == ["a.jpg"]
            assert [b":fop:" in k for k in redis.client().keys("*")] == [True]

            path.write_bytes(JPEG + b"\0" * 5)
            os.utime(path, ns=(1_800_000_000_000_000_000,) * 2)
            assert second.get("/files/a.jpg?exif").json()["size"] == len(JPEG) + 5
            assert first.get("/files/a.jpg?exif").json()["size"] == len(JPEG) + 5
            assert len(counting.calls) == 2

            redis.stop()
            replies = [first.get("/files/a.jpg?exif") for _ in range(3)]
            assert [r.status_code for r in replies] == [200] * 3
            assert all(r.json()["size"] == len(JPEG) + 5 for r in replies)
