"""The sdist runs its own tests: it ships all of ``tests/`` and the ``examples/`` they serve.

Regression: the sdist shipped ``tests/test_*.py`` without ``conftest.py``, the helpers
or ``tests/files/``, so its tests could not even be collected.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import tarfile
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
#: Folders the sdist must carry whole for ``python -m pytest`` to pass in it.
SHIPPED = ("tests", "examples")


def project_files(folder: str) -> set[str]:
    """Every file under ``folder`` as the checkout has it, caches and bytecode aside."""
    return {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
    }


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    pytest.importorskip("setuptools", reason="setuptools (in the [test] extra) builds the sdist")
    out = tmp_path_factory.mktemp("sdist")
    code = f"from setuptools import build_meta; print(build_meta.build_sdist({str(out)!r}))"
    # a child process: the build writes an egg-info beside the sources and must not see our imports
    built = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert built.returncode == 0, built.stderr[-2000:]
    return out / built.stdout.strip().splitlines()[-1]


def sdist_members(path: pathlib.Path) -> set[str]:
    with tarfile.open(path) as tar:
        return {m.name.split("/", 1)[1] for m in tar.getmembers() if m.isfile() and "/" in m.name}


def test_the_sdist_ships_every_test_file_and_example(sdist: pathlib.Path) -> None:
    members = sdist_members(sdist)
    for folder in SHIPPED:
        missing = project_files(folder) - members
        assert not missing, f"sdist lacks {sorted(missing)[:10]}"
    assert {"tests/conftest.py", "pyproject.toml", "README.md", "LICENSE"} <= members
    assert not [m for m in members if "__pycache__" in m or m.endswith(".pyc")]


def test_the_sdist_collects_and_runs_its_own_tests(sdist: pathlib.Path, tmp_path: pathlib.Path) -> None:
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp_path, filter="data")
    (tree,) = tmp_path.iterdir()
    env = {**os.environ, "PYTHONPATH": str(tree)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_backend_libexif.py", "tests/test_selftest.py"],
        cwd=tree, env=env, capture_output=True, text=True, timeout=240,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert " passed" in run.stdout.splitlines()[-1]


def test_metadata_says_what_ci_runs() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11"
    versions = sorted(c.rsplit(":: ", 1)[1] for c in project["classifiers"] if c.startswith("Programming Language :: Python :: 3."))
    assert versions == ["3.11", "3.12", "3.13"]
    assert any(dep.startswith("av>=") for dep in project["dependencies"]), "PyAV is a core dependency"
    assert project["optional-dependencies"]["av"] == [], "kept as an alias for old install commands"
