"""Entropy, cross-entropy and KL divergence of models, as SymPy expressions.

The conventions of the source texts hold for concrete values: a term with p = 0 contributes
0 (the limit of x log x as x → 0⁺), and p > 0 with q = 0 gives +∞.

>>> from sympy import Rational
>>> from symxent.models import Bernoulli, Categorical
>>> cross_entropy(Bernoulli(), Bernoulli("q"))
-p*log(q) - (1 - p)*log(1 - q)
>>> half = Rational(1, 2)
>>> entropy(Categorical([half, half, 0]), base=2)
1
>>> cross_entropy(Categorical([half, half, 0]), Categorical([half, 0, half]))
oo
"""

from __future__ import annotations

from sympy import E, Expr, Float, expand_log, log, oo, simplify, sympify
from sympy.core.evalf import prec_to_dps

from . import integrals
from ._expr import as_expr
from .errors import InvalidInput
from .models import Bernoulli, Categorical

Model = Bernoulli | Categorical
UNITS = {2: "bits", E: "nats", 10: "hartleys"}


def xlog(x: Expr, y: Expr) -> Expr:
    """x·log y with the conventions 0·log y = 0 and x·log 0 = −∞ for x > 0."""
    if x.is_zero:  # also Float(0.0), which SymPy does not consider == 0
        return sympify(0)
    if y.is_zero and x.is_positive:
        return -oo
    return x * log(y)


def _in_base(expr: Expr, base: object) -> Expr:
    b = as_expr(base, "the logarithm base")
    if not b.is_number or not b.is_positive or b == 1:
        raise InvalidInput(f"logarithm base {base!r} is not a positive number other than 1")
    value = expr if b == E else expr / log(b)
    # Concrete inputs deserve a concrete answer: log(4)/log(2) is 2 bits.
    if value.is_number and value.is_finite:
        floats = value.atoms(Float)
        if floats:  # as many digits as the most precise input carries
            return value.evalf(max(prec_to_dps(f._prec) for f in floats))
        return simplify(expand_log(value, force=True))
    return value


def _check(*models: object) -> None:
    for m in models:
        if not isinstance(m, Bernoulli | Categorical):
            raise InvalidInput(f"expected a Bernoulli or Categorical model, got {m!r}")


def entropy(P: Model, base: object = E) -> Expr:
    """H(P) = −Σ_x P(x) log P(x), in units set by ``base`` (2: bits, e: nats, 10: hartleys)."""
    if integrals.is_continuous(P):
        return _in_base(integrals.differential_entropy(P), base)
    _check(P)
    return _in_base(-P.summation(lambda p: xlog(p, p)), base)


def cross_entropy(P: Model, Q: Model, base: object = E) -> Expr:
    """H(P, Q) = −Σ_x P(x) log Q(x): the expected code length of a code built for Q."""
    if integrals.is_continuous(P, Q):
        return _in_base(integrals.differential_cross_entropy(P, Q), base)
    _check(P, Q)
    return _in_base(-P.summation(xlog, Q), base)


def kl_divergence(P: Model, Q: Model, base: object = E) -> Expr:
    """KL(P‖Q) = Σ_x P(x) log(P(x)/Q(x)) (+∞ where Q(x) = 0 < P(x))."""
    if integrals.is_continuous(P, Q):
        return _in_base(integrals.differential_kl(P, Q), base)
    _check(P, Q)

    def term(p: Expr, q: Expr) -> Expr:
        if p.is_zero:
            return sympify(0)
        if q.is_zero and p.is_positive:
            return oo
        return p * log(p / q)

    return _in_base(P.summation(term, Q), base)
