"""``fop-middleware serve DIR``: a static file server with the middleware, for demos and tests."""

from __future__ import annotations

import logging
import os
import socketserver
import sys
import typing as t
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.wrappers import Response

from .middleware import FopMiddleware

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

logger = logging.getLogger("fop_middleware")


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server, one thread per request, so a slow probe does not block the rest."""

    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    """One access-log line per request on stderr, without reverse DNS look-ups."""

    def address_string(self) -> str:
        return str(self.client_address[0])


def static_app(directory: str) -> WSGIApplication:
    """Serve the files under ``directory``; anything else is a 404."""
    not_found = Response("Not Found\n", status=404, mimetype="text/plain")
    return SharedDataMiddleware(not_found, {"/": os.path.abspath(directory)}, cache=False)


def serve(
    directory: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    backends: t.Mapping[str, t.Sequence[str]] | None = None,
    timeout: float = 30.0,
    isolation: str = "process",
) -> int:
    """Serve ``directory`` until interrupted; returns the process exit status."""
    if not os.path.isdir(directory):
        print(f"fop-middleware serve: not a directory: {directory}", file=sys.stderr)
        return 2
    app = FopMiddleware(static_app(directory), backends=backends, timeout=timeout, isolation=isolation)
    try:
        httpd = make_server(host, port, app, server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    except OSError as e:  # the port is taken, the host is not ours
        print(f"fop-middleware serve: cannot listen on {host}:{port}: {e.strerror or e}", file=sys.stderr)
        return 1
    with httpd:
        print(f"Serving {directory} on http://{host}:{httpd.server_port}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0
