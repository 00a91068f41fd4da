"""``fop-middleware serve DIR``: a static file server with the middleware, for demos and tests."""

from __future__ import annotations

import logging
import os
import sys
import typing as t
from concurrent.futures import ThreadPoolExecutor
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.wrappers import Response

from .extractor import DEFAULT_TIMEOUT
from .middleware import FopMiddleware

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

logger = logging.getLogger("fop_middleware")


#: Connections the kernel queues before accept(); socketserver's default of 5 made 21 of
#: 64 simultaneous clients time out (their SYNs dropped and retried with back-off).
LISTEN_BACKLOG = 1024
#: Requests answered at once; more wait in the pool's queue, already accepted.
WORKER_THREADS = 32
#: Seconds a client may stay silent before its connection (and worker) is freed.
CLIENT_TIMEOUT = 60


class ThreadingWSGIServer(WSGIServer):
    """wsgiref's server with a deep listen backlog and a bounded pool of worker threads.

    A slow probe holds one worker, not the accept loop; a burst of clients waits in the
    backlog and the pool's queue instead of in SYN retries, and never spawns a thread each.
    """

    request_queue_size = LISTEN_BACKLOG

    def __init__(self, *args: t.Any, workers: int = WORKER_THREADS, **kwargs: t.Any) -> None:
        # Made first: a failed bind calls server_close(), which shuts the pool down.
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="fop-serve")
        super().__init__(*args, **kwargs)

    def process_request(self, request: t.Any, client_address: t.Any) -> None:
        self.pool.submit(self._process, request, client_address)

    def _process(self, request: t.Any, client_address: t.Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        self.pool.shutdown(wait=False, cancel_futures=True)


class QuietHandler(WSGIRequestHandler):
    """One access-log line per request on stderr, without reverse DNS look-ups."""

    timeout = CLIENT_TIMEOUT

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
    timeout: float = DEFAULT_TIMEOUT,
    isolation: str = "process",
) -> int:
    """Serve ``directory`` until interrupted; returns the process exit status."""
    if not os.path.isdir(directory):
        print(f"fop-middleware serve: not a directory: {directory}", file=sys.stderr)
        return 2
    app = FopMiddleware(static_app(directory), backends=backends, timeout=timeout, isolation=isolation)
    try:
        httpd = make_server(host, port, app, server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    except (OSError, OverflowError) as e:  # the port is taken or out of range, the host is not ours
        print(f"fop-middleware serve: cannot listen on {host}:{port}: {getattr(e, 'strerror', None) or e}", file=sys.stderr)
        return 1
    with httpd:
        print(f"Serving {directory} on http://{host}:{httpd.server_port}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0
