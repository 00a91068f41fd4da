"""``DjangoFopMiddleware`` in process (Django's test client) and under gunicorn, plus the WSGI-wrapped site."""

from __future__ import annotations

import os
import typing as t
import urllib.parse

import pytest

pytest.importorskip("django", reason="Django is not installed (extra [django])")
pytest.importorskip("whitenoise", reason="WhiteNoise is not installed (extra [test])")

os.environ["DJANGO_SETTINGS_MODULE"] = "djangoapp.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signals import request_finished  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from werkzeug.test import Client as WsgiClient  # noqa: E402

from djangoapp import middleware as recorder  # noqa: E402
from djangoapp import views  # noqa: E402
from fop_middleware import FopMiddleware, registry  # noqa: E402
from fop_middleware.extractor import DEFAULT_TIMEOUT  # noqa: E402
from fop_middleware.django.checks import check_middleware_order, check_settings  # noqa: E402
from fop_middleware.django.middleware import DjangoFopMiddleware  # noqa: E402
from fop_middleware.extractor import Extractor, Source  # noqa: E402
from servers import MEDIA, ROOT, Reply, Server, assert_fop_answer, gunicorn, plain_answer  # noqa: E402

TESTS = str(ROOT / "tests")
NAMES = ["photo.jpg?exif", "movie.mp4?avinfo", "sound.mp3?avinfo", "plain.png?exif", "missing.jpg?exif"]
FOP_MIDDLEWARE = "fop_middleware.django.middleware.DjangoFopMiddleware"


def reply(response: t.Any) -> Reply:
    """A test client response as a :class:`Reply`; the client closes it (a streamed one once read)."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return Reply(response.status_code, response.headers, body)


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("prefix", ["/media", "/files", "/static", "/stream", "/bytes"])
@pytest.mark.parametrize("name", NAMES)
def test_answers_like_the_wsgi_middleware(client: Client, prefix: str, name: str) -> None:
    assert_fop_answer(reply(client.get(f"{prefix}/{name}")), plain_answer(f"/{name}"))


def test_answer_shape(client: Client) -> None:
    exif = reply(client.get("/media/photo.jpg?exif")).json()
    assert exif["Make"] == {"val": "Canon", "type": 2}
    assert exif["DateTimeOriginal"]["val"] == "2024:05:17 10:21:33"
    avinfo = reply(client.get("/stream/movie.mp4?avinfo")).json()
    assert avinfo["format"]["filename"] == "movie.mp4"
    assert {s["codec_type"] for s in avinfo["streams"]} == {"video", "audio"}


@pytest.mark.parametrize("path", ["/media/photo.jpg", "/files/movie.mp4", "/static/sound.mp3", "/stream/photo.jpg"])
def test_plain_request_is_the_views(client: Client, path: str) -> None:
    got = reply(client.get(path))
    assert got.status == 200
    assert got.body == (MEDIA / path.rpartition("/")[2]).read_bytes()


@pytest.fixture(scope="module")
def user() -> User:
    call_command("migrate", verbosity=0, interactive=False)
    return User.objects.create_user("ada", password="x")


def test_login_required(client: Client, user: User) -> None:
    anonymous = reply(client.get("/private/photo.jpg?exif"))
    assert anonymous.status == 302
    # Issue 9: the login page sends the user back to the EXIF, not to the photo.
    assert anonymous.header("Location") == "/accounts/login/?next=/private/photo.jpg%3Fexif"
    assert b"Canon" not in anonymous.body
    client.force_login(user)
    assert_fop_answer(reply(client.get("/private/photo.jpg?exif")), plain_answer("/photo.jpg?exif"))
    plain = reply(client.get("/private/photo.jpg"))
    assert plain.body == (MEDIA / "photo.jpg").read_bytes()


@pytest.mark.parametrize(
    ("url", "next_url"),
    [
        pytest.param("/private/photo.jpg?exif", "/private/photo.jpg?exif", id="op"),
        pytest.param("/private/photo.jpg?exif&sig=a%2Fb", "/private/photo.jpg?exif&sig=a%2Fb", id="op-and-query"),
        pytest.param("/private/photo.jpg?exif", "/private/photo.jpg?exif", id="head"),
        pytest.param("/private/photo.jpg", "/private/photo.jpg", id="plain"),
        pytest.param("/private/photo.jpg?sig=1", "/private/photo.jpg?sig=1", id="plain-query"),
    ],
)
def test_login_redirect_next_keeps_the_operation(url: str, next_url: str, user: User) -> None:
    client = Client()
    method = client.head if "head" in url else client.get
    anonymous = method(url)
    assert anonymous.status_code == 302
    location = urllib.parse.urlsplit(anonymous["Location"])
    assert location.path == "/accounts/login/"
    assert urllib.parse.parse_qs(location.query) == {"next": [next_url]}
    client.force_login(user)
    followed = client.get(next_url)
    if "exif" in next_url:
        assert followed.json()["Make"] == {"val": "Canon", "type": 2}
    else:
        assert b"".join(followed.streaming_content) == (MEDIA / "photo.jpg").read_bytes()


@override_settings(LOGIN_URL="https://login.example.com/sso")
def test_login_redirect_to_another_host_keeps_the_operation() -> None:
    """``redirect_to_login`` puts the absolute URI in ``next`` when the login page is elsewhere."""
    location = Client().get("/private/photo.jpg?exif", HTTP_HOST="media.example.com")["Location"]
    assert location == "https://login.example.com/sso?next=http%3A//media.example.com/private/photo.jpg%3Fexif"


def test_view_sees_a_plain_get_and_outer_middleware_the_real_request() -> None:
    views.SEEN.clear()
    recorder.SEEN.clear()
    with override_settings(MIDDLEWARE=["djangoapp.middleware.RequestRecorder", *settings.MIDDLEWARE]):
        client = Client()
        assert reply(client.head("/token/photo.jpg?exif&token=ok")).status == 200
        denied = reply(client.get("/token/photo.jpg?exif"))
    assert denied.status == 403
    assert denied.json() == {"code": 403, "error": "forbidden"}
    assert views.SEEN == [("GET", ["token"]), ("GET", [])]
    assert recorder.SEEN[0] == {"before": ["exif", "token"], "after": ["exif", "token"], "method": "HEAD", "query": "exif&token=ok"}


def test_redirect_passes_through(client: Client) -> None:
    got = reply(client.get("/moved/photo.jpg?exif"))
    assert got.status == 302
    assert got.header("Location") == "/files/photo.jpg"


def test_view_crash_is_a_json_500(client: Client) -> None:
    got = reply(client.get("/broken/photo.jpg?exif"))
    assert got.status == 500
    assert got.json() == {"code": 500, "error": "server error"}


def test_streamed_body_crash_is_a_json_500(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    """Issue 8: the iterator raised while spooled, and libexif answered 400 "corrupt image file"."""
    got = reply(client.get("/broken-stream/photo.jpg?exif"))
    assert (got.status, got.json()) == (500, {"code": 500, "error": "server error"})
    assert b"/srv" not in got.body
    assert "storage at /srv/secret went away" in caplog.text


def test_file_closed_once_and_request_finished_once(client: Client) -> None:
    finished: list[object] = []

    def count(sender: object, **kwargs: object) -> None:
        finished.append(sender)

    views.TRACKED.clear()
    request_finished.connect(count)
    try:
        assert reply(client.get("/tracked/movie.mp4?avinfo")).status == 200
    finally:
        request_finished.disconnect(count)
    assert [f.closes for f in views.TRACKED] == [1]
    assert len(finished) == 1


def test_size_cap_from_settings(client: Client) -> None:
    with override_settings(FOP_MAX_BODY_BYTES=2000):
        capped = reply(client.get("/stream/movie.mp4?avinfo"))
        assert capped.status == 400
        assert capped.json() == {"code": 400, "error": "file is too large for this operation"}
        assert reply(client.get("/files/movie.mp4?avinfo")).status == 200


class EchoExtractor(Extractor):
    name = "django-echo"
    operation = "exif"

    def extract(self, source: Source) -> dict[str, t.Any]:
        return {"name": source.name, "size": source.size, "file": source.path is not None, "timeout": source.timeout}


@pytest.fixture
def echo_backend(clean_registry: None) -> str:
    registry.register(EchoExtractor.name, EchoExtractor)
    return EchoExtractor.name


def test_backends_follow_override_settings(client: Client, echo_backend: str) -> None:
    echoed = {"name": "sound.mp3", "size": (MEDIA / "sound.mp3").stat().st_size, "timeout": DEFAULT_TIMEOUT}
    with override_settings(FOP_BACKENDS={"exif": [echo_backend]}):
        assert reply(client.get("/files/sound.mp3?exif")).json() == {**echoed, "file": True}
        assert reply(client.get("/bytes/sound.mp3?exif")).json() == {**echoed, "file": False}
    assert reply(client.get("/files/sound.mp3?exif")).json()["code"] == 400  # libexif again: not a photo


def test_timeout_follows_override_settings(client: Client, echo_backend: str) -> None:
    with override_settings(FOP_BACKENDS={"exif": [echo_backend]}, FOP_TIMEOUT=7):
        assert reply(client.get("/files/photo.jpg?exif")).json()["timeout"] == 7.0


def test_extraction_bound_follows_override_settings() -> None:
    middleware = DjangoFopMiddleware(lambda request: HttpResponse())
    with override_settings(FOP_MAX_EXTRACTIONS=3, FOP_EXTRACTION_WAIT=0.25):
        limiter = middleware.core().limiter
        assert (limiter.slots, limiter.wait) == (3, 0.25)


def test_backend_gets_the_decoded_last_path_segment(client: Client, echo_backend: str) -> None:
    with override_settings(FOP_BACKENDS={"exif": [echo_backend]}):
        answer = reply(client.get("/renamed/caf%C3%A9%20au%20lait.jpg?exif")).json()
    assert answer["name"] == "café au lait.jpg"


@pytest.mark.parametrize(
    ("overrides", "check_id"),
    [
        pytest.param({"FOP_BACKENDS": ["libexif"]}, "fop_middleware.E001", id="backends-not-a-mapping"),
        pytest.param({"FOP_BACKENDS": {"exif": [1]}}, "fop_middleware.E001", id="backend-not-a-name"),
        pytest.param({"FOP_BACKENDS": {"exif": ["nope"]}}, "fop_middleware.E002", id="unknown-backend"),
        pytest.param({"FOP_BACKENDS": {"video": ["pyav"]}}, "fop_middleware.E002", id="unknown-op"),
        pytest.param({"FOP_MAX_BODY_BYTES": -1}, "fop_middleware.E003", id="negative-cap"),
        pytest.param({"FOP_SPOOL_MEMORY_BYTES": "1M"}, "fop_middleware.E004", id="spool-not-int"),
        pytest.param({"FOP_TIMEOUT": 0}, "fop_middleware.E005", id="zero-timeout"),
        pytest.param({"FOP_ISOLATION": "sandbox"}, "fop_middleware.E006", id="bad-isolation"),
        pytest.param({"FOP_MAX_EXTRACTIONS": 0}, "fop_middleware.E007", id="zero-extractions"),
        pytest.param({"FOP_EXTRACTION_WAIT": "1s"}, "fop_middleware.E008", id="wait-not-a-number"),
    ],
)
def test_bad_settings_are_system_check_errors(overrides: dict[str, t.Any], check_id: str) -> None:
    assert check_settings() == []
    with override_settings(**overrides):
        assert [e.id for e in check_settings()] == [check_id]
        with pytest.raises(ImproperlyConfigured):
            DjangoFopMiddleware(lambda request: HttpResponse())


def test_middleware_below_whitenoise_is_a_warning() -> None:
    assert check_middleware_order() == []
    below = [m for m in settings.MIDDLEWARE if m != FOP_MIDDLEWARE] + [FOP_MIDDLEWARE]
    with override_settings(MIDDLEWARE=below):
        assert [w.id for w in check_middleware_order()] == ["fop_middleware.W001"]


def test_runserver_static_handler_bypasses_the_middleware() -> None:
    """runserver serves /static/ before any middleware runs; wrapping it with FopMiddleware helps."""
    handler = StaticFilesHandler(WSGIHandler())
    with WsgiClient(handler).get("/static/photo.jpg?exif") as response:
        assert response.status_code == 200
        assert response.get_data() == (MEDIA / "photo.jpg").read_bytes()
    with WsgiClient(FopMiddleware(handler)).get("/static/photo.jpg?exif") as response:
        assert response.get_data() == plain_answer("/photo.jpg?exif").body


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(("djangoapp.wsgi", "djangoapp.settings", TESTS), id="DjangoFopMiddleware"),
        pytest.param(("djangoapp.wrapped_wsgi", "djangoapp.settings_plain", TESTS), id="FopMiddleware"),
        pytest.param(("demo.wsgi", "demo.settings", str(ROOT / "examples" / "django_site")), id="example"),
    ],
)
def server(request: pytest.FixtureRequest) -> t.Iterator[Server]:
    app, settings_module, path = request.param
    env = {"DJANGO_SETTINGS_MODULE": settings_module}
    with gunicorn(app, "--pythonpath", path, worker_class="gthread", env=env) as running:
        yield running


@pytest.mark.parametrize("prefix", ["/media", "/files", "/static", "/stream"])
@pytest.mark.parametrize("name", ["photo.jpg?exif", "movie.mp4?avinfo", "missing.jpg?exif"])
def test_served_answers_like_the_wsgi_middleware(server: Server, prefix: str, name: str) -> None:
    assert_fop_answer(server.get(f"{prefix}/{name}"), plain_answer(f"/{name}"))


def test_served_head(server: Server) -> None:
    assert_fop_answer(server.head("/static/photo.jpg?exif"), plain_answer("/photo.jpg?exif"), head=True)
    assert_fop_answer(server.head("/files/movie.mp4?avinfo"), plain_answer("/movie.mp4?avinfo"), head=True)


def test_served_private_file_redirects_to_login(server: Server) -> None:
    got = server.get("/private/movie.mp4?avinfo")
    assert got.status == 302
    assert got.header("Location") == "/accounts/login/?next=/private/movie.mp4%3Favinfo"
    assert b"h264" not in got.body


@pytest.mark.parametrize("path", ["/static/movie.mp4", "/media/photo.jpg", "/files/sound.mp3"])
def test_served_plain_file_is_byte_identical(server: Server, path: str) -> None:
    got = server.get(path)
    assert got.status == 200
    assert got.body == (MEDIA / path.rpartition("/")[2]).read_bytes()
