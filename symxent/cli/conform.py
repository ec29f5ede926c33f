"""``symxent conform TARGET --loss ID [--dtype D] [--points N] [--seed S] [--json]``."""

from __future__ import annotations

import argparse
import json

from ..conform import BUILTINS, LOSSES, conform
from ._common import int_in


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "conform",
        help="check a loss implementation against the 50-digit reference, in ULPs",
        description="TARGET is one of "
        + ", ".join(BUILTINS)
        + " or module:function (logits on the last axis, 0-based labels; see "
        "symxent.conform.adapters for the calling convention).",
    )
    p.add_argument("target", metavar="TARGET", help="built-in adapter or module:function")
    p.add_argument(
        "--loss", required=True, choices=list(LOSSES), metavar="ID", help=", ".join(LOSSES)
    )
    p.add_argument("--dtype", choices=["float32", "float64"], default="float64")
    p.add_argument("--points", type=int_in(1, 100_000), default=200, help="examples per family")
    p.add_argument("--seed", type=int_in(0, 2**32 - 1), default=0)
    p.add_argument("--tolerance", type=float, default=4.0, help="ULPs (default 4)")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    report = conform(
        args.target,
        args.loss,
        dtype=args.dtype,
        points=args.points,
        seed=args.seed,
        tolerance=args.tolerance,
    )
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.table())
    return 0 if report.ok else 1
