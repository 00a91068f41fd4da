"""Answers shared through a real ``redis-server``: cachelib by URL, a Redis that dies or hangs, two gunicorns."""

from __future__ import annotations

import concurrent.futures
import os
import pathlib
import shutil
import threading
import time
import typing as t

import pytest

pytest.importorskip("cachelib", reason="cachelib is not installed (extra [redis])")
pytest.importorskip("redis", reason="redis-py is not installed (extra [redis])")

from cachelib import RedisCache  # noqa: E402
from cachesupport import (  # noqa: E402
    COUNT_FILE_ENV,
    Counting,
    RedisServer,
    needs_redis,
    redis_server,
)
from conftest import FILES, send_file_app  # noqa: E402
from servers import ROOT, gunicorn, wsgi_server  # noqa: E402
from werkzeug.test import Client  # noqa: E402

from fop_middleware import FopMiddleware  # noqa: E402

pytestmark = needs_redis

JPEG = (FILES / "photo.jpg").read_bytes()


@pytest.fixture
def redis() -> t.Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture
def site(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "a.jpg").write_bytes(JPEG)
    return tmp_path


def fop_keys(redis: RedisServer) -> list[bytes]:
    return sorted(redis.client().keys("*fop:*"))


def test_a_redis_url_shares_answers_between_two_middlewares(counting: type[Counting], redis: RedisServer, site: pathlib.Path) -> None:
    """Two processes' worth of middleware, each with its own client, one Redis."""
    first = Client(FopMiddleware(send_file_app(site), backends={"exif": ["test-counting"]}, cache=redis.url))
    second = Client(FopMiddleware(send_file_app(site), backends={"exif": ["test-counting"]}, cache=redis.url))
    a, b = first.get("/a.jpg?exif"), second.get("/a.jpg?exif")
    assert a.status_code == b.status_code == 200 and a.get_data() == b.get_data()
    assert counting.calls == ["a.jpg"]
    assert len(fop_keys(redis)) == 1


def test_a_cachelib_object_is_used_as_given(counting: type[Counting], redis: RedisServer, site: pathlib.Path) -> None:
    cache = RedisCache(host="127.0.0.1", port=redis.port, key_prefix="site1:")
    client = Client(FopMiddleware(send_file_app(site), backends={"exif": ["test-counting"]}, cache=cache))
    assert [client.get("/a.jpg?exif").status_code for _ in range(3)] == [200] * 3
    assert len(counting.calls) == 1
    assert [k.startswith(b"site1:fop:") for k in redis.client().keys("*")] == [True]


def test_changing_the_file_changes_the_answer_on_the_next_request(counting: type[Counting], redis: RedisServer, site: pathlib.Path) -> None:
    client = Client(FopMiddleware(send_file_app(site), backends={"exif": ["test-counting"]}, cache=redis.url))
    path = site / "a.jpg"
    os.utime(path, ns=(1_700_000_000_000_000_000,) * 2)
    assert client.get("/a.jpg?exif").json["size"] == len(JPEG)
    path.write_bytes(JPEG + b"\0" * 7)
    os.utime(path, ns=(1_700_000_000_000_000_000,) * 2)  # new bytes, old mtime: the size tells
    assert client.get("/a.jpg?exif").json["size"] == len(JPEG) + 7
    path.write_bytes(JPEG + b"\1" * 7)
    os.utime(path, ns=(1_700_000_000_000_000_001,) * 2)  # same size, 1 ns newer
    assert client.get("/a.jpg?exif").json["size"] == len(JPEG) + 7
    assert client.get("/a.jpg?exif").json["size"] == len(JPEG) + 7
    assert len(counting.calls) == 3


def test_stopping_redis_mid_load_fails_no_request(counting: type[Counting], redis: RedisServer, site: pathlib.Path) -> None:
    app = FopMiddleware(send_file_app(site), backends={"exif": ["test-counting"]}, cache=redis.url)
    statuses: list[int] = []
    bodies: set[bytes] = set()
    stop = threading.Event()

    with wsgi_server(app) as server:
        expected = server.get("/a.jpg?exif")
        assert expected.status == 200

        def load() -> None:
            while not stop.is_set():
                reply = server.get("/a.jpg?exif")
                statuses.append(reply.status)
                bodies.add(reply.body)

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(load) for _ in range(4)]
            time.sleep(0.5)
            served_with_redis = len(statuses)
            redis.stop()
            time.sleep(1.0)
            stop.set()
            for f in futures:
                f.result()
    assert served_with_redis > 0 and len(statuses) > served_with_redis
    assert set(statuses) == {200}
    assert bodies == {expected.body}


def test_a_hung_redis_costs_a_short_time_out_not_a_failure(counting: type[Counting], redis: RedisServer, site: pathlib.Path) -> None:
    client = Client(FopMiddleware(send_file_app(site), backends={"exif": ["test-counting"]}, cache=redis.url))
    assert client.get("/a.jpg?exif").status_code == 200
    redis.pause()
    try:
        start = time.monotonic()
        replies = [client.get("/a.jpg?exif") for _ in range(5)]
        elapsed = time.monotonic() - start
    finally:
        redis.resume()
    assert [r.status_code for r in replies] == [200] * 5
    # One socket time-out (0.1 s), then the store is left alone for a while.
    assert elapsed < 2.0, elapsed
    assert len(counting.calls) == 1 + 5


def test_two_gunicorns_share_answers_through_redis(redis: RedisServer, tmp_path: pathlib.Path) -> None:
    """Two hosts: each its own copy of the file (another inode), same URL path, size and mtime."""
    hosts = [tmp_path / "host1", tmp_path / "host2"]
    hosts[0].mkdir()
    original = hosts[0] / "a.jpg"
    original.write_bytes(JPEG)
    shutil.copytree(hosts[0], hosts[1])  # copy2 keeps the mtime to the nanosecond
    assert os.stat(original).st_ino != os.stat(hosts[1] / "a.jpg").st_ino
    count_file = tmp_path / "extractions.txt"
    count_file.touch()

    def serve(root: pathlib.Path) -> t.ContextManager[t.Any]:
        env = {"FOP_TEST_ROOT": str(root), "FOP_TEST_REDIS": redis.url, COUNT_FILE_ENV: str(count_file), "PYTHONPATH": str(ROOT / "tests")}
        return gunicorn("cache_app:app", "--workers", "2", env=env)

    with serve(hosts[0]) as first, serve(hosts[1]) as second:
        replies = [server.get("/a.jpg?exif") for server in (first, second, second, first)]
        assert [r.status for r in replies] == [200] * 4
        assert len({r.body for r in replies}) == 1
        assert len(count_file.read_text().splitlines()) == 1
        for host in hosts:  # a new version deployed on both hosts
            (host / "a.jpg").write_bytes(JPEG + b"\0")
            os.utime(host / "a.jpg", ns=(1_800_000_000_000_000_000,) * 2)
        assert second.get("/a.jpg?exif").json()["size"] == len(JPEG) + 1
        assert first.get("/a.jpg?exif").json()["size"] == len(JPEG) + 1
        assert len(count_file.read_text().splitlines()) == 2


def test_flask_fop_cache_takes_a_redis_url(counting: type[Counting], redis: RedisServer, site: pathlib.Path) -> None:
    flask = pytest.importorskip("flask", reason="Flask is not installed (extra [flask])")
    from fop_middleware.flask import FlaskFop

    app = flask.Flask(__name__)
    app.config.update(FOP_CACHE=redis.url, FOP_BACKENDS={"exif": ["test-counting"]})
    app.add_url_rule("/media/<name>", view_func=lambda name: flask.send_from_directory(site, name))
    FlaskFop(app)
    client = app.test_client()
    assert [client.get("/media/a.jpg?exif").status_code for _ in range(3)] == [200] * 3
    assert counting.calls == ["a.jpg"] and len(fop_keys(redis)) == 1


def test_pyramid_fop_cache_setting(counting: type[Counting], redis: RedisServer) -> None:
    pytest.importorskip("pyramid", reason="Pyramid is not installed (extra [pyramid])")
    from test_pyramid import make_app

    from fop_middleware.pyramid import core_options

    assert core_options({"fop.cache": "off"})["cache"] is None
    assert core_options({})["cache"] == "memory"
    client = Client(make_app({"fop.cache": f" {redis.url} ", "fop.backends": "exif = test-counting"}))
    assert [client.get("/iter/photo.jpg?exif").status_code for _ in range(3)] == [200] * 3
    assert counting.calls == ["photo.jpg"] and len(fop_keys(redis)) == 1
