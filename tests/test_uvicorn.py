"""Under a real uvicorn: ``FopASGIMiddleware`` around Starlette, and Django's ASGI handler with ``DjangoFopMiddleware``.

Each fop answer must be the plain WSGI ``FopMiddleware``'s for the same file, and each plain
request the unwrapped app's, byte for byte.
"""

from __future__ import annotations

import contextlib
import sys
import typing as t

import pytest

pytest.importorskip("uvicorn", reason="uvicorn is not installed (extra [test])")
pytest.importorskip("starlette", reason="Starlette is not installed (extra [test])")
pytest.importorskip("django", reason="Django is not installed (extra [django])")
pytest.importorskip("whitenoise", reason="WhiteNoise is not installed (extra [test])")

from servers import JSON_CONTENT_TYPE, ROOT, Reply, Server, assert_fop_answer, plain_answer, subprocess_server  # noqa: E402

NAMES = ["photo.jpg?exif", "movie.mp4?avinfo", "sound.mp3?avinfo", "plain.png?exif", "missing.jpg?exif"]

#: uvicorn targets and the settings each needs; ``*_raw`` are the same apps unwrapped.
APPS = {
    "static": ("asgiapps:static", None),
    "static_raw": ("asgiapps:static_raw", None),
    "files": ("asgiapps:files", None),
    "files_raw": ("asgiapps:files_raw", None),
    "django": ("djangoapp.asgi:application", "djangoapp.settings"),
    "django_async": ("djangoapp.asgi:application", "djangoapp.settings_async"),
    "django_raw": ("djangoapp.asgi:application", "djangoapp.settings_plain"),
}

#: (server, URL prefix) of every way a file is served here.
SERVED = [
    pytest.param("static", "/", id="starlette-staticfiles"),
    pytest.param("files", "/files/", id="starlette-fileresponse"),
    pytest.param("files", "/stream/", id="starlette-streaming"),
    pytest.param("django", "/static/", id="django-whitenoise"),
    pytest.param("django", "/media/", id="django-static-serve"),
    pytest.param("django", "/files/", id="django-fileresponse"),
    pytest.param("django", "/stream/", id="django-streaming"),
    pytest.param("django", "/astream/", id="django-async-iterator"),
    pytest.param("django", "/bytes/", id="django-bytes"),
    pytest.param("django_async", "/media/", id="django-async-static-serve"),
    pytest.param("django_async", "/files/", id="django-async-fileresponse"),
    pytest.param("django_async", "/stream/", id="django-async-streaming"),
    pytest.param("django_async", "/astream/", id="django-async-async-iterator"),
    pytest.param("django_async", "/bytes/", id="django-async-bytes"),
]

#: (wrapped, unwrapped, prefix) for plain requests.
PAIRS = [
    pytest.param("static", "static_raw", "/", id="starlette-staticfiles"),
    pytest.param("files", "files_raw", "/files/", id="starlette-fileresponse"),
    pytest.param("files", "files_raw", "/stream/", id="starlette-streaming"),
    pytest.param("django", "django_raw", "/static/", id="django-whitenoise"),
    pytest.param("django", "django_raw", "/files/", id="django-fileresponse"),
    pytest.param("django_async", "django_raw", "/media/", id="django-async-static-serve"),
    pytest.param("django_async", "django_raw", "/files/", id="django-async-fileresponse"),
]


class Servers:
    """uvicorn processes started on first use and stopped with the module."""

    def __init__(self, stack: contextlib.ExitStack) -> None:
        self.stack = stack
        self.running: dict[str, Server] = {}

    def __getitem__(self, name: str) -> Server:
        if name not in self.running:
            target, settings = APPS[name]
            argv = [
                sys.executable, "-m", "uvicorn", target, "--app-dir", str(ROOT / "tests"),
                "--host", "{host}", "--port", "{port}", "--log-level", "warning", "--no-access-log",
            ]  # fmt: skip
            env = {"DJANGO_SETTINGS_MODULE": settings} if settings else {}
            self.running[name] = self.stack.enter_context(subprocess_server(argv, env=env))
        return self.running[name]


@pytest.fixture(scope="module")
def servers() -> t.Iterator[Servers]:
    with contextlib.ExitStack() as stack:
        yield Servers(stack)


def comparable(reply: Reply) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers (but the date) and body, for byte-for-byte comparison."""
    headers = sorted((k.lower(), v) for k, v in reply.headers.items() if k.lower() != "date")
    return reply.status, headers, reply.body


@pytest.mark.parametrize(("server", "prefix"), SERVED)
@pytest.mark.parametrize("name", NAMES)
def test_answer_is_the_wsgi_middlewares(servers: Servers, server: str, prefix: str, name: str) -> None:
    assert_fop_answer(servers[server].get(prefix + name), plain_answer(f"/{name}"))


@pytest.mark.parametrize(("server", "prefix"), SERVED)
@pytest.mark.parametrize("name", ["photo.jpg?exif", "missing.jpg?exif"])
def test_head_is_the_get_without_body(servers: Servers, server: str, prefix: str, name: str) -> None:
    assert_fop_answer(servers[server].head(prefix + name), plain_answer(f"/{name}"), head=True)


@pytest.mark.parametrize(("server", "prefix"), SERVED)
def test_fop_request_ignores_range_and_conditionals(servers: Servers, server: str, prefix: str) -> None:
    headers = {"Range": "bytes=0-9", "If-None-Match": "*", "If-Modified-Since": "Wed, 01 Jan 2098 00:00:00 GMT", "Accept-Encoding": "gzip"}
    assert_fop_answer(servers[server].get(prefix + "photo.jpg?exif", headers=headers), plain_answer("/photo.jpg?exif"))


@pytest.mark.parametrize(("server", "raw", "prefix"), PAIRS)
@pytest.mark.parametrize(
    ("method", "name", "headers"),
    [
        pytest.param("GET", "photo.jpg", {}, id="get"),
        pytest.param("HEAD", "movie.mp4", {}, id="head"),
        pytest.param("GET", "missing.jpg", {}, id="404"),
        pytest.param("GET", "movie.mp4", {"Range": "bytes=10-99"}, id="range"),
        pytest.param("GET", "photo.jpg?exif=1", {}, id="not-an-operation"),
    ],
)
def test_plain_request_is_the_unwrapped_apps(servers: Servers, server: str, raw: str, prefix: str, method: str, name: str, headers: dict[str, str]) -> None:
    wrapped = servers[server].request(prefix + name, method, headers=headers)
    assert comparable(wrapped) == comparable(servers[raw].request(prefix + name, method, headers=headers))
    assert wrapped.header("Content-Type") != JSON_CONTENT_TYPE


@pytest.mark.parametrize(("server", "raw"), [("files", "files_raw"), ("django", "django_raw"), ("django_async", "django_raw")])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_redirect_passes_through(servers: Servers, server: str, raw: str, method: str) -> None:
    reply = servers[server].request("/moved/photo.jpg?exif", method)
    assert reply.status == 302 and reply.header("Location") == "/files/photo.jpg"
    assert comparable(reply) == comparable(servers[raw].request("/moved/photo.jpg?exif", method))


@pytest.mark.parametrize("server", ["django", "django_async"])
def test_django_login_redirect_and_forbidden(servers: Servers, server: str) -> None:
    login = servers[server].get("/private/photo.jpg?exif")
    assert login.status == 302 and "/accounts/login/" in (login.header("Location") or "")
    forbidden = servers[server].get("/token/photo.jpg?exif&token=bad")
    assert (forbidden.status, forbidden.json()) == (403, {"code": 403, "error": "forbidden"})
    assert_fop_answer(servers[server].get("/token/photo.jpg?exif&token=ok"), plain_answer("/photo.jpg?exif"))


@pytest.mark.parametrize("server", ["files", "django", "django_async"])
def test_app_exception_is_json_500(servers: Servers, server: str) -> None:
    reply = servers[server].get("/broken/photo.jpg?exif")
    assert (reply.status, reply.json()) == (500, {"code": 500, "error": "server error"})
    assert reply.header("Content-Type") == JSON_CONTENT_TYPE
    assert b"secret" not in reply.body and b"Traceback" not in reply.body


def test_401_keeps_www_authenticate(servers: Servers) -> None:
    denied = servers["files"].get("/private/photo.jpg?exif")
    assert (denied.status, denied.json()) == (401, {"code": 401, "error": "unauthorized"})
    assert denied.header("WWW-Authenticate") == 'Bearer realm="media"'
    allowed = servers["files"].get("/private/photo.jpg?exif", headers={"Authorization": "Bearer ok"})
    assert_fop_answer(allowed, plain_answer("/photo.jpg?exif"))



def test_example_app() -> None:
    argv = [sys.executable, "-m", "uvicorn", "examples.asgi_app:app", "--host", "{host}", "--port", "{port}", "--log-level", "warning"]
    with subprocess_server(argv) as example:
        for path in ("/static/photo.jpg?exif", "/files/movie.mp4?avinfo", "/stream/sound.mp3?avinfo"):
            name = "/" + path.rpartition("/")[2]
            assert_fop_answer(example.get(path), plain_answer(name))
        denied = example.get("/private/photo.jpg?exif")
        assert (denied.status, denied.header("WWW-Authenticate")) == (401, 'Bearer realm="media"')
        assert_fop_answer(example.get("/private/photo.jpg?exif", headers={"Authorization": "Bearer demo"}), plain_answer("/photo.jpg?exif"))
        assert example.get("/static/photo.jpg").body == (ROOT / "examples" / "media" / "photo.jpg").read_bytes()
