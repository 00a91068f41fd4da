"""Check ``redact={"/": ["gps"]}`` over a corpus: no GPS entry and no location tag in any reply.

Run from the project root: ``python bench/check_redact_corpus.py ../shared/corpus``. Every
file under the directory is asked for ``?exif`` and ``?avinfo`` through ``FopMiddleware``
twice, without and with the rule, and for ``?imageInfo`` and ``?imageAve`` once. It prints
how many replies had GPS or location data before, how many still have any after (must be
0), and the status counts of the image operations (a 599 is a crash worth a look).
"""

from __future__ import annotations

import argparse
import collections
import json
import pathlib
import sys
import typing as t
import urllib.parse

from werkzeug.test import Client

from fop_middleware import FopMiddleware
from fop_middleware.redact import is_location_tag
from fop_middleware.serve import static_app


def leaks(op: str, answer: t.Any) -> list[str]:
    """The GPS keys (exif) or location tags (avinfo) left in ``answer``."""
    if not isinstance(answer, dict) or "code" in answer:
        return []
    if op == "exif":
        return [k for k in answer if k.removeprefix("thumbnail:").startswith("GPS")]
    sections = [answer.get("format") or {}, *(answer.get("streams") or [])]
    return [k for s in sections for k in (s.get("tags") or {}) if is_location_tag(k)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", type=pathlib.Path)
    args = parser.parse_args()
    root = args.corpus.resolve()
    whole = Client(FopMiddleware(static_app(str(root))))
    redacted = Client(FopMiddleware(static_app(str(root)), redact={"/": ["gps"]}))
    files = sorted(p for p in root.rglob("*") if p.is_file() and "expected" not in p.relative_to(root).parts)
    before: collections.Counter[str] = collections.Counter()
    after: list[tuple[str, str, list[str]]] = []
    statuses: dict[str, collections.Counter[int]] = {"imageInfo": collections.Counter(), "imageAve": collections.Counter()}
    for path in files:
        url = "/" + urllib.parse.quote(path.relative_to(root).as_posix())
        for op in ("exif", "avinfo"):
            with whole.get(f"{url}?{op}") as response:
                if leaks(op, json.loads(response.get_data())):
                    before[op] += 1
            with redacted.get(f"{url}?{op}") as response:
                left = leaks(op, json.loads(response.get_data()))
                if left:
                    after.append((url, op, left))
        for op in statuses:
            with whole.get(f"{url}?{op}") as response:
                statuses[op][response.status_code] += 1
    print(f"files: {len(files)}")
    print(f"replies with GPS/location data without redact: exif {before['exif']}, avinfo {before['avinfo']}")
    print(f"replies with GPS/location data with redact={{'/': ['gps']}}: {len(after)}")
    for url, op, left in after:
        print(f"  LEAK {url}?{op}: {left}")
    for op, counter in statuses.items():
        print(f"{op} statuses: {dict(sorted(counter.items()))}")
    return 1 if after else 0


if __name__ == "__main__":
    sys.exit(main())
