"""``symxent derive ID [--format latex|markdown|text] [--standalone] [-o FILE]``."""

from __future__ import annotations

import argparse

from .. import render
from ..errors import InvalidInput
from ..registry import get
from ._common import write_output


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("derive", help="print a derivation")
    p.add_argument("id", help="a derivation ID (see `symxent list`)")
    p.add_argument("--format", choices=("latex", "markdown", "text"), default="text")
    p.add_argument(
        "--standalone",
        action="store_true",
        help="a complete LaTeX document with the verification certificate (latex only)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.standalone and args.format != "latex":
        raise InvalidInput("--standalone goes with --format latex")
    d = get(args.id)
    if args.standalone:
        text = render.standalone(d, d.verify())
    else:
        text = {"latex": d.to_latex, "markdown": d.to_markdown, "text": d.to_text}[args.format]()
    write_output(text, args.output)
    return 0
