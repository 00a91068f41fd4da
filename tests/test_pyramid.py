"""The Pyramid tween: the example app under gunicorn, and in-process apps for settings and bodies."""

from __future__ import annotations

import typing as t
import urllib.parse

import pytest

pytest.importorskip("pyramid", reason="Pyramid is not installed (extra [pyramid])")

from pyramid.config import Configurator  # noqa: E402
from pyramid.httpexceptions import HTTPFound  # noqa: E402
from pyramid.response import FileIter, Response  # noqa: E402
from webob import Request  # noqa: E402

from fop_middleware import registry  # noqa: E402
from fop_middleware.extractor import DEFAULT_TIMEOUT  # noqa: E402
from fop_middleware.extractor import Extractor, Source  # noqa: E402
from fop_middleware.pyramid import core_options  # noqa: E402
from servers import MEDIA, Server, assert_fop_answer, gunicorn, plain_answer, wsgi_server  # noqa: E402

TOKEN = {"X-Token": "demo"}


@pytest.fixture(scope="module")
def example() -> t.Iterator[Server]:
    with gunicorn("examples.pyramid_app:app") as running:
        yield running


@pytest.mark.parametrize("prefix", ["/static", "/files"])
@pytest.mark.parametrize("name", ["photo.jpg?exif", "movie.mp4?avinfo", "sound.mp3?avinfo", "plain.png?exif", "missing.jpg?exif"])
def test_example_answers_like_the_wsgi_middleware(example: Server, prefix: str, name: str) -> None:
    assert_fop_answer(example.get(f"{prefix}/{name}"), plain_answer(f"/{name}"))


def test_example_shape_and_head(example: Server) -> None:
    assert example.get("/static/photo.jpg?exif").json()["Make"] == {"val": "Canon", "type": 2}
    assert example.get("/files/sound.mp3?avinfo").json()["format"]["filename"] == "sound.mp3"
    assert_fop_answer(example.head("/files/photo.jpg?exif"), plain_answer("/photo.jpg?exif"), head=True)


def test_example_private_file(example: Server) -> None:
    denied = example.get("/private/movie.mp4?avinfo")
    assert denied.status == 403
    assert denied.json() == {"code": 403, "error": "forbidden"}
    assert b"h264" not in denied.body
    assert_fop_answer(example.get("/private/movie.mp4?avinfo", headers=TOKEN), plain_answer("/movie.mp4?avinfo"))


@pytest.mark.parametrize("path", ["/static/movie.mp4", "/files/photo.jpg", "/private/sound.mp3"])
def test_example_plain_file_is_byte_identical(example: Server, path: str) -> None:
    reply = example.get(path, headers=TOKEN)
    assert reply.status == 200
    assert reply.body == (MEDIA / path.rpartition("/")[2]).read_bytes()


class ClosingIter:
    """An ``app_iter`` that is no file and counts its ``close()`` calls."""

    def __init__(self, data: bytes) -> None:
        self.chunks = [data[i : i + 1000] for i in range(0, len(data), 1000)]
        self.closes = 0

    def __iter__(self) -> t.Iterator[bytes]:
        return iter(self.chunks)

    def close(self) -> None:
        self.closes += 1


def make_app(settings: dict[str, t.Any] | None = None, bodies: list[t.Any] | None = None) -> t.Any:
    def streamed(request: t.Any) -> Response:
        body = ClosingIter((MEDIA / request.matchdict["name"]).read_bytes())
        if bodies is not None:
            bodies.append(body)
        return Response(app_iter=body, content_type="application/octet-stream")

    def file_iter(request: t.Any) -> Response:
        f = open(MEDIA / request.matchdict["name"], "rb")  # noqa: SIM115 - FileIter closes it
        return Response(app_iter=FileIter(f), content_type="application/octet-stream")

    def moved(request: t.Any) -> Response:
        raise HTTPFound(location="/elsewhere")

    def login(request: t.Any) -> Response:
        raise HTTPFound(location="/login?next=" + urllib.parse.quote(request.path_qs, safe="/"))

    def broken(request: t.Any) -> Response:
        raise RuntimeError("a view that crashes at /srv/secret")

    def broken_iter(request: t.Any) -> Response:
        def chunks() -> t.Iterator[bytes]:
            yield (MEDIA / "photo.jpg").read_bytes()[:1000]
            raise ValueError("storage at /srv/secret went away")

        return Response(app_iter=chunks(), content_type="image/jpeg")

    with Configurator(settings=settings or {}) as config:
        config.include("fop_middleware.pyramid")
        config.add_route("streamed", "/streamed/{name}")
        config.add_view(streamed, route_name="streamed")
        config.add_route("file_iter", "/iter/{name}")
        config.add_view(file_iter, route_name="file_iter")
        config.add_route("renamed", "/renamed/{name}")
        config.add_view(lambda request: Response(app_iter=FileIter(open(MEDIA / "photo.jpg", "rb"))), route_name="renamed")
        config.add_route("moved", "/moved")
        config.add_view(moved, route_name="moved")
        config.add_route("login", "/private/{name}")
        config.add_view(login, route_name="login")
        config.add_route("broken", "/broken/{name}")
        config.add_view(broken, route_name="broken")
        config.add_route("broken_iter", "/broken-iter/{name}")
        config.add_view(broken_iter, route_name="broken_iter")
        return config.make_wsgi_app()


def test_streamed_body_is_spooled_and_closed_once() -> None:
    bodies: list[ClosingIter] = []
    app = make_app(bodies=bodies)
    with wsgi_server(app) as server:
        assert_fop_answer(server.get("/streamed/movie.mp4?avinfo"), plain_answer("/movie.mp4?avinfo"))
        assert_fop_answer(server.get("/iter/photo.jpg?exif"), plain_answer("/photo.jpg?exif"))
        assert server.get("/streamed/sound.mp3").body == (MEDIA / "sound.mp3").read_bytes()
    assert [b.closes for b in bodies] == [1, 1]


def test_redirect_passes_through() -> None:
    app = make_app()
    for method in ("GET", "HEAD"):
        response = Request.blank("/moved?exif", method=method).get_response(app)
        assert response.status_int == 302
        assert response.location.endswith("/elsewhere")
    assert Request.blank("/moved?exif", method="HEAD").get_response(app).body == b""


@pytest.mark.parametrize("path", ["/broken/photo.jpg", "/broken-iter/photo.jpg"])
def test_view_crash_is_a_json_500(path: str, caplog: pytest.LogCaptureFixture) -> None:
    """Issue 8: an exception no exception view takes reached the server as its HTML 500."""
    app = make_app()
    response = Request.blank(f"{path}?exif").get_response(app)
    assert (response.status_int, response.json) == (500, {"code": 500, "error": "server error"})
    assert b"/srv" not in response.body
    assert "/srv/secret" in caplog.text
    with pytest.raises((RuntimeError, ValueError)):
        Request.blank(path).get_response(app).body  # the plain request keeps the crash


def test_login_redirect_keeps_the_operation() -> None:
    """Issue 9: ``next`` named the photo, so logging in led to the image instead of its EXIF."""
    app = make_app()
    response = Request.blank("/private/photo.jpg?exif&t=1").get_response(app)
    assert (response.status_int, response.location.partition("/login")[2]) == (302, "?next=/private/photo.jpg%3Fexif%26t%3D1")
    assert Request.blank("/private/photo.jpg").get_response(app).location.endswith("/login?next=/private/photo.jpg")


def test_size_cap_from_settings() -> None:
    app = make_app({"fop.max_body_bytes": "2000"})
    response = Request.blank("/streamed/movie.mp4?avinfo").get_response(app)
    assert response.status_int == 400
    assert response.json == {"code": 400, "error": "file is too large for this operation"}


class EchoExtractor(Extractor):
    name = "pyramid-echo"
    operation = "avinfo"

    def extract(self, source: Source) -> dict[str, t.Any]:
        return {"name": source.name, "size": source.size, "timeout": source.timeout}


@pytest.fixture
def echo_backend(clean_registry: None) -> str:
    registry.register(EchoExtractor.name, EchoExtractor)
    return EchoExtractor.name


def test_backends_from_ini_lines(echo_backend: str) -> None:
    app = make_app({"fop.backends": f"\nexif = libexif\navinfo = {echo_backend}, mediainfo\n"})
    response = Request.blank("/iter/photo.jpg?avinfo").get_response(app)
    assert response.json == {"name": "photo.jpg", "size": (MEDIA / "photo.jpg").stat().st_size, "timeout": DEFAULT_TIMEOUT}


def test_timeout_from_settings(echo_backend: str) -> None:
    app = make_app({"fop.backends": {"avinfo": [echo_backend]}, "fop.timeout": "7"})
    assert Request.blank("/iter/photo.jpg?avinfo").get_response(app).json["timeout"] == 7.0


def test_backend_gets_the_decoded_last_path_segment(echo_backend: str) -> None:
    app = make_app({"fop.backends": {"avinfo": [echo_backend]}})
    response = Request.blank("/renamed/caf%C3%A9%20au%20lait.jpg?avinfo").get_response(app)
    assert response.json["name"] == "café au lait.jpg"


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"fop.backends": "exif libexif"}, id="no-equals"),
        pytest.param({"fop.backends": "exif = no-such-backend"}, id="unknown-backend"),
        pytest.param({"fop.backends": {"video": ["pyav"]}}, id="unknown-op"),
        pytest.param({"fop.max_body_bytes": "lots"}, id="not-a-number"),
        pytest.param({"fop.timeout": "0"}, id="zero-timeout"),
        pytest.param({"fop.isolation": "sandbox"}, id="bad-isolation"),
    ],
)
def test_bad_settings_fail_at_config_time(settings: dict[str, t.Any]) -> None:
    with pytest.raises(ValueError):
        make_app(settings)


def test_core_options_defaults() -> None:
    options = core_options({})
    assert options["backends"] is None
    assert options["timeout"] > 0


def test_extraction_bound_from_settings() -> None:
    assert core_options({"fop.max_extractions": "3", "fop.extraction_wait": "0.25"})["max_extractions"] == 3
    options = core_options({})
    assert options["max_extractions"] is None and options["extraction_wait"] == 1.0
