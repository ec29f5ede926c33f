"""``symxent docs [--out DIR] [--pdf] [--check] [--jobs N]``: the generated documentation."""

from __future__ import annotations

import argparse
import sys

from ..docs import check, generate
from ..errors import InvalidInput
from ._common import int_in


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "docs", help="generate the theorem pages, the LaTeX book and the figures under docs/"
    )
    p.add_argument("--out", metavar="DIR", default="docs", help="the docs folder (default: docs)")
    p.add_argument("--pdf", action="store_true", help="also compile symxent.pdf with latexmk")
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 with a summary if DIR differs from a fresh generation",
    )
    p.add_argument(
        "--jobs", type=int_in(1, 64), default=1, metavar="N", help="processes for verifying"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.check:
        if args.pdf:
            raise InvalidInput("--check compares the generated sources; drop --pdf")
        problems = check(args.out, jobs=args.jobs)
        if problems:
            print(f"{args.out} is stale; regenerate it with `symxent docs`:", file=sys.stderr)
            print("\n".join(problems), file=sys.stderr)
            return 1
        print(f"{args.out}: up to date")
        return 0
    done = generate(args.out, pdf=args.pdf, jobs=args.jobs)
    print(f"wrote {len(done.files)} files under {done.out}")
    if done.unverified:
        print(
            f"symxent: verification failed for {', '.join(done.unverified)} "
            "(their pages say which step fails)",
            file=sys.stderr,
        )
        return 1
    return 0
