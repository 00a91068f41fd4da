"""Privacy on the reply: leave GPS, serial numbers or thumbnail entries out of an answer, per path.

Applied to the answer after extraction (a cache of answers keeps them whole), so the same
file can answer in full under one prefix and redacted under another. Rules are keyed by
path prefix and the longest matching prefix wins on its own: ``{"/": ["gps"],
"/public/": []}`` keeps GPS under ``/public/`` only.
"""

from __future__ import annotations

import posixpath
import typing as t
from collections.abc import Mapping

#: What a rule may name.
KINDS = ("gps", "serial", "thumbnail")

THUMBNAIL_PREFIX = "thumbnail:"
#: libexif names of the entries "serial" leaves out: body and lens serial numbers, owner names.
SERIAL_TAGS = frozenset({"BodySerialNumber", "LensSerialNumber", "CameraOwnerName"})
#: ffprobe tag keys holding a place (QuickTime's ISO 6709 string, MP4's ``©xyz`` as ``location``).
LOCATION_TAGS = frozenset({"com.apple.quicktime.location.iso6709", "location"})
LOCATION_TAG_PREFIXES = ("com.apple.quicktime.location.", "location-")


def validate(rules: Mapping[str, t.Iterable[str]] | None) -> dict[str, frozenset[str]]:
    """Check ``{prefix: [kind, ...]}`` at configuration time.

    :raises TypeError: not a mapping of strings to lists of strings.
    :raises ValueError: a prefix not starting with ``/``, or an unknown kind.
    """
    if rules is None:
        return {}
    if not isinstance(rules, Mapping):
        raise TypeError(f"redact must map a path prefix to a list of {', '.join(KINDS)}, not {rules!r}")
    checked: dict[str, frozenset[str]] = {}
    for prefix, kinds in rules.items():
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise ValueError(f"redact: a path prefix must start with '/', not {prefix!r}")
        if isinstance(kinds, str) or not all(isinstance(k, str) for k in kinds):
            raise TypeError(f"redact: {prefix!r} must map to a list of names, not {kinds!r}")
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"redact: unknown {', '.join(sorted(unknown))!s} for {prefix!r}; expected some of {', '.join(KINDS)}")
        checked[prefix] = frozenset(kinds)
    return checked


class Redactor:
    """The redaction rules of one configuration.

    :param rules: path prefix -> what to leave out (``"gps"``, ``"serial"``, ``"thumbnail"``).

    Usage::

        redactor = Redactor({"/media/users/": ["gps", "serial"]})
        answer = redactor.apply("exif", answer, "/media/users/42/photo.jpg")
    """

    def __init__(self, rules: Mapping[str, t.Iterable[str]] | None = None) -> None:
        self.rules = validate(rules)
        # Longest first, so the first match is the one that wins.
        self._ordered = sorted(self.rules.items(), key=lambda item: len(item[0]), reverse=True)
        self._everything = frozenset().union(*self.rules.values()) if self.rules else frozenset()

    def __bool__(self) -> bool:
        return bool(self._everything)

    def kinds_for(self, path: str | None) -> frozenset[str]:
        """What to leave out for a request ``path``; every kind any rule names when it is unknown."""
        if path is None:
            return self._everything
        path = normalize(path)
        for prefix, kinds in self._ordered:
            if path.startswith(prefix) or path + "/" == prefix:
                return kinds
        return frozenset()

    def apply(self, op: str, answer: dict[str, t.Any], path: str | None) -> dict[str, t.Any]:
        """``answer`` without what the rule for ``path`` names; a new dict, the original is left whole."""
        kinds = self.kinds_for(path) if self else frozenset()
        if not kinds:
            return answer
        if op == "exif":
            return redact_exif(answer, kinds)
        if op == "avinfo" and "gps" in kinds:
            return redact_avinfo(answer)
        return answer


def normalize(path: str) -> str:
    """``path`` with ``//``, ``.`` and ``..`` resolved, so ``/media/./users/x`` meets ``/media/users/``."""
    normal = posixpath.normpath("/" + path.lstrip("/"))
    normal = "/" + normal.lstrip("/")
    return normal + "/" if path.endswith("/") and normal != "/" else normal


def redact_exif(answer: dict[str, t.Any], kinds: frozenset[str]) -> dict[str, t.Any]:
    return {key: value for key, value in answer.items() if not _exif_key_is_redacted(key, kinds)}


def _exif_key_is_redacted(key: str, kinds: frozenset[str]) -> bool:
    thumbnail = key.startswith(THUMBNAIL_PREFIX)
    if thumbnail and "thumbnail" in kinds:
        return True
    name = key[len(THUMBNAIL_PREFIX) :] if thumbnail else key
    if "gps" in kinds and name.startswith("GPS"):
        return True
    return "serial" in kinds and name in SERIAL_TAGS


def redact_avinfo(answer: dict[str, t.Any]) -> dict[str, t.Any]:
    """The location tags out of ``format.tags`` and each stream's ``tags``."""
    result = dict(answer)
    if isinstance(result.get("format"), dict):
        result["format"] = _without_location(result["format"])
    if isinstance(result.get("streams"), list):
        result["streams"] = [_without_location(s) if isinstance(s, dict) else s for s in result["streams"]]
    return result


def _without_location(section: dict[str, t.Any]) -> dict[str, t.Any]:
    tags = section.get("tags")
    if not isinstance(tags, dict):
        return section
    kept = {k: v for k, v in tags.items() if not is_location_tag(k)}
    result = dict(section)
    if kept:
        result["tags"] = kept
    else:
        del result["tags"]
    return result


def is_location_tag(key: str) -> bool:
    lower = key.lower()
    return lower in LOCATION_TAGS or lower.startswith(LOCATION_TAG_PREFIXES)
