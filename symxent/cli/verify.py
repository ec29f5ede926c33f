"""``symxent verify [ID … | --all] [--dps D] [--samples N] [--seed S] [--json]``."""

from __future__ import annotations

import argparse
import json

from ..certificate import SYMBOLS
from ..errors import InvalidInput
from ..registry import get, ids
from ._common import int_in


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="check every step of derivations")
    p.add_argument("ids", nargs="*", metavar="ID", help="derivation IDs")
    p.add_argument("--all", action="store_true", help="every registered derivation")
    p.add_argument("--dps", type=int_in(15, 1000), default=50, help="digits (default 50)")
    p.add_argument("--samples", type=int_in(1, 10_000), default=32, help="points (default 32)")
    p.add_argument("--seed", type=int_in(0, 2**32 - 1), default=0)
    p.add_argument("--json", action="store_true", help="machine-readable certificates")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.all == bool(args.ids):
        raise InvalidInput("give derivation IDs or --all (not both, not neither)")
    chosen = ids() if args.all else args.ids
    derivations = [get(i) for i in chosen]  # unknown IDs fail before any work is done
    certs = [d.verify(dps=args.dps, samples=args.samples, seed=args.seed) for d in derivations]
    ok = all(c.ok for c in certs)
    if args.json:
        print(json.dumps({"ok": ok, "certificates": [c.to_dict() for c in certs]}, indent=2))
    else:
        print(table(certs))
    return 0 if ok else 1


def table(certs: list) -> str:
    """The verification table: derivation, step, relation, method, status, how."""
    width = max(len(c.id) for c in certs)
    lines = [f"{'derivation':<{width}}  step  rel  method    status  how"]
    for c in certs:
        for s in c.steps:
            lines.append(
                f"{c.id:<{width}}  {s.number:>4}  {SYMBOLS[s.relation]:^3}  {s.method:<8}  "
                f"{s.status:<6}  {s.detail}"
            )
            if s.counterexample:
                lines.append(f"{'':<{width}}        counterexample: {s.counterexample}")
    total = sum(len(c.steps) for c in certs)
    failed = sum(len(c.failures) for c in certs)
    numeric = sum(s.method == "numeric" for c in certs for s in c.steps)
    lines.append(
        f"{len(certs)} derivations, {total} steps: {total - failed} hold "
        f"({total - numeric} symbolic, {numeric} numeric), {failed} fail"
    )
    return "\n".join(lines)
