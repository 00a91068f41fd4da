"""Give a login redirect back the operation the app never saw.

The app sees a fop request as a plain GET of the file, so a login redirect it makes
remembers ``next=/private/photo.jpg``; after logging in, the client would get the photo
instead of its EXIF. In a 3xx ``Location``, a query value naming exactly the URL the app
saw (Django's ``redirect_to_login`` puts ``request.get_full_path()`` there, or the
absolute URI for a login page on another host) gets the operation back:
``next=/private/photo.jpg%3Fexif``. Other values, and other redirects, are left as made.
"""

from __future__ import annotations

import typing as t
import urllib.parse

if t.TYPE_CHECKING:
    from .core import FopRequest


def keep_operation(location: str, path: str, request: FopRequest) -> str:
    """``location`` with each query value that names ``path`` plus the app's query given the operation back.

    :param location: the redirect's ``Location``.
    :param path: the request path as the app saw it, decoded (``/private/my photo.jpg``).
    :param request: the fop request; ``request.query`` is what the app saw of the query.
    """
    base, sep, rest = location.partition("?")
    if not sep:
        return location
    query, hash_sep, fragment = rest.partition("#")
    pieces = query.split("&")
    changed = False
    for i, piece in enumerate(pieces):
        key, eq, value = piece.partition("=")
        if not eq:
            continue
        target = urllib.parse.unquote_plus(value)
        with_op = _with_operation(target, path, request)
        if with_op is not None:
            pieces[i] = f"{key}={urllib.parse.quote(with_op, safe='/')}"
            changed = True
    if not changed:
        return location
    return f"{base}?{'&'.join(pieces)}{hash_sep}{fragment}"


def with_operation(headers: t.Sequence[tuple[str, str]], path: str, request: FopRequest) -> list[tuple[str, str]]:
    """``headers`` with their ``Location`` passed through :func:`keep_operation`."""
    return [(k, keep_operation(v, path, request) if k.lower() == "location" else v) for k, v in headers]


def _with_operation(target: str, path: str, request: FopRequest) -> str | None:
    """``target`` with the operation put back, if it is the URL the app saw; else None."""
    parts = urllib.parse.urlsplit(target)
    if parts.fragment or urllib.parse.unquote(parts.path) != path:
        return None
    if urllib.parse.unquote_plus(parts.query) != urllib.parse.unquote_plus(request.query):
        return None
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https"):
            return None
    query = request.op + ("&" + parts.query if parts.query else "")
    return urllib.parse.urlunsplit(parts._replace(query=query))
