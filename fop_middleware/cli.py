"""``fop-middleware``: run an operation on a file, list backends, or serve a directory."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import typing as t

from . import registry
from .errors import ExtractorFailure, FopError, NotFound
from .extractor import OPERATIONS, Source
from .runner import dumps, run


def _order(op: str, backend: str | None) -> tuple[str, ...]:
    if backend:
        return registry.validate_order({op: [backend]})[op]
    return registry.DEFAULT_ORDER[op]


def extract_file(op: str, path: str, backend: str | None = None) -> dict[str, t.Any]:
    """The answer the middleware would serve for the file at ``path``."""
    order = _order(op, backend)
    try:
        f = open(path, "rb")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as e:
        raise NotFound() from e
    with f:
        backends = registry.require_backends(op, order)
        size = os.fstat(f.fileno()).st_size
        source = Source(f, os.path.basename(path), os.path.abspath(path), size)
        return run(op, source, backends)


def _cmd_op(args: argparse.Namespace) -> int:
    try:
        _order(args.op, args.backend)
    except ValueError as e:  # an unknown backend, or one for the other operation
        print(e, file=sys.stderr)
        return 2
    try:
        output, code = dumps(extract_file(args.op, args.file, args.backend)), 0
    except FopError as e:
        output, code = dumps(e.as_dict()), 1
    except Exception:
        logging.getLogger("fop_middleware").exception("unexpected failure")
        output, code = dumps(ExtractorFailure().as_dict()), 1
    sys.stdout.buffer.write(output + b"\n")
    sys.stdout.flush()
    return code


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
    return serve(args.directory, host=args.host, port=args.port, backends=backends)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fop-middleware", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log backend details to stderr")
    sub = parser.add_subparsers(dest="command", required=True)
    for op in OPERATIONS:
        p = sub.add_parser(op, help=f"print the ?{op} answer for FILE")
        p.add_argument("file", metavar="FILE")
        p.add_argument("--backend", metavar="NAME", help="use this backend only")
        p.set_defaults(func=_cmd_op, op=op)
    p = sub.add_parser("backends", help="list backends and whether they are available")
    p.set_defaults(func=_cmd_backends)
    p = sub.add_parser("serve", help="serve DIR's files with ?exif and ?avinfo")
    p.add_argument("directory", metavar="DIR")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--backend", metavar="NAME", help="use this backend only for its operation")
    p.set_defaults(func=_cmd_serve)
    return parser


def main(argv: t.Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return int(args.func(args))
