"""A gunicorn config (``-c``) that logs each ``sendfile()`` attempt, to prove plain files still use it.

Each line in ``$FOP_SENDFILE_LOG`` is ``<request path> <True|False>`` (whether sendfile was used).
"""

from __future__ import annotations

import os
import typing as t

from gunicorn.http import wsgi

_sendfile = wsgi.Response.sendfile


def _logging_sendfile(self: t.Any, respiter: t.Any) -> bool:
    used = bool(_sendfile(self, respiter))
    with open(os.environ["FOP_SENDFILE_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{self.req.path} {used}\n")
    return used


wsgi.Response.sendfile = _logging_sendfile  # type: ignore[method-assign]


def post_worker_init(worker: t.Any) -> None:
    """Record the worker class that really runs, since gunicorn may swap sync for gthread."""
    with open(os.environ["FOP_SENDFILE_LOG"], "a", encoding="utf-8") as log:
        log.write(f"worker {type(worker).__name__}\n")
