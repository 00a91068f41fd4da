"""Backends that misbehave the way native parsers do, run in helper processes by the tests.

They live in a module of their own (not in a test function) because a helper unpickles
the backend it runs, so its class must be importable there.
"""

from __future__ import annotations

import ctypes
import os
import signal
import typing as t

from fop_middleware.extractor import Extractor, Source


class Supervised(Extractor):
    """Base: an avinfo backend that declares it must run in a helper."""

    name = "test-supervised"
    operation = "avinfo"
    isolation = "process"

    def extract(self, source: Source) -> dict[str, t.Any]:
        data = source.stream.read()
        return {"pid": os.getpid(), "read": len(data), "size": source.size, "head": data[:4].decode("latin-1")}


class StuckInC(Supervised):
    """Blocks in a C call that ignores Python's signals, like libmediainfo spinning."""

    name = "test-stuck"

    def extract(self, source: Source) -> dict[str, t.Any]:
        ctypes.CDLL(None).sleep(60)
        return {"woke": True}


class Segfault(Supervised):
    """Dies of SIGSEGV, like libmediainfo on a torn file."""

    name = "test-segfault"

    def extract(self, source: Source) -> dict[str, t.Any]:
        os.kill(os.getpid(), signal.SIGSEGV)
        return {}


class Hog(Supervised):
    """Asks for 4 GiB, like libmediainfo on mediainfo-hang-d6994c49968238fb.mp4."""

    name = "test-hog"

    def extract(self, source: Source) -> dict[str, t.Any]:
        hog = bytearray(4 * 1024 * 1024 * 1024)
        return {"got": len(hog)}


class Grower(Supervised):
    """Appends to the file it is reading, then reads to the end: a file that grows."""

    name = "test-grower"

    def extract(self, source: Source) -> dict[str, t.Any]:
        with open(f"/proc/self/fd/{source.stream.fileno()}", "ab") as f:
            f.write(b"\x00" * (1024 * 1024))
        end = source.stream.seek(0, os.SEEK_END)
        source.stream.seek(0)
        return {"end": end, "read": len(source.stream.read())}


class Late(Supervised):
    """Answers a 200 just after its time limit, as mediainfo did with a cut input."""

    name = "test-late"

    def extract(self, source: Source) -> dict[str, t.Any]:
        import time

        time.sleep(source.timeout + 0.05)
        return {"partial": True}


BACKENDS: dict[str, type[Extractor]] = {
    cls.name: cls for cls in (Supervised, StuckInC, Segfault, Hog, Grower, Late)
}
