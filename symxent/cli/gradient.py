"""``symxent gradient FORMULA --wrt NAMES [--format …] [--target …]``: a checked gradient."""

from __future__ import annotations

import argparse

from ..codegen import TARGETS, codegen
from ..errors import VerificationFailed
from ..gradient import gradient
from ._common import int_in, write_output

_COMMENT = {"numpy": "#", "torch": "#", "jax": "#", "c": "//"}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gradient", help="derive, check and print the gradient of a formula")
    p.add_argument("formula", help="e.g. '-(1 - softmax(z)[y])**gamma * log(softmax(z)[y])'")
    p.add_argument("--wrt", required=True, help="comma-separated names; a vector z means ∂/∂z_j")
    p.add_argument("--format", choices=("latex", "markdown", "text"), default="text")
    p.add_argument("--target", choices=tuple(TARGETS), help="also print code for each gradient")
    p.add_argument("--dps", type=int_in(15, 200), default=30, help="digits of numeric checks")
    p.add_argument("--samples", type=int_in(1, 1000), default=16, help="points of numeric checks")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    names = [n.strip() for n in args.wrt.split(",") if n.strip()]
    derivation = gradient(args.formula, names)
    certificate = derivation.verify(dps=args.dps, samples=args.samples)
    render = {"latex": derivation.to_latex, "markdown": derivation.to_markdown}
    parts = [render.get(args.format, derivation.to_text)(), _verdict(certificate)]
    if args.target:
        for name, chain in zip(names, derivation.chains, strict=True):
            parts.append(codegen(chain.rhs, args.target, name=f"grad_{_ident(name)}"))
    if not certificate.ok:
        raise VerificationFailed(_verdict(certificate), certificate)
    write_output("\n\n".join(parts), args.output)
    return 0


def _verdict(certificate: object) -> str:
    how = "; ".join(f"({s.number}) {s.method}: {s.detail}" for s in certificate.steps)
    return f"{'verified' if certificate.ok else 'NOT verified'}: {how}"


def _ident(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)
