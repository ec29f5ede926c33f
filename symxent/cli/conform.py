"""``symxent conform TARGET --loss ID [--dtype D] [--points N] [--seed S] [--strict] [--json]``."""

from __future__ import annotations

import argparse
import json

from ..conform import BUILTINS, LOSSES, conform
from ._common import int_in

_DESCRIPTION = (
    "Run a loss implementation through random and adversarial case families and judge it "
    "against the 50-digit reference of its derivation. TARGET is one of "
    + ", ".join(BUILTINS)
    + " or module:function (logits on the last axis, 0-based labels; see "
    "symxent.conform.adapters for the calling convention). Every row gives the error in "
    "ULPs of the output (the loss itself). For softmax cross-entropy, BCE with logits and "
    "KL, which are differences of larger terms, the verdict is by default on ULPs of that "
    "cancelling scale (e.g. Σ c_k(|logsumexp(z)| + |z_k| + 1)), the accuracy logsumexp(z) − z_y "
    "delivers: a confident, correct prediction (logits [0, −40], label 0, loss 4.2e-18) "
    "may then come out as 0. --strict judges ULPs of the output instead; PyTorch and "
    "textbook NumPy fail it on tiny losses. Exit 0: conforms; 1: a family fails; 2: bad usage."
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "conform",
        help="check a loss implementation against the 50-digit reference, in ULPs",
        description=_DESCRIPTION,
    )
    p.add_argument("target", metavar="TARGET", help="built-in adapter or module:function")
    p.add_argument(
        "--loss", required=True, choices=list(LOSSES), metavar="ID", help=", ".join(LOSSES)
    )
    p.add_argument("--dtype", choices=["float32", "float64"], default="float64")
    p.add_argument("--points", type=int_in(1, 100_000), default=200, help="examples per family")
    p.add_argument("--seed", type=int_in(0, 2**32 - 1), default=0)
    p.add_argument("--tolerance", type=float, default=4.0, help="ULPs (default 4)")
    p.add_argument(
        "--strict",
        action="store_true",
        help="judge ULPs of the output (the loss itself), not of the cancelling scale",
    )
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
        strict=args.strict,
    )
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.table())
    return 0 if report.ok else 1
