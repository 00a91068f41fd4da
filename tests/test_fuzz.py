"""Mutated media through every native backend: whatever the bytes, a JSON answer in time.

A bounded number of inputs per backend runs with the suite (seconds). A long run::

    FOP_FUZZ_EXAMPLES=2000 FOP_FUZZ_SAVE=/tmp/fop-fuzz python -m pytest tests/test_fuzz.py -q

``FOP_FUZZ_SAVE`` keeps every input that cost a helper (a crash or a timeout, i.e. a 599)
for triage; each one found becomes a file in ``tests/files/hostile/`` and so a case of
``tests/test_hostile.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shutil
import time
import typing as t

import pytest

pytest.importorskip("hypothesis", reason="hypothesis is not installed (pip install -e '.[test]')")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fop_middleware.core import FopCore, FopRequest  # noqa: E402
from fop_middleware.supervisor import KILL_GRACE  # noqa: E402

from conftest import require_backend  # noqa: E402

MEDIA = pathlib.Path(__file__).parent / "files" / "media"
SEEDS = ("aac.m4a", "h264_aac_faststart.mp4", "h264_aac.mkv", "h264_aac.ts", "mpeg4_mp3.avi", "vorbis.ogg", "cbr_id3.mp3")
EXAMPLES = int(os.environ.get("FOP_FUZZ_EXAMPLES", "6"))
SAVE = os.environ.get("FOP_FUZZ_SAVE")
TIMEOUT = 1.0
SLACK = 1.0

#: (kind, position as a fraction of the file, length, byte value)
Mutation = t.Tuple[str, float, int, int]

mutations = st.lists(
    st.tuples(
        st.sampled_from(["flip", "set", "insert", "delete", "duplicate", "truncate"]),
        st.floats(0, 1),
        st.integers(1, 4096),
        st.integers(0, 255),
    ),
    min_size=1,
    max_size=8,
)


def mutate(data: bytes, ops: t.Sequence[Mutation]) -> bytes:
    """``data`` with each mutation applied in turn; deterministic, so hypothesis can shrink."""
    buf = bytearray(data)
    for kind, where, length, value in ops:
        pos = int(where * len(buf))
        if kind == "flip" and buf:
            buf[min(pos, len(buf) - 1)] ^= 1 << (value % 8)
        elif kind == "set":
            buf[pos : pos + 4] = value.to_bytes(1, "big") * 4
        elif kind == "insert":
            buf[pos:pos] = bytes([value]) * length
        elif kind == "delete":
            del buf[pos : pos + length]
        elif kind == "duplicate":
            buf[pos:pos] = buf[pos : pos + length]
        elif kind == "truncate":
            del buf[max(pos, 1) :]
    return bytes(buf)


@pytest.fixture(scope="module", params=["mediainfo", "pyav", "ffprobe"])
def core(request: pytest.FixtureRequest) -> FopCore:
    name = t.cast(str, request.param)
    require_backend(name)
    if name == "ffprobe" and shutil.which("ffprobe") is None:
        pytest.skip("ffprobe is not installed (apt-get install ffmpeg)")
    return FopCore(backends={"avinfo": [name]}, timeout=TIMEOUT)


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_mutated_media(core: FopCore, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("fuzz")
    rss = _rss()

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(seed=st.sampled_from(SEEDS), ops=mutations)
    def check(seed: str, ops: list[Mutation]) -> None:
        data = mutate((MEDIA / seed).read_bytes(), ops)
        path = tmp / ("input" + pathlib.Path(seed).suffix)
        path.write_bytes(data)
        start = time.monotonic()
        with open(path, "rb") as f:
            result = core.respond(FopRequest("avinfo", "", False), 200, [], path.name, file=f)
        elapsed = time.monotonic() - start
        assert result is not None
        body = json.loads(result.body)
        assert result.status in (200, 400, 599), body
        assert elapsed < TIMEOUT + KILL_GRACE + SLACK, elapsed
        if result.status == 599 and SAVE:
            os.makedirs(SAVE, exist_ok=True)
            name = f"{core.order['avinfo'][0]}-{hashlib.sha256(data).hexdigest()[:16]}{path.suffix}"
            pathlib.Path(SAVE, name).write_bytes(data)

    check()
    assert _rss() - rss < 100 * 1024 * 1024


def test_mutate_is_deterministic() -> None:
    data = bytes(range(256)) * 4
    ops: list[Mutation] = [("flip", 0.5, 1, 3), ("insert", 0.1, 10, 7), ("truncate", 0.9, 1, 0)]
    assert mutate(data, ops) == mutate(data, ops)
    assert mutate(data, ops) != data
