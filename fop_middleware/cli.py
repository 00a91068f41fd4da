"""``fop-middleware``: run an operation on a file, list backends, or serve a directory."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import typing as t

from . import __version__, registry
from .errors import BadRequest, ExtractorFailure, FopError, NotFound
from .extractor import DEFAULT_TIMEOUT, OPERATIONS, Source
from .runner import dumps, run
from .supervisor import ISOLATIONS, Limits


def _order(op: str, backend: str | None) -> tuple[str, ...]:
    if backend:
        return registry.validate_order({op: [backend]})[op]
    return registry.DEFAULT_ORDER[op]


def extract_file(
    op: str, path: str, backend: str | None = None, *, timeout: float = DEFAULT_TIMEOUT, isolation: str = "process"
) -> dict[str, t.Any]:
    """The answer the middleware would serve for the file at ``path``."""
    order = _order(op, backend)
    if os.path.isdir(path):
        raise NotAFile()
    try:
        f = open(path, "rb")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as e:
        raise NotFound() from e
    with f:
        backends = registry.require_backends(op, order)
        size = os.fstat(f.fileno()).st_size
        source = Source(f, os.path.basename(path), os.path.abspath(path), size, timeout)
        return run(op, source, backends, Limits(isolation))


class NotAFile(BadRequest):
    """400: the path names a directory (or another non-file), which no operation reads."""

    default_message = "not a file"


def _cmd_op(args: argparse.Namespace) -> int:
    try:
        _order(args.op, args.backend)
    except ValueError as e:  # an unknown backend, or one for the other operation
        print(e, file=sys.stderr)
        return 2
    try:
        output, code = dumps(extract_file(args.op, args.file, args.backend, timeout=args.timeout, isolation=args.isolation)), 0
    except FopError as e:
        output, code = dumps(e.as_dict()), 1
        _say(f"{args.file}: {e.message}")
    except Exception:
        logging.getLogger("fop_middleware").exception("unexpected failure")
        output, code = dumps(ExtractorFailure().as_dict()), 1
        _say(f"{args.file}: {ExtractorFailure.default_message} (run with -v for details)")
    sys.stdout.buffer.write(output + b"\n")
    sys.stdout.flush()
    return code


def _say(message: str) -> None:
    """A line for the person at the terminal; stdout keeps the JSON alone, for pipes."""
    print(f"fop-middleware: {message}", file=sys.stderr)


def _cmd_backends(args: argparse.Namespace) -> int:
    for name in registry.registered_names():
        status = registry.availability(name)
        op = registry.operation_of(name) or "?"
        mark = "available" if status.ok else f"unavailable: {status.reason}"
        print(f"{name:<12} {op:<9} {mark}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    backends = None
    if args.backend:
        op = registry.operation_of(args.backend)
        if op is None:
            status = registry.availability(args.backend)
            print(f"fop-middleware serve: cannot use backend {args.backend!r}: {status.reason}", file=sys.stderr)
            return 2
        backends = {op: [args.backend]}
    return serve(
        args.directory, host=args.host, port=args.port, backends=backends, timeout=args.timeout, isolation=args.isolation
    )


def _positive(value: str) -> float:
    seconds = float(value)
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {value!r}")
    return seconds


def _add_limits(p: argparse.ArgumentParser) -> None:
    p.add_argument("--timeout", type=_positive, default=DEFAULT_TIMEOUT, help=f"seconds an extraction may take ({DEFAULT_TIMEOUT:g})")
    p.add_argument(
        "--isolation", choices=ISOLATIONS, default="process", help="run native backends in helper processes (default) or inline"
    )


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a TCP port (0-65535): {value!r}")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fop-middleware", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log backend details to stderr")
    # -v after the subcommand too; SUPPRESS keeps a -v given before it from being reset.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log backend details to stderr")
    sub = parser.add_subparsers(dest="command", required=True)
    for op in OPERATIONS:
        p = sub.add_parser(op, parents=[common], help=f"print the ?{op} answer for FILE")
        p.add_argument("file", metavar="FILE")
        p.add_argument("--backend", metavar="NAME", help="use this backend only")
        _add_limits(p)
        p.set_defaults(func=_cmd_op, op=op)
    p = sub.add_parser("backends", parents=[common], help="list backends and whether they are available")
    p.set_defaults(func=_cmd_backends)
    p = sub.add_parser("serve", parents=[common], help="serve DIR's files with ?exif and ?avinfo")
    p.add_argument("directory", metavar="DIR")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_port, default=8000)
    p.add_argument("--backend", metavar="NAME", help="use this backend only for its operation")
    _add_limits(p)
    p.set_defaults(func=_cmd_serve)
    return parser


def main(argv: t.Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except BrokenPipeError:
        # The reader went away (`... | head -c1`): not our error, and Python's own flush at
        # exit must not hit the closed pipe again (docs.python.org/3/library/signal.html#note-on-sigpipe).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
