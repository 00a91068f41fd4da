"""Fidelity of each backend against the reference answers committed in ``tests/files/``.

Run from the project root, with nothing but a clone and ``pip install -e '.[test]'``::

    python bench/fidelity.py [--details]

``tests/files/images/*.json`` are libexif 0.6.24's answers (the reference program's
``--container`` mode) and ``tests/files/media/*.json`` are ffprobe 5.1's; their READMEs say
how each file and answer was made. A field is exact when its key, value and JSON type are
all equal (``format.filename`` is not compared). Prints one line per backend, then
``exif_fidelity=`` and ``avinfo_fidelity[<backend>]=`` as the shared scorers do.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import typing as t

from fop_middleware import registry
from fop_middleware.cli import extract_file
from fop_middleware.errors import FopError
from fop_middleware.runner import dumps

ROOT = pathlib.Path(__file__).resolve().parent.parent
IMAGES = ROOT / "tests" / "files" / "images"
MEDIA = ROOT / "tests" / "files" / "media"

#: Files libexif cannot open whose block is the same as another file's (images/README.md).
EXIF_SAME_AS = {"camera.png": "camera.jpg", "camera.webp": "camera.jpg", "camera.jxl": "camera.jpg", "intel.orf": "intel.tif", "intel.rw2": "intel.tif"}
#: Files with no EXIF: the answer must be an error.
EXIF_NONE = ("noexif.png",)


def leaves(value: t.Any, prefix: str = "") -> dict[str, t.Any]:
    """``{"streams.0.codec_name": "h264", ...}``: every scalar of a JSON answer by its path."""
    if isinstance(value, dict):
        items: t.Iterable[tuple[t.Any, t.Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return {prefix: value}
    out: dict[str, t.Any] = {}
    for key, item in items:
        out.update(leaves(item, f"{prefix}.{key}" if prefix else str(key)))
    return out


def answer(op: str, path: pathlib.Path, backend: str | None = None) -> dict[str, t.Any] | None:
    """The answer as a client parses it (JSON types, not the backend's Python ones), or None for an error."""
    try:
        got: dict[str, t.Any] = json.loads(dumps(extract_file(op, str(path), backend)))
    except FopError:
        return None
    return got


def score(expected: dict[str, t.Any], got: dict[str, t.Any] | None, skip: tuple[str, ...] = ()) -> tuple[int, int, list[str]]:
    """(exact leaves, expected leaves, paths that differ)."""
    want = {k: v for k, v in leaves(expected).items() if k not in skip}
    have = leaves(got or {})
    wrong = [k for k, v in want.items() if k not in have or have[k] != v or type(have[k]) is not type(v)]
    return len(want) - len(wrong), len(want), wrong


def score_exif(details: bool) -> float:
    exact = total = 0
    for path in sorted(IMAGES.iterdir()):
        if path.suffix in (".json", ".py", ".md"):
            continue
        got = answer("exif", path, "libexif")
        if path.name in EXIF_NONE:
            print(f"  exif  {path.name}: {'refused' if got is None else 'ANSWERED'} (no EXIF)")
            continue
        reference = IMAGES / (EXIF_SAME_AS.get(path.name, path.name) + ".json")
        if not reference.exists():
            continue
        good, count, wrong = score(json.loads(reference.read_text(encoding="utf-8")), got)
        exact, total = exact + good, total + count
        print(f"  exif  {path.name}: {good}/{count}" + (f"  differ: {', '.join(wrong[:8])}" if details and wrong else ""))
    return 100.0 * exact / total if total else 0.0


def score_avinfo(backend: str, details: bool) -> float:
    exact = total = 0
    for reference in sorted(MEDIA.glob("*.json")):
        path = MEDIA / reference.name[: -len(".json")]
        if not path.exists():
            continue
        good, count, wrong = score(json.loads(reference.read_text(encoding="utf-8")), answer("avinfo", path, backend), ("format.filename",))
        exact, total = exact + good, total + count
        if details:
            print(f"  {backend:<9} {path.name}: {good}/{count}" + (f"  differ: {', '.join(wrong[:8])}" if wrong else ""))
    return 100.0 * exact / total if total else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--details", action="store_true", help="list the fields that differ, per file")
    args = parser.parse_args()
    print(f"exif_fidelity={score_exif(args.details):.2f}")
    for backend in ("ffprobe", "pyav", "mediainfo"):
        status = registry.availability(backend)
        if not status.ok:
            print(f"avinfo_fidelity[{backend}]=skipped ({status.reason})")
            continue
        print(f"avinfo_fidelity[{backend}]={score_avinfo(backend, args.details):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
