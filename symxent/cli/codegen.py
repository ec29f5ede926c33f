"""``symxent codegen ID --target numpy|c|torch|jax [-o FILE]`` and ``symxent codegen --list``."""

from __future__ import annotations

import argparse

from ..codegen import TARGETS, catalogue, codegen
from ..errors import InvalidInput
from ..registry import get
from ._common import write_output


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("codegen", help="source code for a derivation's numeric result")
    p.add_argument("id", nargs="?", help="a derivation ID (see `symxent codegen --list`)")
    p.add_argument("--target", choices=tuple(TARGETS), default="numpy")
    p.add_argument("--list", action="store_true", help="the IDs that have a numeric result")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.list == bool(args.id):
        raise InvalidInput("give a derivation ID or --list (not both, not neither)")
    if args.list:
        ids = catalogue()
        width = max(map(len, ids), default=0)
        write_output("\n".join(f"{i:<{width}}  {get(i).title}" for i in ids), args.output)
        return 0
    write_output(codegen(args.id, args.target), args.output)
    return 0
