"""Bytes each backend reads per file, the measurement behind ``READ_CAPS``.

Run from the project root: ``python bench/read_caps.py [DIR ...]`` (default: the shared
corpus ``../shared/corpus/media`` and ``../shared/corpus/images``, plus the tests' 110 MB
moov-at-end MP4 and 10 MB JPEG). In-process backends are counted through the same bounded
view the supervisor uses, with no cap; ffprobe's reads are FFmpeg's own and not counted
here (its ``-probesize`` of 5 MB bounds them).
"""

from __future__ import annotations

import pathlib
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fop_middleware import registry  # noqa: E402
from fop_middleware.errors import FopError  # noqa: E402
from fop_middleware.extractor import Source  # noqa: E402
from fop_middleware.supervisor.view import READ_CAPS, BoundedView  # noqa: E402

from bigfiles import big_jpeg, big_moov_end_mp4  # noqa: E402

BACKENDS = {"avinfo": ("pyav", "mediainfo"), "exif": ("libexif",)}


def bytes_read(backend: str, path: pathlib.Path) -> int:
    with open(path, "rb") as f:
        size = path.stat().st_size
        view = BoundedView(f, size)
        try:
            registry.get_backend(backend).extract(Source(view, path.name, None, size, 30.0))  # type: ignore[arg-type]
        except FopError:
            pass
        return view.bytes_read


def main() -> None:
    dirs = [pathlib.Path(a) for a in sys.argv[1:]] or [ROOT.parent / "shared" / "corpus" / "media", ROOT.parent / "shared" / "corpus" / "images"]
    with tempfile.TemporaryDirectory() as tmp:
        extra = [big_moov_end_mp4(pathlib.Path(tmp) / "big.mp4"), big_jpeg(pathlib.Path(tmp) / "big.jpg")]
        files = [p for d in dirs if d.is_dir() for p in sorted(d.iterdir()) if p.is_file()] + extra
        for op, names in BACKENDS.items():
            for name in names:
                if not registry.availability(name).ok:
                    continue
                reads = sorted(((bytes_read(name, p), p.name) for p in files), reverse=True)
                total = sum(r for r, _ in reads)
                print(f"{op:<7} {name:<10} files {len(reads):3d}  most {reads[0][0]:>10,} B ({reads[0][1]})  total {total:,} B  cap {READ_CAPS[op]:,} B")


if __name__ == "__main__":
    main()
