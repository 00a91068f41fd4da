"""Print a pip constraints file pinning every ``>=`` bound of pyproject.toml to that release.

``.ci/run`` installs the project with it once, so that the oldest releases the metadata
allows are really tested: a lower bound that does not work fails CI instead of a user.
Covers ``[build-system] requires``, ``dependencies`` and the ``test`` extra.
"""

from __future__ import annotations

import pathlib
import re
import sys
import tomllib

BOUND = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*>=\s*([^,;\s]+)")


def lowest(pyproject: pathlib.Path) -> list[str]:
    """``name==version`` for each requirement with a ``>=`` bound, sorted, one per name."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data["project"]
    requirements = [
        *data.get("build-system", {}).get("requires", []),
        *project.get("dependencies", []),
        *project.get("optional-dependencies", {}).get("test", []),
    ]
    pins: dict[str, str] = {}
    for requirement in requirements:
        match = BOUND.match(requirement)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


if __name__ == "__main__":
    path = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml")
    print("\n".join(lowest(path)))
