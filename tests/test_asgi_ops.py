"""Every operation and the ``redact`` option give the same replies under ASGI as under WSGI."""

from __future__ import annotations

import asyncio
import json
import pathlib
import shutil
import typing as t

import pytest

pytest.importorskip("starlette")

from starlette.applications import Starlette  # noqa: E402
from starlette.routing import Mount  # noqa: E402
from starlette.staticfiles import StaticFiles  # noqa: E402
from werkzeug.test import Client  # noqa: E402
from whitenoise import WhiteNoise  # noqa: E402

from fop_middleware import FopMiddleware  # noqa: E402
from fop_middleware.asgi import FopASGIMiddleware  # noqa: E402
from test_asgi import call  # noqa: E402

TESTS = pathlib.Path(__file__).parent
SITE_FILES = {
    "camera.jpg": TESTS / "files" / "images" / "camera.jpg",
    "camera.png": TESTS / "files" / "images" / "camera.png",
    "location.mp4": TESTS / "files" / "redact" / "location.mp4",
}
LOCATION_TAGS = ("location", "location-eng", "com.apple.quicktime.location.ISO6709")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    root = tmp_path_factory.mktemp("site")
    for name, source in SITE_FILES.items():
        shutil.copyfile(source, root / name)
    return root


def both(site: pathlib.Path, target: str, **options: t.Any) -> tuple[t.Any, t.Any]:
    """(WSGI reply, ASGI reply) for ``target``, each as (status, content type, JSON)."""

    def not_found(environ: t.Any, start_response: t.Any) -> list[bytes]:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    wsgi = Client(FopMiddleware(WhiteNoise(not_found, root=str(site)), cache=None, **options))
    plain = wsgi.get(target)
    asgi_app = FopASGIMiddleware(Starlette(routes=[Mount("/", StaticFiles(directory=site))]), cache=None, **options)
    got = asyncio.run(call(asgi_app, target))
    return (
        (plain.status_code, plain.headers["Content-Type"], json.loads(plain.data)),
        (got.status, got.headers["content-type"], got.json()),
    )


@pytest.mark.parametrize("target", ["/camera.jpg?imageInfo", "/camera.png?imageInfo", "/camera.jpg?imageAve", "/location.mp4?imageInfo"])
def test_image_operations_match_the_wsgi_middleware(site: pathlib.Path, target: str) -> None:
    wsgi, asgi = both(site, target)
    assert asgi == wsgi
    if wsgi[0] == 200 and target.endswith("imageInfo"):
        assert {"size", "format", "width", "height", "colorModel"} <= set(asgi[2])


def test_redacted_exif_matches_and_has_no_gps(site: pathlib.Path) -> None:
    (_, _, whole), _ = both(site, "/camera.jpg?exif")
    assert any(key.startswith("GPS") for key in whole), "the test photo must carry GPS tags"
    wsgi, asgi = both(site, "/camera.jpg?exif", redact={"/": ["gps"]})
    assert asgi == wsgi
    assert asgi[0] == 200 and not any(key.startswith("GPS") for key in asgi[2])


def test_redacted_avinfo_has_no_location_tags(site: pathlib.Path) -> None:
    (_, _, whole), _ = both(site, "/location.mp4?avinfo")
    assert set(LOCATION_TAGS) & set(whole["format"].get("tags", {})), "the test video must carry a location"
    wsgi, asgi = both(site, "/location.mp4?avinfo", redact={"/": ["gps"]})
    assert asgi == wsgi
    replies = [asgi[2]["format"], *asgi[2]["streams"]]
    assert not any(tag in reply.get("tags", {}) for reply in replies for tag in LOCATION_TAGS)
