"""Derivations as data: a list of steps, each a relation with a justification.

>>> from sympy import Symbol, log
>>> p, q = Symbol("p", positive=True), Symbol("q", positive=True)
>>> from symxent.domains import Interval
>>> d = Derivation("log-quotient", "Log of a quotient",
...     [Step(log(p / q), "=", log(p) - log(q), "log(a/b) = log a − log b")],
...     assumptions=[Interval(p, 0, 1), Interval(q, 0, 1)])
>>> cert = d.verify(samples=4)
>>> cert.ok, cert.steps[0].method
(True, 'symbolic')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sympy import Basic, Expr, IndexedBase

from ._expr import as_expr
from .certificate import Certificate
from .errors import InvalidInput

RELATIONS = ("=", "<=", ">=", "<", ">")
_DIRECTION = {"=": 0, "<=": -1, "<": -1, ">=": 1, ">": 1}


@dataclass(frozen=True)
class Step:
    """One line of a derivation: ``lhs relation rhs``, because ``justification``.

    ``by`` optionally names a lemma (a registered derivation ID or object) that a prover
    may apply to check the step symbolically.
    """

    lhs: Expr
    relation: str
    rhs: Expr
    justification: str
    by: object = None

    def __post_init__(self) -> None:
        if self.relation not in RELATIONS:
            raise InvalidInput(f"relation {self.relation!r} is not one of {', '.join(RELATIONS)}")
        object.__setattr__(self, "lhs", as_expr(self.lhs, "a step's left-hand side"))
        object.__setattr__(self, "rhs", as_expr(self.rhs, "a step's right-hand side"))


def chain(start: Expr, *links: tuple) -> list[Step]:
    """Steps ``start rel₁ e₁ rel₂ e₂ …`` from ``(relation, expr, justification[, by])`` links."""
    steps, lhs = [], as_expr(start, "the start of a chain")
    for link in links:
        relation, rhs, why, *by = link
        steps.append(Step(lhs, relation, rhs, why, *by))
        lhs = steps[-1].rhs
    return steps


def compose(relations: Iterable[str]) -> str:
    """The relation a chain proves: = and ≤ give ≤, any strict link makes it strict."""
    rels = list(relations)
    directions = {_DIRECTION[r] for r in rels} - {0}
    if len(directions) > 1:
        raise InvalidInput("a chain mixes ≤ and ≥ steps, so it proves no relation end to end")
    if not directions:
        return "="
    strict = any(r in ("<", ">") for r in rels)
    return ("<" if strict else "<=") if directions == {-1} else (">" if strict else ">=")


@dataclass(frozen=True)
class Chain:
    """A maximal run of steps where each starts from the previous right-hand side."""

    first: int
    last: int
    lhs: Expr
    relation: str
    rhs: Expr


def chains(steps: Sequence[Step]) -> list[Chain]:
    """Split steps into chains (0-based step numbers) and compose each one's relation."""
    out, start = [], 0
    for i in range(1, len(steps) + 1):
        if i == len(steps) or steps[i].lhs != steps[i - 1].rhs:
            run = steps[start:i]
            rel = compose(s.relation for s in run)
            out.append(Chain(start, i - 1, run[0].lhs, rel, run[-1].rhs))
            start = i
    return out


@dataclass
class Derivation:
    """A titled list of steps with the assumptions under which they hold.

    Args:
        id: the catalogue ID, e.g. ``"kl-ce-bernoulli"``.
        title: a human title.
        steps: the steps, in reading order.
        source: which source text it comes from (e.g. ``"002"``).
        assumptions: models and domains the variables range over (used for sampling).
        definitions: substitutions the text makes (e.g. ``P(H) → p``), applied when checking.
        final: the formula the derivation arrives at, for the numeric layer and codegen.
        summary: one or two sentences for the reader.
    """

    id: str
    title: str
    steps: Sequence[Step]
    source: str | None = None
    assumptions: Sequence[object] = ()
    definitions: Mapping[Basic, Expr] = field(default_factory=dict)
    final: Expr | None = None
    summary: str = ""

    def __post_init__(self) -> None:
        if not self.steps:
            raise InvalidInput(f"derivation {self.id!r} has no steps")
        self.steps = tuple(self.steps)
        self.assumptions = tuple(self.assumptions)
        self.chains = chains(self.steps)

    @property
    def domains(self) -> list[object]:
        """The sampling domains: those given directly and those of the given models."""
        out: list[object] = []
        for a in self.assumptions:
            out.extend(a.domains() if hasattr(a, "domains") else [a])
        return out

    @property
    def simplex_bases(self) -> list[IndexedBase]:
        return [d.base for d in self.domains if type(d).__name__ == "Simplex"]

    @property
    def numeric_expr(self) -> Expr | None:
        return self.final

    def verify(self, dps: int = 50, samples: int = 32, seed: int = 0) -> Certificate:
        """Check every step; see :func:`symxent.checking.verify`."""
        from .checking import verify

        return verify(self, dps=dps, samples=samples, seed=seed)

    def to_latex(self, reasons: str = "beside") -> str:
        """LaTeX ``align*``; ``reasons="below"`` lists the justifications after it."""
        from .render import to_latex

        return to_latex(self, reasons)

    def to_markdown(self) -> str:
        from .render import to_markdown

        return to_markdown(self)

    def to_text(self) -> str:
        from .render import to_text

        return to_text(self)

    def _repr_latex_(self) -> str:
        return "$$" + self.to_latex().replace("align*", "aligned") + "$$"
