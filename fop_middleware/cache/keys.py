"""Cache keys: the identity of the file behind a response, and what decides the answer."""

from __future__ import annotations

import hashlib
import io
import json
import os
import typing as t

if t.TYPE_CHECKING:
    from typing import BinaryIO

KEY_PREFIX = "fop:"
#: Bytes of a file's head hashed into a shared key: an app naming files by query
#: (``/download?id=5``) must not mix two files of one size and mtime.
HEAD_BYTES = 4096


def file_identity(file: BinaryIO | None, path: str | None, *, shared: bool) -> list[t.Any] | None:
    """What names this open file's bytes, or None when it has no file descriptor.

    A private store uses device and inode; a shared one the URL path and a hash of the
    file's head, since inodes differ between hosts that hold the same file. Both add size
    and mtime in nanoseconds.
    """
    if file is None:
        return None
    try:
        fd = file.fileno()
        st = os.fstat(fd)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    if shared:
        if path is None:
            return None
        try:
            head = os.pread(fd, HEAD_BYTES, 0)
        except OSError:
            return None
        return ["path", path, st.st_size, st.st_mtime_ns, hashlib.blake2b(head, digest_size=12).hexdigest()]
    return ["inode", st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


def header_identity(headers: t.Sequence[tuple[str, str]], path: str | None, query: str = "") -> list[t.Any] | None:
    """The app's strong ``ETag``, else ``Last-Modified`` with ``Content-Length``, both per URL.

    The query is part of the URL an ETag belongs to (``?size=small`` may be other bytes). A
    weak ETag promises the same meaning, not the same bytes, so it names nothing here.
    """
    if path is None:
        return None
    if query:
        path = f"{path}?{query}"
    found = {k.lower(): v.strip() for k, v in headers if k.lower() in ("etag", "last-modified", "content-length")}
    etag = found.get("etag", "")
    if etag.startswith('"') and len(etag) > 2:
        return ["etag", path, etag]
    if found.get("last-modified") and found.get("content-length", "").isdigit():
        return ["modified", path, found["last-modified"], found["content-length"]]
    return None


def answer_key(context: t.Sequence[t.Any], identity: t.Sequence[t.Any]) -> str:
    """A short key, safe for memcached and Django's key checks, for ``context`` + ``identity``."""
    raw = json.dumps([*context, *identity], ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogateescape")
    return KEY_PREFIX + hashlib.blake2b(raw, digest_size=20).hexdigest()
