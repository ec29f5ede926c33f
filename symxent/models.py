"""Discrete models: the coin (Bernoulli) and the K-sided die (Categorical).

A model knows its outcomes, the probability of each, its constraints, and the domain its
free parameters are sampled from in numeric checks.

>>> Bernoulli().probs
(p, 1 - p)
>>> Categorical(3, name="q").probs
(q[1], q[2], q[3])
>>> Categorical([0.5, 0.7])
Traceback (most recent call last):
...
symxent.errors.InvalidInput: probabilities sum to 1.2, not 1 (floats are checked to within 1e-09)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from sympy import (
    Add,
    Basic,
    Eq,
    Expr,
    Idx,
    IndexedBase,
    Integer,
    Rational,
    Sum,
    Symbol,
    nan,
)

from ._expr import as_expr
from .domains import Interval, Simplex
from .errors import InvalidInput
from .sums import K

FLOAT_SUM_TOLERANCE = 1e-9
DYADIC_DENOMINATOR_LIMIT = 2**16


def _exact_if_dyadic(value: object) -> Expr | None:
    """A float that is exactly a fraction with a small power-of-two denominator (0.5, 0.25)
    becomes that Rational: no approximation is made, and results stay exact (H = 1 bit)."""
    if isinstance(value, float) and math.isfinite(value):
        exact = Rational(value)
        if exact.q <= DYADIC_DENOMINATOR_LIMIT:
            return exact
    return None


def _check_probability(value: Expr, where: str) -> None:
    if value is nan or (value.is_Float and math.isnan(float(value))):
        raise InvalidInput(f"{where} is NaN; a probability must be a number in [0, 1]")
    if value.is_number and value.is_real is False:
        raise InvalidInput(f"{where} = {value} is not real; a probability must lie in [0, 1]")
    if value.is_extended_negative:
        raise InvalidInput(f"{where} = {value} is negative; a probability must lie in [0, 1]")
    if (value - 1).is_extended_positive:
        raise InvalidInput(f"{where} = {value} is above 1; a probability must lie in [0, 1]")


def _check_total(values: Sequence[Expr]) -> None:
    total = Add(*values)
    if not total.is_number:
        return
    if any(v.is_Float for v in values):
        if abs(float(total) - 1) > FLOAT_SUM_TOLERANCE:
            raise InvalidInput(
                f"probabilities sum to {float(total):.12g}, not 1 "
                f"(floats are checked to within {FLOAT_SUM_TOLERANCE:g})"
            )
    elif total != 1:
        raise InvalidInput(f"probabilities sum to {total}, not exactly 1")


class Bernoulli:
    """A coin: outcome 1 (heads, H) with probability ``p``, outcome 0 (tails, T) otherwise.

    Args:
        p: a SymPy symbol, a name for one, or a number in [0, 1]. Default: the symbol ``p``.
    """

    outcomes = (Integer(1), Integer(0))

    def __init__(self, p: object = "p") -> None:
        if isinstance(p, str) and p.isidentifier():
            p = Symbol(p, positive=True)
        self.p = as_expr(p, "the probability of heads")
        _check_probability(self.p, "the probability of heads")

    @property
    def size(self) -> Expr:
        return Integer(2)

    @property
    def probs(self) -> tuple[Expr, ...]:
        return (self.p, 1 - self.p)

    def constraints(self) -> list[Basic]:
        return [self.p >= 0, self.p <= 1] if self.p.free_symbols else []

    def domains(self) -> list[object]:
        return [Interval(self.p, 0, 1)] if isinstance(self.p, Symbol) else []

    def summation(self, term: Callable[..., Expr], *others: Categorical | Bernoulli) -> Expr:
        """Σ over the two outcomes of ``term(P(x), Q(x), …)`` for this and other coins."""
        return _finite_summation(self, term, others)

    def __repr__(self) -> str:
        return f"Bernoulli({self.p})"


class Categorical:
    """A K-sided die: ``Categorical(3)``, ``Categorical(K)`` for a symbol, or given probabilities.

    Args:
        spec: an int K (entries ``name[1..K]``), a SymPy symbol K (an ``IndexedBase`` summed over
            ``k = 1..K``), or a sequence of probabilities (numbers or expressions).
        name: the name of the probability vector (``p`` by default).
    """

    def __init__(self, spec: object, name: str = "p") -> None:
        self.base = IndexedBase(name)
        self.index = Idx("k", (1, K))
        self._given: tuple[Expr, ...] | None = None
        if isinstance(spec, bool):
            raise InvalidInput("K must be a positive integer, a SymPy symbol, or probabilities")
        if isinstance(spec, Sequence) and not isinstance(spec, str):
            self._given = self._validate(spec)
            self._size: Expr = Integer(len(self._given))
        elif isinstance(spec, int) or (isinstance(spec, Basic) and spec.is_Integer):
            if int(spec) < 1:
                raise InvalidInput(f"K = {spec} categories; K must be at least 1")
            self._size = Integer(int(spec))
        elif isinstance(spec, Symbol):
            self._size = spec
            self.index = Idx("k", (1, spec))
        else:
            raise InvalidInput(f"Categorical({spec!r}): expected an int K, a symbol, or a list")

    @staticmethod
    def _validate(values: Sequence[object]) -> tuple[Expr, ...]:
        if len(values) == 0:
            raise InvalidInput("a categorical distribution needs at least one probability")
        exprs = []
        for i, v in enumerate(values, start=1):
            e = _exact_if_dyadic(v) or as_expr(v, f"entry {i}")
            _check_probability(e, f"entry {i}")
            exprs.append(e)
        _check_total(exprs)
        return tuple(exprs)

    @property
    def size(self) -> Expr:
        return self._size

    @property
    def is_symbolic_size(self) -> bool:
        return not self._size.is_Integer

    @property
    def probs(self) -> tuple[Expr, ...]:
        if self._given is not None:
            return self._given
        if self.is_symbolic_size:
            raise InvalidInput("a categorical with symbolic K has no finite list of probabilities")
        return tuple(self.base[i] for i in range(1, int(self._size) + 1))

    def prob(self, index: Expr) -> Expr:
        """The probability of outcome ``index`` (1-based)."""
        return self._given[int(index) - 1] if self._given is not None else self.base[index]

    def constraints(self) -> list[Basic]:
        if self._given is not None:
            return []
        entry = self.base[self.index]
        return [entry >= 0, Eq(Sum(entry, (self.index, 1, self._size)), 1)]

    def domains(self) -> list[object]:
        return [] if self._given is not None else [Simplex(self.base, self._size, self.index)]

    def summation(self, term: Callable[..., Expr], *others: Categorical | Bernoulli) -> Expr:
        """Σ_k ``term(p_k, q_k, …)``: a ``Sum`` for symbolic K, an explicit sum otherwise."""
        if not self.is_symbolic_size:
            return _finite_summation(self, term, others)
        for other in others:
            if not isinstance(other, Categorical) or other.size != self.size:
                raise InvalidInput(
                    f"{other!r} is not over the same {self.size} outcomes as {self!r}"
                )
        k = self.index
        return Sum(term(self.prob(k), *(o.prob(k) for o in others)), (k, 1, self.size))

    def __repr__(self) -> str:
        shown = list(self._given) if self._given is not None else self._size
        return f"Categorical({shown}, name={self.base.name!r})"


def _finite_summation(first: object, term: Callable[..., Expr], others: Sequence[object]) -> Expr:
    columns = [first.probs]
    for other in others:
        if getattr(other, "is_symbolic_size", False) or len(other.probs) != len(first.probs):
            raise InvalidInput(f"{other!r} is not over the same outcomes as {first!r}")
        columns.append(other.probs)
    return Add(*(term(*row) for row in zip(*columns, strict=False)))
