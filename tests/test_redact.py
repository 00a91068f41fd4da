"""``redact``: GPS, serials and thumbnail entries out of ``?exif``, location tags out of ``?avinfo``, per path prefix."""

from __future__ import annotations

import json
import pathlib
import shutil
import typing as t

import pytest
from werkzeug.test import Client

from fop_middleware import FopMiddleware
from fop_middleware.core import FopCore
from fop_middleware.redact import Redactor, is_location_tag, normalize, redact_avinfo, redact_exif
from fop_middleware.serve import static_app

FILES = pathlib.Path(__file__).parent / "files"
CAMERA_JPG = FILES / "images" / "camera.jpg"
LOCATION_MP4 = FILES / "redact" / "location.mp4"
LOCATION_MOV = FILES / "redact" / "location.mov"

EXIF = {
    "GPSLatitude": {"val": "48, 51, 27.72", "type": 5},
    "GPSInfoIFDPointer": {"val": "1234", "type": 4},
    "BodySerialNumber": {"val": "012345", "type": 2},
    "LensSerialNumber": {"val": "987", "type": 2},
    "CameraOwnerName": {"val": "Jane Doe", "type": 2},
    "Make": {"val": "Canon", "type": 2},
    "thumbnail:Compression": {"val": "JPEG compression", "type": 3},
    "thumbnail:GPSVersionID": {"val": "2.2.0.0", "type": 1},
}


@pytest.mark.parametrize(
    ("kinds", "left"),
    [
        pytest.param({"gps"}, {"BodySerialNumber", "LensSerialNumber", "CameraOwnerName", "Make", "thumbnail:Compression"}, id="gps"),
        pytest.param({"serial"}, {"GPSLatitude", "GPSInfoIFDPointer", "Make", "thumbnail:Compression", "thumbnail:GPSVersionID"}, id="serial"),
        pytest.param({"thumbnail"}, {"GPSLatitude", "GPSInfoIFDPointer", "BodySerialNumber", "LensSerialNumber", "CameraOwnerName", "Make"}, id="thumbnail"),
        pytest.param({"gps", "serial", "thumbnail"}, {"Make"}, id="all"),
    ],
)
def test_redact_exif(kinds: set[str], left: set[str]) -> None:
    assert set(redact_exif(EXIF, frozenset(kinds))) == left


def test_redact_avinfo_drops_location_tags_and_empty_tag_sets() -> None:
    answer = {
        "streams": [{"index": 0, "tags": {"location": "+1+2/", "language": "und"}}, {"index": 1, "tags": {"location-eng": "+1+2/"}}],
        "format": {"filename": "a.mp4", "tags": {"com.apple.quicktime.location.ISO6709": "+1+2/", "title": "t"}},
    }
    assert redact_avinfo(answer) == {
        "streams": [{"index": 0, "tags": {"language": "und"}}, {"index": 1}],
        "format": {"filename": "a.mp4", "tags": {"title": "t"}},
    }
    assert answer["format"]["tags"]["com.apple.quicktime.location.ISO6709"] == "+1+2/", "the original is left whole"


@pytest.mark.parametrize(
    ("key", "expected"),
    [("location", True), ("location-eng", True), ("LOCATION", True), ("com.apple.quicktime.location.ISO6709", True), ("chroma_location", False), ("title", False)],
)
def test_location_tags(key: str, expected: bool) -> None:
    assert is_location_tag(key) is expected


def test_longest_prefix_wins_on_its_own() -> None:
    redactor = Redactor({"/": ["gps"], "/media/users/": ["gps", "serial"], "/media/public/": []})
    assert redactor.kinds_for("/a.jpg") == {"gps"}
    assert redactor.kinds_for("/media/users/42/a.jpg") == {"gps", "serial"}
    assert redactor.kinds_for("/media/public/a.jpg") == set()
    assert redactor.kinds_for(None) == {"gps", "serial"}, "an adapter that gives no path gets every rule"


@pytest.mark.parametrize("path", ["/media//users/a.jpg", "/media/./users/a.jpg", "/media/x/../users/a.jpg", "media/users/a.jpg"])
def test_path_is_normalized_before_matching(path: str) -> None:
    """The wrapped app may serve ``/media/./users/a.jpg`` as ``/media/users/a.jpg``: the rule must follow."""
    assert normalize(path) == "/media/users/a.jpg"
    assert Redactor({"/media/users/": ["gps"]}).kinds_for(path) == {"gps"}


@pytest.mark.parametrize(
    ("rules", "error"),
    [
        pytest.param(["gps"], TypeError, id="not-a-mapping"),
        pytest.param({"/": "gps"}, TypeError, id="a-string"),
        pytest.param({"media/": ["gps"]}, ValueError, id="relative-prefix"),
        pytest.param({"/": ["location"]}, ValueError, id="unknown-kind"),
    ],
)
def test_bad_rules_raise_in_init(rules: t.Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        FopCore(redact=rules)
    with pytest.raises(error):
        FopMiddleware(static_app("."), redact=rules)


@pytest.fixture
def site(tmp_path: pathlib.Path) -> pathlib.Path:
    for sub in ("users", "public"):
        (tmp_path / sub).mkdir()
        for source in (CAMERA_JPG, LOCATION_MP4, LOCATION_MOV):
            shutil.copy(source, tmp_path / sub / source.name)
    return tmp_path


def get_json(client: Client, path: str) -> t.Any:
    with client.get(path) as response:
        assert response.status_code == 200, response.get_data()
        return json.loads(response.get_data())


def test_middleware_redacts_by_prefix(site: pathlib.Path) -> None:
    client = Client(FopMiddleware(static_app(str(site)), redact={"/users/": ["gps", "thumbnail"]}))
    public = get_json(client, "/public/camera.jpg?exif")
    private = get_json(client, "/users/camera.jpg?exif")
    assert any(k.startswith("GPS") for k in public) and any(k.startswith("thumbnail:") for k in public)
    assert private == {k: v for k, v in public.items() if not k.startswith(("GPS", "thumbnail:"))}
    assert private["Make"] == public["Make"]


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe is not installed (apt-get install ffmpeg)")
@pytest.mark.parametrize("name", [LOCATION_MP4.name, LOCATION_MOV.name])
def test_no_location_tag_in_avinfo_with_gps_redacted(site: pathlib.Path, name: str) -> None:
    client = Client(FopMiddleware(static_app(str(site)), redact={"/": ["gps"], "/public/": []}))
    public = json.dumps(get_json(client, f"/public/{name}?avinfo"))
    private = get_json(client, f"/users/{name}?avinfo")
    assert "+48.8577+002.2950" in public
    assert "+48.8577" not in json.dumps(private)
    assert not [k for section in [private["format"], *private["streams"]] for k in section.get("tags", {}) if is_location_tag(k)]


def test_redaction_does_not_touch_other_operations(site: pathlib.Path) -> None:
    client = Client(FopMiddleware(static_app(str(site)), redact={"/": ["gps", "serial", "thumbnail"]}))
    assert get_json(client, "/users/camera.jpg?imageInfo")["orientation"] == "Right-top"
