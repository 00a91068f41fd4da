"""``FlaskFop``: the example app under gunicorn, and in-process apps for config and ``USE_X_SENDFILE``."""

from __future__ import annotations

import io
import typing as t

import pytest

pytest.importorskip("flask", reason="Flask is not installed (extra [flask])")

from flask import Flask, Response, send_file, send_from_directory  # noqa: E402

from fop_middleware import registry  # noqa: E402
from fop_middleware.extractor import DEFAULT_TIMEOUT  # noqa: E402
from fop_middleware.extractor import Extractor, Source  # noqa: E402
from fop_middleware.flask import EXTENSION_KEY, FlaskFop  # noqa: E402
from servers import MEDIA, Server, assert_fop_answer, gunicorn, plain_answer, wsgi_server  # noqa: E402

AUTH = {"Authorization": "Bearer demo"}


@pytest.fixture(scope="module")
def example() -> t.Iterator[Server]:
    with gunicorn("examples.flask_app:app", worker_class="gthread") as running:
        yield running


@pytest.mark.parametrize("prefix", ["/static", "/media", "/memory"])
@pytest.mark.parametrize("name", ["photo.jpg?exif", "movie.mp4?avinfo", "sound.mp3?avinfo", "plain.png?exif", "missing.mp4?avinfo"])
def test_example_answers_like_the_wsgi_middleware(example: Server, prefix: str, name: str) -> None:
    assert_fop_answer(example.get(f"{prefix}/{name}"), plain_answer(f"/{name}"))


def test_example_exif_shape(example: Server) -> None:
    assert example.get("/memory/photo.jpg?exif").json()["Make"] == {"val": "Canon", "type": 2}
    assert example.get("/media/movie.mp4?avinfo").json()["format"]["filename"] == "movie.mp4"


def test_example_head(example: Server) -> None:
    assert_fop_answer(example.head("/static/movie.mp4?avinfo"), plain_answer("/movie.mp4?avinfo"), head=True)


def test_example_private_file(example: Server) -> None:
    denied = example.get("/private/photo.jpg?exif")
    assert denied.status == 401
    assert denied.json() == {"code": 401, "error": "unauthorized"}
    assert denied.header("WWW-Authenticate") == 'Bearer realm="demo"'
    assert b"Canon" not in denied.body
    assert example.get("/private/photo.jpg").status == 401
    assert_fop_answer(example.get("/private/photo.jpg?exif", headers=AUTH), plain_answer("/photo.jpg?exif"))


@pytest.mark.parametrize("path", ["/static/movie.mp4", "/media/photo.jpg", "/memory/sound.mp3"])
def test_example_plain_file_is_byte_identical(example: Server, path: str) -> None:
    reply = example.get(path)
    assert reply.status == 200
    assert reply.body == (MEDIA / path.rpartition("/")[2]).read_bytes()


def make_app(**config: t.Any) -> Flask:
    app = Flask(__name__, static_folder=str(MEDIA), static_url_path="/static")
    app.config.update(config)

    @app.get("/sent/<name>")
    def sent(name: str) -> Response:
        return send_from_directory(MEDIA, name)

    @app.get("/outside")
    def outside() -> Response:
        return send_file(__file__)

    @app.get("/streamed/<name>")
    def streamed(name: str) -> Response:
        data = (MEDIA / name).read_bytes()
        return Response((data[i : i + 1000] for i in range(0, len(data), 1000)), mimetype="application/octet-stream")

    @app.get("/renamed/<name>")
    def renamed(name: str) -> Response:
        return send_from_directory(MEDIA, "photo.jpg")

    @app.get("/buffer")
    def buffer() -> Response:
        return send_file(io.BytesIO((MEDIA / "photo.jpg").read_bytes()), mimetype="image/jpeg")

    @app.get("/broken/<name>")
    def broken(name: str) -> Response:
        raise RuntimeError("a view that crashes at /srv/secret")

    @app.get("/broken-stream/<name>")
    def broken_stream(name: str) -> Response:
        def chunks() -> t.Iterator[bytes]:
            yield (MEDIA / name).read_bytes()[:1000]
            raise ValueError("storage at /srv/secret went away")

        return Response(chunks(), mimetype="image/jpeg")

    FlaskFop(app)
    return app


def test_x_sendfile_under_the_root_is_read() -> None:
    app = make_app(USE_X_SENDFILE=True, FOP_SENDFILE_ROOT=MEDIA)
    with wsgi_server(app) as server:
        assert_fop_answer(server.get("/sent/photo.jpg?exif"), plain_answer("/photo.jpg?exif"))
        assert_fop_answer(server.get("/static/movie.mp4?avinfo"), plain_answer("/movie.mp4?avinfo"))
    # A plain request is the front server's to fill in: the app's empty body goes out untouched.
    with app.test_client() as client:
        plain = client.get("/sent/photo.jpg")
        assert plain.status_code == 200
        assert plain.data == b""
        assert plain.headers["X-Sendfile"] == str(MEDIA / "photo.jpg")


def test_x_sendfile_outside_the_root_is_a_599() -> None:
    app = make_app(USE_X_SENDFILE=True, FOP_SENDFILE_ROOT=MEDIA)
    with app.test_client() as client:
        reply = client.get("/outside?exif")
        assert reply.status_code == 599
        assert reply.get_json() == {"code": 599, "error": "server failed to process the file"}
        assert "X-Sendfile" not in reply.headers


def test_x_sendfile_without_a_root_is_a_599() -> None:
    app = make_app(USE_X_SENDFILE=True)
    with app.test_client() as client:
        reply = client.get("/sent/photo.jpg?exif")
        assert reply.status_code == 599
        assert reply.get_json() == {"code": 599, "error": "server failed to process the file"}
        assert str(MEDIA) not in reply.get_data(as_text=True)
        assert client.get("/buffer?exif").get_json()["Make"]["val"] == "Canon"


@pytest.mark.parametrize("propagate", [False, True])
@pytest.mark.parametrize("path", ["/broken/photo.jpg", "/broken-stream/photo.jpg"])
def test_view_crash_is_a_json_500(path: str, propagate: bool, caplog: pytest.LogCaptureFixture) -> None:
    """Issue 8: with PROPAGATE_EXCEPTIONS the crash reached the server; a broken stream was a 400."""
    app = make_app(PROPAGATE_EXCEPTIONS=propagate)
    with app.test_client() as client:
        reply = client.get(f"{path}?exif")
        assert (reply.status_code, reply.get_json()) == (500, {"code": 500, "error": "server error"})
        assert "/srv" not in reply.get_data(as_text=True)


def test_bad_sendfile_root_fails_at_init() -> None:
    with pytest.raises(ValueError, match="FOP_SENDFILE_ROOT"):
        make_app(FOP_SENDFILE_ROOT=MEDIA / "photo.jpg")


def test_size_cap_applies_to_streamed_bodies() -> None:
    app = make_app(FOP_MAX_BODY_BYTES=2000)
    with app.test_client() as client:
        reply = client.get("/streamed/movie.mp4?avinfo")
        assert reply.status_code == 400
        assert reply.get_json() == {"code": 400, "error": "file is too large for this operation"}
        assert client.get("/static/movie.mp4?avinfo").status_code == 200


class EchoExtractor(Extractor):
    """Answers with what it was given, to see which backend the config picked."""

    name = "flask-echo"
    operation = "exif"

    def extract(self, source: Source) -> dict[str, t.Any]:
        return {"name": source.name, "head": source.stream.read(2).hex(), "size": source.size, "timeout": source.timeout}


@pytest.fixture
def echo_backend(clean_registry: None) -> str:
    registry.register(EchoExtractor.name, EchoExtractor)
    return EchoExtractor.name


def test_backends_come_from_config(echo_backend: str) -> None:
    app = make_app(FOP_BACKENDS={"exif": [echo_backend]})
    with app.test_client() as client:
        answer = client.get("/sent/movie.mp4?exif").get_json()
        assert answer == {"name": "movie.mp4", "head": "0000", "size": (MEDIA / "movie.mp4").stat().st_size, "timeout": DEFAULT_TIMEOUT}


def test_timeout_comes_from_config(echo_backend: str) -> None:
    app = make_app(FOP_BACKENDS={"exif": [echo_backend]}, FOP_TIMEOUT=7)
    with app.test_client() as client:
        assert client.get("/sent/photo.jpg?exif").get_json()["timeout"] == 7.0


def test_backend_gets_the_decoded_last_path_segment(echo_backend: str) -> None:
    app = make_app(FOP_BACKENDS={"exif": [echo_backend]})
    with wsgi_server(app) as server:
        assert server.get("/renamed/caf%C3%A9%20au%20lait.jpg?exif").json()["name"] == "café au lait.jpg"


def test_bad_isolation_fails_at_init() -> None:
    with pytest.raises(ValueError, match="isolation"):
        make_app(FOP_ISOLATION="sandbox")


def test_unknown_backend_fails_at_init() -> None:
    with pytest.raises(ValueError, match="no-such-backend"):
        make_app(FOP_BACKENDS={"exif": ["no-such-backend"]})


def test_extension_is_recorded_once_and_keeps_no_app() -> None:
    fop = FlaskFop()
    apps = [Flask("one"), Flask("two")]
    for app in apps:
        fop.init_app(app)
        assert app.extensions[EXTENSION_KEY] is fop
    assert not any(isinstance(value, Flask) for value in vars(fop).values())
    with pytest.raises(RuntimeError, match="already"):
        fop.init_app(apps[0])


def test_extraction_bound_comes_from_config() -> None:
    app = make_app(FOP_MAX_EXTRACTIONS=3, FOP_EXTRACTION_WAIT=0.25)
    limiter = app.wsgi_app.core.limiter  # type: ignore[attr-defined]
    assert (limiter.slots, limiter.wait) == (3, 0.25)
