"""``fop-middleware exif|avinfo FILE``, ``backends``, and the same answer as the middleware."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys
import typing as t

import pytest
from werkzeug.test import Client

from fop_middleware import FopMiddleware
from fop_middleware.cli import main

from conftest import FILES, require_backend, send_file_app

NEEDS_FFPROBE = pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe (Debian ffmpeg) not installed")


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, bytes, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.encode(), err


def served(url: str, root: pathlib.Path = FILES, **options: t.Any) -> bytes:
    response = Client(FopMiddleware(send_file_app(root), **options)).get(url, buffered=True)
    return bytes(response.data)


def test_exif_with_a_backend(test_backends: t.Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "exif", str(FILES / "photo.jpg"), "--backend", "test-exif")
    assert code == 0
    answer = json.loads(out)
    assert answer["name"] == "photo.jpg" and answer["has_path"] is True
    assert out.endswith(b"}\n") and "Café ✓".encode() in out


def test_avinfo_with_a_backend(test_backends: t.Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "avinfo", str(FILES / "tone.wav"), "--backend", "test-avinfo")
    assert code == 0
    assert json.loads(out)["format"] == {"filename": "tone.wav", "format_name": "wav", "size": (FILES / "tone.wav").stat().st_size}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(("exif", "nosuch.jpg"), b'{"code":404,"error":"no such file"}\n', id="missing"),
        pytest.param(("avinfo", "."), b'{"code":400,"error":"not a file"}\n', id="directory"),
        pytest.param(("exif", "notes.txt/x.jpg"), b'{"code":404,"error":"no such file"}\n', id="under-a-file"),
        pytest.param(("exif", "noexif.jpg", "--backend", "test-exif"), b'{"code":400,"error":"no exif data"}\n', id="no-exif"),
        pytest.param(("exif", "notes.txt", "--backend", "test-exif"), b'{"code":400,"error":"unsupported file format for exif"}\n', id="text"),
        pytest.param(("exif", "photo.jpg", "--backend", "test-crash"), b'{"code":599,"error":"server failed to process the file"}\n', id="crash"),
        pytest.param(("exif", "photo.jpg", "--backend", "test-unavailable"), b'{"code":599,"error":"no backend available for exif"}\n', id="unavailable"),
    ],
)
def test_failures_print_json_and_exit_1(
    test_backends: t.Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], expected: bytes
) -> None:
    monkeypatch.chdir(FILES)
    code, out, err = cli(capsys, *args)
    assert (code, out) == (1, expected)
    assert str(FILES) not in out.decode()
    # Issue 9: the person at the terminal gets a sentence too, on stderr, naming the file.
    assert err.startswith(f"fop-middleware: {args[1]}: ")
    assert json.loads(out)["error"] in err


def test_missing_file_is_404_even_without_backends(test_backends: t.Any, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: the backends were checked before the file, so a missing file was a 599."""
    code, out, _ = cli(capsys, "exif", "/nonexistent/photo.jpg", "--backend", "test-unavailable")
    assert (code, out) == (1, b'{"code":404,"error":"no such file"}\n')


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(("exif", "photo.jpg", "--backend", "nosuch"), "unknown backend 'nosuch'", id="unknown"),
        pytest.param(("exif", "photo.jpg", "--backend", "test-avinfo"), "answers 'avinfo', not 'exif'", id="other-op"),
    ],
)
def test_bad_backend_exits_2(test_backends: t.Any, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str) -> None:
    code, out, err = cli(capsys, *args)
    assert code == 2 and out == b""
    assert message in err


def test_backends_lists_availability_and_reasons(test_backends: t.Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "backends")
    assert code == 0
    lines = {line.split()[0]: line.split(None, 2)[1:] for line in out.decode().splitlines()}
    assert {"ffprobe", "mediainfo", "libexif", "pyav", "test-exif", "test-avinfo"} <= set(lines)
    assert lines["test-exif"] == ["exif", "available"]
    assert lines["test-avinfo"] == ["avinfo", "available"]
    assert lines["test-unavailable"] == ["exif", "unavailable: the test says no"]
    assert list(lines) == sorted(lines)


def test_cli_answers_what_the_middleware_serves(test_backends: t.Any, capsys: pytest.CaptureFixture[str]) -> None:
    for op, name, backend in [("exif", "photo.jpg", "test-exif"), ("exif", "noexif.jpg", "test-exif"), ("avinfo", "clip.mp4", "test-avinfo")]:
        _, out, _ = cli(capsys, op, str(FILES / name), "--backend", backend)
        assert out == served(f"/{name}?{op}", backends={op: [backend]}) + b"\n"


@pytest.mark.parametrize("name", ["photo.jpg", "noexif.jpg", "notes.txt"])
def test_real_exif_backend_cli_equals_middleware(clean_registry: None, capsys: pytest.CaptureFixture[str], name: str) -> None:
    require_backend("libexif")
    code, out, _ = cli(capsys, "exif", str(FILES / name))
    assert out == served(f"/{name}?exif") + b"\n"
    if name == "photo.jpg":
        assert code == 0 and json.loads(out)["Make"] == {"val": "Canon", "type": 2}
    else:
        assert code == 1 and json.loads(out)["code"] == 400


@NEEDS_FFPROBE
@pytest.mark.parametrize("name", ["clip.mp4", "tone.wav", "notes.txt"])
def test_real_avinfo_default_order_cli_equals_middleware(clean_registry: None, capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, _ = cli(capsys, "avinfo", str(FILES / name))
    assert out == served(f"/{name}?avinfo") + b"\n"
    if name == "notes.txt":
        assert code == 1 and json.loads(out)["code"] == 400
    else:
        assert code == 0 and json.loads(out)["format"]["filename"] == name


@pytest.mark.parametrize(
    "command",
    [pytest.param(["fop-middleware"], id="script"), pytest.param([sys.executable, "-m", "fop_middleware"], id="python-m")],
)
def test_entry_points_run(command: list[str], tmp_path: pathlib.Path) -> None:
    if command[0] == "fop-middleware" and shutil.which("fop-middleware") is None:
        pytest.skip("the package is not installed (pip install -e .)")
    missing = subprocess.run([*command, "exif", str(tmp_path / "nothing.jpg")], capture_output=True, timeout=60)
    assert (missing.returncode, missing.stdout) == (1, b'{"code":404,"error":"no such file"}\n')
    listing = subprocess.run([*command, "backends"], capture_output=True, timeout=60, text=True)
    assert listing.returncode == 0
    assert [line.split()[0] for line in listing.stdout.splitlines()][:6] == ["ffprobe", "libexif", "mediainfo", "pillow-ave", "pillow-info", "pyav"]
    usage = subprocess.run([*command], capture_output=True, timeout=60, text=True)
    assert usage.returncode == 2 and "usage: fop-middleware" in usage.stderr


def test_unexpected_failure_is_a_599(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        raise RuntimeError("/srv/secret exploded")

    monkeypatch.setattr("fop_middleware.cli.extract_file", broken)
    code, out, err = cli(capsys, "exif", "photo.jpg")
    assert (code, out) == (1, b'{"code":599,"error":"server failed to process the file"}\n')
    assert "/srv/secret exploded" in caplog.text
    assert err == "fop-middleware: photo.jpg: server failed to process the file (run with -v for details)\n"


@pytest.mark.parametrize(
    ("argv", "backends"),
    [
        pytest.param([], None, id="default"),
        pytest.param(["--backend", "test-exif"], {"exif": ["test-exif"]}, id="exif-backend"),
        pytest.param(["--backend", "test-avinfo"], {"avinfo": ["test-avinfo"]}, id="avinfo-backend"),
    ],
)
def test_serve_arguments(test_backends: t.Any, monkeypatch: pytest.MonkeyPatch, argv: list[str], backends: t.Any) -> None:
    calls: list[t.Any] = []
    monkeypatch.setattr("fop_middleware.serve.serve", lambda directory, **kw: calls.append((directory, kw)) or 0)
    assert main(["serve", "site", "--port", "8123", *argv]) == 0
    limits = {"timeout": 5.0, "isolation": "process"}
    assert calls == [("site", {"host": "127.0.0.1", "port": 8123, "backends": backends, **limits})]


def test_serve_with_an_unavailable_backend_exits_2(test_backends: t.Any, capsys: pytest.CaptureFixture[str]) -> None:
    from fop_middleware import registry

    registry.register("absent", "fop_test_absent_module:X")
    assert main(["serve", ".", "--backend", "absent"]) == 2
    assert "cannot use backend 'absent': not installed" in capsys.readouterr().err


def test_version_is_the_installed_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 9: one source of truth, pyproject.toml's version, read back from the install."""
    import importlib.metadata

    import fop_middleware

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"fop-middleware {fop_middleware.__version__}\n"
    assert fop_middleware.__version__ == importlib.metadata.version("fop-middleware")


@pytest.mark.parametrize(
    ("argv", "verbose"),
    [
        pytest.param(["exif", "photo.jpg"], False, id="none"),
        pytest.param(["-v", "exif", "photo.jpg"], True, id="before"),
        pytest.param(["exif", "-v", "photo.jpg"], True, id="after"),
        pytest.param(["avinfo", "clip.mp4", "--verbose"], True, id="last"),
        pytest.param(["serve", "-v", "site"], True, id="serve"),
        pytest.param(["backends", "-v"], True, id="backends"),
    ],
)
def test_verbose_before_or_after_the_subcommand(argv: list[str], verbose: bool) -> None:
    """Issue 9: ``fop-middleware exif -v FILE`` was a usage error."""
    from fop_middleware.cli import build_parser

    assert build_parser().parse_args(argv).verbose is verbose


def test_verbose_after_the_subcommand_logs(test_backends: t.Any, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    code, out, err = cli(capsys, "exif", "-v", str(FILES / "photo.jpg"), "--backend", "test-crash")
    assert code == 1 and json.loads(out)["code"] == 599
    assert "crashed" in caplog.text


def test_closed_pipe_is_not_a_traceback(tmp_path: pathlib.Path) -> None:
    """Issue 9: ``fop-middleware avinfo x | head -c1`` printed a BrokenPipeError traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "fop_middleware", "exif", str(tmp_path / "nothing.jpg")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the JSON is written
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in err and "BrokenPipe" not in err, err


@pytest.mark.parametrize("port", ["80000", "-1", "http"])
def test_serve_with_a_bad_port_is_a_usage_error(port: str) -> None:
    """Issue 9: ``serve --port 80000`` died with an OverflowError traceback."""
    done = subprocess.run([sys.executable, "-m", "fop_middleware", "serve", ".", "--port", port], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"not a TCP port (0-65535): '{port}'" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_timeout_and_isolation(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[t.Any] = []
    monkeypatch.setattr("fop_middleware.serve.serve", lambda directory, **kw: calls.append(kw) or 0)
    assert main(["serve", "site", "--timeout", "2", "--isolation", "inline"]) == 0
    assert (calls[0]["timeout"], calls[0]["isolation"]) == (2.0, "inline")


@pytest.mark.parametrize("argv", [["--timeout", "0"], ["--timeout", "x"], ["--isolation", "sandbox"]])
def test_bad_limits_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["serve", "site", *argv])
    assert e.value.code == 2
