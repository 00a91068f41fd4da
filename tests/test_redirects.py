"""Issue 9: a login redirect made on a fop request sends the user back to the operation."""

from __future__ import annotations

import typing as t

import pytest
from werkzeug.test import Client

from fop_middleware import FopMiddleware
from fop_middleware.core import FopRequest
from fop_middleware.redirects import keep_operation

EXIF = FopRequest("exif", "", False)
EXIF_SIGNED = FopRequest("exif", "e=17&token=a%2Fb", False)


@pytest.mark.parametrize(
    ("location", "path", "request_", "expected"),
    [
        pytest.param("/login/?next=/p/photo.jpg", "/p/photo.jpg", EXIF, "/login/?next=/p/photo.jpg%3Fexif", id="django"),
        pytest.param(
            "/login/?next=/p/photo.jpg%3Fe%3D17%26token%3Da%252Fb",
            "/p/photo.jpg",
            EXIF_SIGNED,
            "/login/?next=/p/photo.jpg%3Fexif%26e%3D17%26token%3Da%252Fb",
            id="query-kept-after-the-op",
        ),
        pytest.param("/login?a=1&next=%2Fp%2Fphoto.jpg&b=2#top", "/p/photo.jpg", EXIF, "/login?a=1&next=/p/photo.jpg%3Fexif&b=2#top", id="other-params-kept"),
        pytest.param("/login?return_to=/p/photo.jpg", "/p/photo.jpg", EXIF, "/login?return_to=/p/photo.jpg%3Fexif", id="any-name"),
        pytest.param(
            "https://sso.example/?next=http%3A//media.example/p/photo.jpg",
            "/p/photo.jpg",
            EXIF,
            "https://sso.example/?next=http%3A//media.example/p/photo.jpg%3Fexif",
            id="absolute",
        ),
        pytest.param("/login/?next=/p/my%2520photo%25C3%25A9.jpg", "/p/my photoé.jpg", EXIF, "/login/?next=/p/my%2520photo%25C3%25A9.jpg%3Fexif", id="escaped-path"),
        pytest.param("/login/?next=/p/other.jpg", "/p/photo.jpg", EXIF, "/login/?next=/p/other.jpg", id="another-path"),
        pytest.param("/login/?next=/p/photo.jpg%3Fx%3D1", "/p/photo.jpg", EXIF, "/login/?next=/p/photo.jpg%3Fx%3D1", id="another-query"),
        pytest.param("/login/?next=javascript:/p/photo.jpg", "/p/photo.jpg", EXIF, "/login/?next=javascript:/p/photo.jpg", id="not-http"),
        pytest.param("/p/photo.jpg/", "/p/photo.jpg", EXIF, "/p/photo.jpg/", id="no-query"),
        pytest.param("/login/?next", "/p/photo.jpg", EXIF, "/login/?next", id="no-value"),
    ],
)
def test_keep_operation(location: str, path: str, request_: FopRequest, expected: str) -> None:
    assert keep_operation(location, path, request_) == expected


def login_app(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
    """Redirects to a login page the way Django's ``redirect_to_login`` does."""
    from urllib.parse import quote

    seen = environ.get("SCRIPT_NAME", "") + environ["PATH_INFO"] + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else "")
    start_response("302 Found", [("Location", "/login/?next=" + quote(seen, safe="/")), ("Content-Type", "text/plain")])
    return [b"login first"]


@pytest.mark.parametrize(
    ("url", "script_name", "expected"),
    [
        pytest.param("/private/photo.jpg?exif", "", "/login/?next=/private/photo.jpg%3Fexif", id="op"),
        pytest.param("/private/photo.jpg?avinfo&t=1", "", "/login/?next=/private/photo.jpg%3Favinfo%26t%3D1", id="op-and-query"),
        pytest.param("/private/photo.jpg?exif", "/site", "/login/?next=/site/private/photo.jpg%3Fexif", id="script-name"),
        pytest.param("/private/photo.jpg", "", "/login/?next=/private/photo.jpg", id="plain-request-untouched"),
    ],
)
def test_wsgi_middleware_login_redirect(test_backends: t.Any, url: str, script_name: str, expected: str) -> None:
    response = Client(FopMiddleware(login_app, backends=test_backends)).get(url, environ_overrides={"SCRIPT_NAME": script_name}, buffered=True)
    assert response.status_code == 302
    assert response.headers["Location"] == expected
