"""Where a derivation's variables live, and how to draw admissible points from there.

A domain states a constraint for the reader (``0 < p < 1``, ``Σ_k p_k = 1``) and samples
points for numeric checks. Samples are exact SymPy numbers (``Rational`` or ``Float`` at
the requested digits), so that mpmath evaluation at ``dps`` digits sees no float noise.

>>> import random
>>> from sympy import Symbol
>>> x = Symbol("x", positive=True)
>>> point = Interval(x, 0, 1).sample(random.Random(0), None, 30)
>>> 0 < point[x] < 1
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sympy import Basic, Eq, Expr, Float, Idx, IndexedBase, Integer, Sum, Symbol, sympify

from ._expr import as_expr

# An occasional extreme value keeps numeric checks honest near the edges of a domain.
_TINY = ("1e-300", "1e-30", "1e-8")


def _float(value: float | str, dps: int) -> Float:
    return Float(value, dps)


@dataclass(frozen=True)
class Interval:
    """A scalar in the open interval (lo, hi)."""

    symbol: Symbol
    lo: Expr
    hi: Expr

    def constraints(self) -> list[Basic]:
        lo, hi = as_expr(self.lo, "the lower bound"), as_expr(self.hi, "the upper bound")
        return [lo < self.symbol, self.symbol < hi]

    def sample(self, rng: random.Random, size: int | None, dps: int) -> dict[Basic, Expr]:
        lo, hi = as_expr(self.lo, "the lower bound"), as_expr(self.hi, "the upper bound")
        roll = rng.random()
        if roll < 0.1:
            u = _float(rng.choice(_TINY), dps)
        elif roll < 0.2:
            u = 1 - _float(rng.choice(_TINY[1:]), dps)
        else:
            u = _float(rng.uniform(0.001, 0.999), dps)
        return {self.symbol: lo + (hi - lo) * u}


@dataclass(frozen=True)
class Real:
    """An unconstrained real scalar, sampled at the given scale (with occasional big values)."""

    symbol: Symbol
    scale: float = 3.0

    def constraints(self) -> list[Basic]:
        return []

    def sample(self, rng: random.Random, size: int | None, dps: int) -> dict[Basic, Expr]:
        big = rng.random() < 0.1
        return {self.symbol: _float(rng.gauss(0, self.scale * (100 if big else 1)), dps)}


@dataclass(frozen=True)
class Positive:
    """A positive real scalar, log-uniform over several decades."""

    symbol: Symbol
    decades: float = 3.0

    def constraints(self) -> list[Basic]:
        return [self.symbol > 0]

    def sample(self, rng: random.Random, size: int | None, dps: int) -> dict[Basic, Expr]:
        return {self.symbol: _float(10 ** rng.uniform(-self.decades, self.decades), dps)}


@dataclass(frozen=True)
class Simplex:
    """A probability vector ``base[1..size]``: entries in (0, 1) summing to one."""

    base: IndexedBase
    size: Expr
    index: Idx

    def constraints(self) -> list[Basic]:
        entry = self.base[self.index]
        return [entry >= 0, Eq(Sum(entry, (self.index, 1, self.size)), 1)]

    def sample(self, rng: random.Random, size: int | None, dps: int) -> dict[Basic, Expr]:
        n = _concrete(self.size, size)
        weights = [_float(rng.expovariate(1.0), dps) for _ in range(n)]
        if rng.random() < 0.2:
            weights[rng.randrange(n)] = _float(rng.choice(_TINY), dps)
        total = sum(weights)
        return {self.base[i + 1]: w / total for i, w in enumerate(weights)}


@dataclass(frozen=True)
class RealVector:
    """A vector of unconstrained reals ``base[1..size]`` (e.g. logits)."""

    base: IndexedBase
    size: Expr
    scale: float = 3.0

    def constraints(self) -> list[Basic]:
        return []

    def sample(self, rng: random.Random, size: int | None, dps: int) -> dict[Basic, Expr]:
        n = _concrete(self.size, size)
        spread = self.scale * (100 if rng.random() < 0.1 else 1)
        return {self.base[i + 1]: _float(rng.gauss(0, spread), dps) for i in range(n)}


@dataclass(frozen=True)
class ClassIndex:
    """An integer index in 1..size (a class label in the mathematics' 1-based count)."""

    index: Idx
    size: Expr

    def constraints(self) -> list[Basic]:
        return [sympify(1) <= self.index, self.index <= self.size]

    def sample(self, rng: random.Random, size: int | None, dps: int) -> dict[Basic, Expr]:
        return {self.index: Integer(rng.randint(1, _concrete(self.size, size)))}


def _concrete(declared: Expr, chosen: int | None) -> int:
    """The concrete length of a vector: its declared size, or the K chosen for this sample."""
    declared = as_expr(declared, "the vector's size")
    if declared.is_Integer:
        return int(declared)
    if chosen is None:
        raise ValueError(f"a concrete size is needed for the symbolic size {declared}")
    return chosen
