"""Continuous models: densities on the real line, for differential (cross-)entropy and KL.

A model knows its density and log-density in the variable ``x``, its support, its location
(where the density peaks), the constraints on its parameters and the domains they are
sampled from in numeric checks. Parameters given as names become symbols with the right
assumptions (``sigma`` positive, ``mu`` real), which SymPy's integrator relies on.

>>> Normal(0, 1).density()
sqrt(2)*exp(-x**2/2)/(2*sqrt(pi))
>>> Exponential(2).density()
2*exp(-2*x)
>>> Laplace(0, -1)
Traceback (most recent call last):
...
symxent.errors.InvalidInput: the scale b of Laplace is -1; it must be a positive real number
"""

from __future__ import annotations

import math

from sympy import (
    Abs,
    Basic,
    Expr,
    Piecewise,
    Symbol,
    exp,
    log,
    nan,
    oo,
    pi,
    sqrt,
    sympify,
)

from ._expr import as_expr
from .domains import Positive, Real
from .errors import InvalidInput

X = Symbol("x", real=True)
"""The variable every density is written in."""


def _parameter(value: object, what: str, positive: bool) -> Expr:
    """A parameter as a SymPy expression; names become symbols with the right sign."""
    kind = "a positive real number" if positive else "a real number"
    if isinstance(value, str):
        if not value.isidentifier():
            raise InvalidInput(f"{what} is the string {value!r}; give a name, number or symbol")
        return Symbol(value, positive=True) if positive else Symbol(value, real=True)
    if isinstance(value, bool):
        raise InvalidInput(f"{what} is the boolean {value}; it must be {kind}")
    try:
        e = sympify(value, strict=True)
    except Exception as exc:  # SymPy raises several unrelated types here
        raise InvalidInput(f"{what} is not a number or a SymPy expression: {value!r}") from exc
    if e is nan or (e.is_Float and math.isnan(float(e))):
        raise InvalidInput(f"{what} is NaN; it must be {kind}")
    if e.is_real is False or e.is_finite is False:
        raise InvalidInput(f"{what} is {e}; it must be {kind}")
    if positive and e.is_positive is False:
        raise InvalidInput(f"{what} is {e}; it must be {kind}")
    return e


class ContinuousModel:
    """A density on an interval of the real line; subclasses fill in the formulas."""

    family = ""
    support: tuple[Expr, Expr] = (-oo, oo)
    names: tuple[str, ...] = ()

    def __init__(self, *params: Expr) -> None:
        self.params = params

    @property
    def location(self) -> Expr:
        """Where the density peaks: the natural point to centre an integral on."""
        return self.params[0]

    @property
    def scale(self) -> Expr:
        """The width of the density (σ, b, 1/rate): how far from the mode the mass lies."""
        return self.params[1]

    def density(self, x: Expr = X) -> Expr:
        """p(x) on the support."""
        raise NotImplementedError

    def log_density(self, x: Expr = X) -> Expr:
        """log p(x) on the support, written out (no log of an exp)."""
        raise NotImplementedError

    def _kinds(self) -> tuple[bool, ...]:
        """Which parameters must be positive (True) or just real (False)."""
        raise NotImplementedError

    def constraints(self) -> list[Basic]:
        pairs = zip(self.params, self._kinds(), strict=True)
        return [p > 0 for p, positive in pairs if positive and p.free_symbols]

    def domains(self) -> list[object]:
        out: list[object] = []
        for p, pos in zip(self.params, self._kinds(), strict=True):
            if isinstance(p, Symbol):
                out.append(Positive(p) if pos else Real(p))
        return out

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.params == other.params

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.params))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(map(str, self.params))})"


class Normal(ContinuousModel):
    """The normal density N(μ, σ²) with mean ``mu`` and standard deviation ``sigma`` > 0."""

    family = "normal"

    def __init__(self, mu: object = "mu", sigma: object = "sigma") -> None:
        super().__init__(
            _parameter(mu, "the mean mu of Normal", positive=False),
            _parameter(sigma, "the standard deviation sigma of Normal", positive=True),
        )

    @property
    def mu(self) -> Expr:
        return self.params[0]

    @property
    def sigma(self) -> Expr:
        return self.params[1]

    def _kinds(self) -> tuple[bool, ...]:
        return (False, True)

    def density(self, x: Expr = X) -> Expr:
        return exp(-((x - self.mu) ** 2) / (2 * self.sigma**2)) / sqrt(2 * pi * self.sigma**2)

    def log_density(self, x: Expr = X) -> Expr:
        return -log(2 * pi * self.sigma**2) / 2 - (x - self.mu) ** 2 / (2 * self.sigma**2)


class Exponential(ContinuousModel):
    """The exponential density ``rate``·e^(−rate·x) on x > 0."""

    family = "exponential"
    support = (sympify(0), oo)

    def __init__(self, rate: object = "lambda") -> None:
        super().__init__(_parameter(rate, "the rate of Exponential", positive=True))

    @property
    def rate(self) -> Expr:
        return self.params[0]

    @property
    def location(self) -> Expr:
        return sympify(0)

    @property
    def scale(self) -> Expr:
        return 1 / self.rate

    def _kinds(self) -> tuple[bool, ...]:
        return (True,)

    def density(self, x: Expr = X) -> Expr:
        return self.rate * exp(-self.rate * x)

    def log_density(self, x: Expr = X) -> Expr:
        return log(self.rate) - self.rate * x


class Laplace(ContinuousModel):
    """The Laplace density e^(−|x − μ|/b) / (2b) with location ``mu`` and scale ``b`` > 0."""

    family = "laplace"

    def __init__(self, mu: object = "mu", b: object = "b") -> None:
        super().__init__(
            _parameter(mu, "the location mu of Laplace", positive=False),
            _parameter(b, "the scale b of Laplace", positive=True),
        )

    @property
    def mu(self) -> Expr:
        return self.params[0]

    @property
    def b(self) -> Expr:
        return self.params[1]

    def _kinds(self) -> tuple[bool, ...]:
        return (False, True)

    def density(self, x: Expr = X) -> Expr:
        return exp(-Abs(x - self.mu) / self.b) / (2 * self.b)

    def log_density(self, x: Expr = X) -> Expr:
        return -log(2 * self.b) - Abs(x - self.mu) / self.b


CONTINUOUS = (Normal, Exponential, Laplace)


class Distance(Expr):
    """|x − a| shown as such, checked as its two cases: x − a for x ≥ a, a − x below.

    SymPy integrates the two-case (Piecewise) form over the real line when it can order
    the break points, which it cannot do with ``Abs``; the display stays a textbook |x − a|.

    >>> from sympy import Symbol
    >>> Distance(X, Symbol("a", real=True)).unfold()
    Piecewise((-a + x, a <= x), (a - x, True))
    """

    is_commutative = True
    is_real = True

    def __new__(cls, x: Expr, a: Expr) -> Distance:
        return Expr.__new__(cls, as_expr(x, "the variable"), as_expr(a, "the centre"))

    def unfold(self) -> Expr:
        x, a = self.args
        return Piecewise((x - a, x >= a), (a - x, True))

    def _latex(self, printer: object) -> str:
        x, a = self.args
        return rf"\left|{printer._print(x - a)}\right|"

    def _sympystr(self, printer: object) -> str:
        x, a = self.args
        return f"|{printer._print(x - a)}|"
