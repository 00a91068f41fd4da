"""The backend registry: built-ins, entry points, clobbering, availability, broken plugins."""

from __future__ import annotations

import importlib.metadata
import logging
import pathlib
import sys
import textwrap
import typing as t

import pytest

from fop_middleware import Extractor, FopMiddleware, registry
from fop_middleware.core import FopCore
from fop_middleware.errors import ExtractorFailure
from fop_middleware.extractor import OPERATIONS

from conftest import FakeAvinfo, FakeExif

pytestmark = pytest.mark.usefixtures("clean_registry")

PLUGINS = {
    "fop_test_plugin": """
        from fop_middleware import Extractor

        class PluginExif(Extractor):
            name = "plugin-exif"
            operation = "exif"

            def extract(self, source):
                return {"plugin": True}

        class NotAnExtractor:
            pass
    """,
    "fop_test_broken": """
        raise RuntimeError("this plugin is broken at import")
    """,
    "fop_test_bad_init": """
        from fop_middleware import Extractor

        class BadInit(Extractor):
            name = "bad-init"
            operation = "exif"

            def __init__(self):
                raise OSError("cannot start")

            def extract(self, source):
                return {}
    """,
}


@pytest.fixture
def entry_points(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> t.Callable[..., None]:
    """Install fake plugin modules and make ``entry_points`` list the given ones."""
    for module, source in PLUGINS.items():
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        monkeypatch.delitem(sys.modules, module, raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))

    def install(**points: str) -> None:
        eps = [importlib.metadata.EntryPoint(name, value, registry.ENTRY_POINT_GROUP) for name, value in points.items()]

        def fake(**kwargs: t.Any) -> list[importlib.metadata.EntryPoint]:
            assert kwargs == {"group": registry.ENTRY_POINT_GROUP}
            return eps

        monkeypatch.setattr(importlib.metadata, "entry_points", fake)

    yield install
    for module in PLUGINS:
        sys.modules.pop(module, None)


def test_builtins_are_sorted_and_cover_the_default_order() -> None:
    assert list(registry.BUILTIN_BACKENDS) == sorted(registry.BUILTIN_BACKENDS)
    assert set(registry.DEFAULT_ORDER) == set(OPERATIONS)
    for names in registry.DEFAULT_ORDER.values():
        assert set(names) <= set(registry.BUILTIN_BACKENDS)
    assert registry.DEFAULT_ORDER["exif"] == ("libexif",)
    assert "mediainfo" in registry.DEFAULT_ORDER["avinfo"], "a bare pip install must answer ?avinfo"


def test_pyav_answers_avinfo_first() -> None:
    """In-process PyAV (a core dependency) before a process start-up per request (README, *Backends*)."""
    assert registry.DEFAULT_ORDER["avinfo"] == ("pyav", "ffprobe", "mediainfo")


def test_register_class_and_clobber_rule() -> None:
    registry.register("mine", FakeExif)
    assert isinstance(registry.get_backend("mine"), FakeExif)
    with pytest.raises(ValueError, match="clobber=True"):
        registry.register("mine", FakeAvinfo)
    with pytest.raises(ValueError, match="clobber=True"):
        registry.register("libexif", FakeExif)
    registry.register("mine", FakeAvinfo, clobber=True)
    assert isinstance(registry.get_backend("mine"), FakeAvinfo), "clobbering drops the cached instance"


def test_register_dotted_path() -> None:
    registry.register("dotted", "conftest:FakeExif")
    assert type(registry.get_backend("dotted")).__name__ == "FakeExif"
    assert registry.get_backend("dotted") is registry.get_backend("dotted"), "instances are cached"


def test_register_a_local_class() -> None:
    """Regression: a class defined in a function was stored by dotted path and could not be loaded."""

    class Local(Extractor):
        name = "local"
        operation = "exif"

        def extract(self, source: t.Any) -> dict[str, t.Any]:
            return {}

    registry.register("local", Local)
    assert isinstance(registry.get_backend("local"), Local)


def test_register_rejects_a_non_extractor() -> None:
    with pytest.raises(TypeError):
        registry.register("nope", dict)  # type: ignore[arg-type]


def test_unknown_backend() -> None:
    with pytest.raises(registry.UnknownBackend, match="nosuch"):
        registry.get_backend("nosuch")
    assert issubclass(registry.UnknownBackend, ValueError)
    status = registry.availability("nosuch")
    assert not status.ok and "unknown backend" in status.reason
    with pytest.raises(ValueError, match="nosuch"):
        FopMiddleware(lambda e, s: [], backends={"avinfo": ["ffprobe", "nosuch"]})


def test_entry_point_backend_is_registered_and_used(entry_points: t.Callable[..., None]) -> None:
    entry_points(**{"plugin-exif": "fop_test_plugin:PluginExif"})
    assert "plugin-exif" in registry.registered_names()
    assert registry.availability("plugin-exif").ok
    assert registry.operation_of("plugin-exif") == "exif"
    core = FopCore(backends={"exif": ["plugin-exif"]})
    assert core.order["exif"] == ("plugin-exif",)


def test_entry_point_cannot_take_a_builtin_name(entry_points: t.Callable[..., None], caplog: pytest.LogCaptureFixture) -> None:
    entry_points(libexif="fop_test_plugin:PluginExif")
    with caplog.at_level(logging.WARNING, logger="fop_middleware"):
        names = registry.registered_names()
    assert names.count("libexif") == 1
    assert "already registered" in caplog.text
    assert registry._registry["libexif"] == registry.BUILTIN_BACKENDS["libexif"]


def test_entry_points_are_read_once(entry_points: t.Callable[..., None]) -> None:
    entry_points(**{"plugin-exif": "fop_test_plugin:PluginExif"})
    registry.registered_names()
    entry_points()
    assert "plugin-exif" in registry.registered_names()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param("fop_test_broken:Anything", "this plugin is broken at import", id="raises-on-import"),
        pytest.param("fop_test_missing_module:X", "not installed", id="missing-module"),
        pytest.param("fop_test_plugin:Missing", "cannot load", id="missing-class"),
        pytest.param("fop_test_plugin:NotAnExtractor", "not an Extractor subclass", id="not-an-extractor"),
        pytest.param("fop_test_bad_init:BadInit", "cannot start", id="init-raises"),
    ],
)
def test_broken_plugin_is_logged_and_skipped(
    entry_points: t.Callable[..., None], caplog: pytest.LogCaptureFixture, value: str, reason: str
) -> None:
    entry_points(broken=value, **{"plugin-exif": "fop_test_plugin:PluginExif"})
    with caplog.at_level(logging.DEBUG, logger="fop_middleware"):
        status = registry.availability("broken")
    assert not status.ok
    assert reason in status.reason
    assert "reinstall the package that provides" in status.reason
    assert any(r.name == "fop_middleware" and r.exc_info for r in caplog.records)
    assert registry.operation_of("broken") is None
    backends = registry.available_backends(["broken", "plugin-exif"])
    assert [b.name for b in backends] == ["plugin-exif"]
    assert FopCore(backends={"exif": ["broken", "plugin-exif"]}).order["exif"] == ("broken", "plugin-exif")


def test_unavailable_backend_reason(test_backends: t.Any) -> None:
    status = registry.availability("test-unavailable")
    assert status == registry.Availability(False, "the test says no")
    assert registry.available_backends(["test-unavailable", "test-exif"])[0].name == "test-exif"


def test_require_backends_none_available(test_backends: t.Any, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(ExtractorFailure, match="no backend available for exif"):
        registry.require_backends("exif", ["test-unavailable"])
    assert "test-unavailable" in caplog.text


def test_missing_builtin_module_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry._registry, "pyav", ("fop_test_no_such_module:X", "pip install 'fop-middleware[av]'"))
    status = registry.availability("pyav")
    assert not status.ok
    assert status.reason.startswith("not installed:") and "pip install 'fop-middleware[av]'" in status.reason


@pytest.mark.parametrize(
    ("order", "message"),
    [
        pytest.param({"thumb": ["libexif"]}, "unknown operation", id="op"),
        pytest.param({"exif": []}, "no backend configured", id="empty"),
        pytest.param({"exif": ["nosuch"]}, "unknown backend", id="name"),
        pytest.param({"exif": ["test-avinfo"]}, "answers 'avinfo', not 'exif'", id="other-op"),
    ],
)
def test_validate_order_errors(test_backends: t.Any, order: dict[str, list[str]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        registry.validate_order(order)


def test_validate_order_fills_defaults(test_backends: t.Any) -> None:
    order = registry.validate_order({"exif": "test-exif"})
    assert order == {**registry.DEFAULT_ORDER, "exif": ("test-exif",)}
    assert registry.validate_order(None) == registry.DEFAULT_ORDER
