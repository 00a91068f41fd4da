"""``?imageInfo``, ``?imageAve`` and ``redact`` through every adapter, on real servers with no extra configuration."""

from __future__ import annotations

import io
import json
import os
import sys
import typing as t

import pytest

pytest.importorskip("django", reason="Django is not installed (extra [django])")
pytest.importorskip("flask", reason="Flask is not installed (extra [flask])")
pytest.importorskip("pyramid", reason="Pyramid is not installed (extra [pyramid])")
pytest.importorskip("whitenoise", reason="WhiteNoise is not installed (extra [test])")

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djangoapp.settings")

import django  # noqa: E402

django.setup()

from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client as DjangoClient  # noqa: E402
from django.test import override_settings  # noqa: E402
from flask import Flask  # noqa: E402
from PIL import Image, ImageStat  # noqa: E402
from pyramid.config import Configurator  # noqa: E402
from webob import Request  # noqa: E402

from fop_middleware.django.checks import check_settings  # noqa: E402
from fop_middleware.django.middleware import DjangoFopMiddleware  # noqa: E402
from fop_middleware.flask import FlaskFop  # noqa: E402
from fop_middleware.pyramid import core_options  # noqa: E402
from servers import MEDIA, ROOT, Server, assert_fop_answer, gunicorn, plain_answer, subprocess_server  # noqa: E402

IMAGE_PATHS = ["photo.jpg?imageInfo", "plain.png?imageInfo", "photo.jpg?imageAve", "plain.png?imageAve", "movie.mp4?imageInfo", "missing.jpg?imageAve"]


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(("serve", ""), id="fop-middleware-serve"),
        pytest.param(("examples.gunicorn_static:app", ""), id="gunicorn-whitenoise"),
        pytest.param(("demo.wsgi", "/static"), id="django-whitenoise"),
        pytest.param(("examples.flask_app:app", "/static"), id="flask"),
        pytest.param(("examples.pyramid_app:app", "/static"), id="pyramid"),
    ],
)
def server(request: pytest.FixtureRequest) -> t.Iterator[tuple[Server, str]]:
    app, prefix = request.param
    if app == "serve":
        argv = [sys.executable, "-m", "fop_middleware", "serve", str(MEDIA), "--host", "{host}", "--port", "{port}"]
        with subprocess_server(argv) as running:
            yield running, prefix
    elif app == "demo.wsgi":
        env = {"DJANGO_SETTINGS_MODULE": "demo.settings"}
        with gunicorn(app, "--pythonpath", str(ROOT / "examples" / "django_site"), worker_class="gthread", env=env) as running:
            yield running, prefix
    else:
        with gunicorn(app, worker_class="gthread") as running:
            yield running, prefix


@pytest.mark.parametrize("name", IMAGE_PATHS)
def test_answers_like_the_wsgi_middleware(server: tuple[Server, str], name: str) -> None:
    running, prefix = server
    assert_fop_answer(running.get(f"{prefix}/{name}"), plain_answer(f"/{name}"))


def test_fields_against_pillow(server: tuple[Server, str]) -> None:
    running, prefix = server
    info = running.get(f"{prefix}/photo.jpg?imageInfo").json()
    with Image.open(MEDIA / "photo.jpg") as image:
        assert (info["width"], info["height"]) == image.size
        mean = ImageStat.Stat(image.convert("RGB")).mean
    assert info["size"] == (MEDIA / "photo.jpg").stat().st_size
    assert (info["format"], info["colorModel"]) == ("jpeg", "ycbcr")
    ave = running.get(f"{prefix}/photo.jpg?imageAve").json()
    assert all(abs(got - round(m)) <= 2 for got, m in zip(bytes.fromhex(ave["RGB"][2:]), mean))
    head = running.head(f"{prefix}/plain.png?imageInfo")
    assert head.status == 200 and head.body == b"" and head.header("Cache-Control") == "no-store"
    assert running.get(f"{prefix}/movie.mp4?imageInfo").json() == {"code": 400, "error": "unsupported file format for imageInfo"}


def test_django_settings_reach_the_core() -> None:
    client = DjangoClient(raise_request_exception=False)
    whole = json.loads(client.get("/media/photo.jpg?exif").content)
    assert any(k.startswith("GPS") for k in whole)
    with override_settings(FOP_REDACT={"/media/": ["gps"]}, FOP_MAX_IMAGE_PIXELS=100):
        redacted = json.loads(client.get("/media/photo.jpg?exif").content)
        assert redacted == {k: v for k, v in whole.items() if not k.startswith("GPS")}
        assert json.loads(client.get("/files/photo.jpg?exif").content) == whole
        assert client.get("/media/photo.jpg?imageAve").status_code == 400


@pytest.mark.parametrize(
    ("overrides", "check_id"),
    [
        pytest.param({"FOP_REDACT": {"/": ["location"]}}, "fop_middleware.E010", id="unknown-kind"),
        pytest.param({"FOP_REDACT": ["gps"]}, "fop_middleware.E010", id="not-a-mapping"),
        pytest.param({"FOP_MAX_IMAGE_SIDE": 0}, "fop_middleware.E011", id="zero-side"),
        pytest.param({"FOP_MAX_IMAGE_PIXELS": "150M"}, "fop_middleware.E011", id="pixels-not-int"),
    ],
)
def test_bad_django_settings_are_system_check_errors(overrides: dict[str, t.Any], check_id: str) -> None:
    with override_settings(**overrides):
        assert [e.id for e in check_settings()] == [check_id]
        with pytest.raises(ImproperlyConfigured):
            DjangoFopMiddleware(lambda request: HttpResponse())


def flask_app(**config: t.Any) -> Flask:
    app = Flask(__name__, static_folder=str(MEDIA), static_url_path="/static")
    app.config.update(config)
    FlaskFop(app)
    return app


def test_flask_config_reaches_the_core() -> None:
    client = flask_app(FOP_REDACT={"/static/": ["gps", "thumbnail"]}).test_client()
    answer = client.get("/static/photo.jpg?exif").get_json()
    assert answer["Make"]["val"] and not [k for k in answer if k.startswith(("GPS", "thumbnail:"))]
    assert flask_app(FOP_MAX_IMAGE_SIDE=10).test_client().get("/static/photo.jpg?imageAve").status_code == 400


def test_flask_bad_redact_raises_in_init_app() -> None:
    with pytest.raises(ValueError, match="redact"):
        flask_app(FOP_REDACT={"static/": ["gps"]})


def pyramid_app(settings: dict[str, t.Any]) -> t.Any:
    with Configurator(settings=settings) as config:
        config.include("fop_middleware.pyramid")
        config.add_static_view("static", str(MEDIA))
        return config.make_wsgi_app()


def test_pyramid_redact_from_ini_lines() -> None:
    settings = {"fop.redact": "\n/static/ = gps, serial\n/other/ = thumbnail\n", "fop.max_image_pixels": "100"}
    assert core_options(settings)["redact"] == {"/static/": ["gps", "serial"], "/other/": ["thumbnail"]}
    app = pyramid_app(settings)
    answer = json.loads(Request.blank("/static/photo.jpg?exif").get_response(app).body)
    assert answer["Make"]["val"] and not [k for k in answer if k.startswith("GPS")]
    assert Request.blank("/static/photo.jpg?imageAve").get_response(app).status_code == 400
    info = json.loads(Request.blank("/static/plain.png?imageInfo").get_response(app).body)
    with Image.open(io.BytesIO((MEDIA / "plain.png").read_bytes())) as image:
        assert (info["width"], info["height"]) == image.size


def test_pyramid_bad_redact_raises_in_include() -> None:
    with pytest.raises(ValueError, match="redact"):
        pyramid_app({"fop.redact": "/static/ = nothing"})
