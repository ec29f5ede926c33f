"""``symxent list [--json]``: the catalogue of derivations."""

from __future__ import annotations

import argparse
import json

from ..registry import derivations


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list", help="list the registered derivations")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    rows = [
        {"id": d.id, "title": d.title, "source": d.source, "steps": len(d.steps)}
        for d in derivations()
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max(len(r["id"]) for r in rows)
    for r in rows:
        print(f"{r['id']:<{width}}  {r['title']}  [{r['source'] or '-'}]")
    return 0
