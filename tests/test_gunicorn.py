"""``examples/gunicorn_static.py`` (WhiteNoise wrapped by FopMiddleware) under real gunicorn workers."""

from __future__ import annotations

import gzip
import importlib.util
import pathlib
import time
import typing as t
import wsgiref.util

import pytest

pytest.importorskip("whitenoise", reason="WhiteNoise is not installed (extra [test])")

from werkzeug.test import Client, create_environ  # noqa: E402

from fop_middleware import FopMiddleware  # noqa: E402
from servers import MEDIA, ROOT, Server, assert_fop_answer, gunicorn, plain_answer  # noqa: E402

SENDFILE_CONF = str(pathlib.Path(__file__).with_name("gunicorn_sendfile_conf.py"))


def load_example(name: str) -> t.Any:
    spec = importlib.util.spec_from_file_location(f"example_{name}", ROOT / "examples" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_plain_request_returns_the_apps_own_file_wrapper() -> None:
    """gunicorn uses sendfile only for an instance of its ``wsgi.file_wrapper``: it must get WhiteNoise's own."""
    example = load_example("gunicorn_static")
    returned: list[t.Any] = []

    def recording(environ: t.Any, start_response: t.Any) -> t.Any:
        returned.append(example.app.app(environ, start_response))
        return returned[-1]

    environ = create_environ("/photo.jpg")
    environ["wsgi.file_wrapper"] = wsgiref.util.FileWrapper
    statuses: list[str] = []
    result = FopMiddleware(recording)(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        assert result is returned[0]
        assert isinstance(result, wsgiref.util.FileWrapper)
        assert statuses == ["200 OK"]
        assert b"".join(result) == (MEDIA / "photo.jpg").read_bytes()
    finally:
        result.close()  # type: ignore[attr-defined]


def test_fop_request_gets_the_identity_file_not_a_compressed_variant(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """WhiteNoise serves ``photo.jpg.gz`` to a gzip client; a fop request must read ``photo.jpg``."""
    data = (MEDIA / "photo.jpg").read_bytes()
    (tmp_path / "photo.jpg").write_bytes(data)
    (tmp_path / "photo.jpg.gz").write_bytes(gzip.compress(data))
    monkeypatch.setenv("FOP_MEDIA_ROOT", str(tmp_path))
    client = Client(load_example("gunicorn_static").app)
    with client.get("/photo.jpg", headers={"Accept-Encoding": "gzip"}) as plain:
        assert plain.headers["Content-Encoding"] == "gzip"
    with client.get("/photo.jpg?exif", headers={"Accept-Encoding": "gzip"}) as fop:
        assert fop.status_code == 200
        assert fop.get_data() == plain_answer("/photo.jpg?exif").body


@pytest.fixture(scope="module", params=["sync", "gthread"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[Server]:
    log = tmp_path_factory.mktemp("sendfile") / "sendfile.log"
    with gunicorn(
        "examples.gunicorn_static:app", "-c", SENDFILE_CONF, worker_class=request.param, env={"FOP_SENDFILE_LOG": str(log)}
    ) as running:
        running.notes.update(sendfile_log=log, worker_class=request.param)
        yield running


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/photo.jpg?exif", id="exif"),
        pytest.param("/movie.mp4?avinfo", id="avinfo-mp4"),
        pytest.param("/sound.mp3?avinfo", id="avinfo-mp3"),
        pytest.param("/plain.png?exif", id="no-exif"),
        pytest.param("/missing.jpg?exif", id="404"),
        pytest.param("/photo.jpg?exif&e=1700000000&token=ak:sig", id="extra-query"),
    ],
)
def test_answer_is_the_wsgi_middlewares(server: Server, path: str) -> None:
    assert_fop_answer(server.get(path), plain_answer(path))


def test_exif_and_avinfo_shape(server: Server) -> None:
    exif = server.get("/photo.jpg?exif").json()
    assert exif["Make"] == {"val": "Canon", "type": 2}
    assert exif["Model"]["val"] == "Canon EOS 5D Mark IV"
    avinfo = server.get("/movie.mp4?avinfo").json()
    assert [s["codec_type"] for s in avinfo["streams"]] == ["video", "audio"]
    assert avinfo["format"]["filename"] == "movie.mp4"
    assert server.get("/plain.png?exif").json() == {"code": 400, "error": "no exif data"}
    assert server.get("/missing.jpg?avinfo").json()["code"] == 404


def test_head(server: Server) -> None:
    assert_fop_answer(server.head("/photo.jpg?exif"), plain_answer("/photo.jpg?exif"), head=True)


def test_fop_request_ignores_range_and_conditionals(server: Server) -> None:
    etag = server.get("/photo.jpg").header("ETag")
    assert etag
    reply = server.get("/photo.jpg?exif", headers={"Range": "bytes=0-9", "If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert_fop_answer(reply, plain_answer("/photo.jpg?exif"))


@pytest.mark.parametrize("name", ["photo.jpg", "movie.mp4", "sound.mp3"])
def test_plain_file_is_byte_identical_and_sent_with_sendfile(server: Server, name: str) -> None:
    reply = server.get(f"/{name}")
    assert reply.status == 200
    assert reply.body == (MEDIA / name).read_bytes()
    assert reply.header("Content-Type") != "application/json; charset=utf-8"
    assert sendfile_used(server, f"/{name}") is True


def sendfile_used(server: Server, path: str) -> bool | None:
    """Whether the worker sent ``path`` with sendfile, from the line it logs just after the body."""
    log = server.notes["sendfile_log"]
    for _ in range(100):
        for line in log.read_text().splitlines() if log.exists() else ():
            logged, _, used = line.rpartition(" ")
            if logged == path:
                return used == "True"
        time.sleep(0.02)
    return None


def test_worker_class_is_the_one_asked_for(server: Server) -> None:
    expected = {"sync": "SyncWorker", "gthread": "ThreadWorker"}[server.notes["worker_class"]]
    log = server.notes["sendfile_log"].read_text().splitlines()
    assert f"worker {expected}" in log


def test_plain_range_request_is_the_apps(server: Server) -> None:
    reply = server.get("/movie.mp4", headers={"Range": "bytes=0-99"})
    assert reply.status == 206
    assert reply.body == (MEDIA / "movie.mp4").read_bytes()[:100]
