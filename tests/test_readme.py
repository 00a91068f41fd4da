"""The README's code runs as shown (issue 9: its gunicorn snippet named an undefined ``not_found_app``)."""

from __future__ import annotations

import re
import subprocess
import sys
import typing as t

import pytest
from werkzeug.test import Client

from servers import ROOT

README = ROOT / "README.md"


def python_block_after(heading: str) -> str:
    """The first ```python block under ``heading`` in the README."""
    text = README.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, f"no python block under {heading!r}"
    return match.group(1)


def test_gunicorn_snippet_runs_and_agrees_with_the_example(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("whitenoise", reason="WhiteNoise is not installed (extra [test])")
    from conftest import backend_module_exists

    code = python_block_after("### A static directory under gunicorn")
    monkeypatch.chdir(ROOT)  # the snippet says: run from the repository root
    namespace: dict[str, t.Any] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    client = Client(namespace["app"])
    missing = client.get("/nothing.jpg", buffered=True)
    assert (missing.status_code, missing.data) == (404, b"Not Found\n")
    assert client.get("/photo.jpg", buffered=True).data == (ROOT / "examples" / "media" / "photo.jpg").read_bytes()
    if backend_module_exists("libexif"):
        assert client.get("/photo.jpg?exif", buffered=True).json["Make"] == {"val": "Canon", "type": 2}

    from test_gunicorn import load_example

    example = load_example("gunicorn_static")
    defined = {name for name in namespace if not name.startswith("__")} - {"WhiteNoise", "FopMiddleware"}
    assert defined == {"not_found", "app"}
    assert all(hasattr(example, name) for name in defined), "README and examples/gunicorn_static.py name different things"
    assert Client(example.app).get("/nothing.jpg", buffered=True).data == missing.data


def test_measuring_command_runs_from_a_clone() -> None:
    """The README's Measuring section starts with a command that needs no corpus outside the repository."""
    assert "python bench/fidelity.py" in README.read_text(encoding="utf-8")
    done = subprocess.run([sys.executable, "bench/fidelity.py"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "exif_fidelity=100.00" in lines
    assert "  exif  noexif.png: refused (no EXIF)" in lines
    assert any(line.startswith("avinfo_fidelity[mediainfo]=") for line in lines)
