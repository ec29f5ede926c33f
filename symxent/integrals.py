"""Integrals of densities: an ``Integral`` SymPy evaluates fast, and the cached measures.

:class:`Integral` is SymPy's, with an evaluation strategy that keeps the integrator on
its fast paths (each rewrite is an identity, and the result is SymPy's own):

* each |u| becomes its two cases, and the line is split at the break points, so that
  on every piece the integrand is smooth (when SymPy can order the break points);
* x = c + t moves to the centre c of a Gaussian factor e^(−a(x−c)²), and the integrand
  is expanded, so SymPy meets only tᵏ e^(−a t²): ∫ e^(−(x−μ₁)²/2σ₁²)(x − μ₂)² dx as
  written takes it seconds and returns erf terms that cancel only on simplifying.

h(P, Q) = −∫ p log q over the support of P is such an integral. When the order of two
modes that |x − μ| splits at is unknown, both orders are integrated with a distance
d > 0 and joined. Results are cached by the models' parameters.

>>> from symxent.continuous import Exponential, Normal
>>> differential_cross_entropy(Exponential(2), Exponential(3))
3/2 - log(3)
>>> differential_cross_entropy(Normal(0, 1), Exponential(1))
oo
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping

import mpmath
import sympy
from mpmath import mp
from sympy import (
    Abs,
    Basic,
    Dummy,
    Expr,
    Piecewise,
    Symbol,
    exp,
    expand,
    expand_log,
    lambdify,
    log,
    oo,
    simplify,
    sympify,
)

from .continuous import ContinuousModel, X
from .errors import InvalidInput, NotSupported


class Integral(sympy.Integral):
    """SymPy's ``Integral``, evaluated piece by piece and centred; printed as ∫ … dx."""

    def doit(self, **hints: object) -> Expr:
        if len(self.limits) != 1 or len(self.limits[0]) != 3:
            return super().doit(**hints)
        x, lo, hi = self.limits[0]
        f = expand_log(self.function).replace(
            lambda e: isinstance(e, Abs), lambda e: e.rewrite(Piecewise)
        )
        pieces = _pieces_of(f, x, lo, hi)
        if pieces is None:  # break points SymPy cannot order: let it try as it is
            return sympy.Integral(f, (x, lo, hi)).doit(**hints)
        return sympy.Add(*(_smooth_integral(g, x, a, b, hints) for g, a, b in pieces))

    def _sympystr(self, printer: object) -> str:
        (var, *bounds), *_ = self.limits
        where = "" if not bounds else "_{{{}}}^{{{}}}".format(*map(_text_bound, bounds))
        body = printer.parenthesize(self.function, 45)  # Add bodies keep their brackets
        return f"∫{where} {body} d{printer._print(var)}"


def _text_bound(b: Expr) -> str:
    return {oo: "∞", -oo: "-∞"}.get(b, str(b))


def _smooth_integral(f: Expr, x: Symbol, lo: Expr, hi: Expr, hints: dict) -> Expr:
    t = Dummy("t", real=True)
    # Measure from the Gaussian's centre, else from a finite end: ∫₀^∞ tᵏ e^(−t/b) dt is
    # a Gamma integral SymPy knows at once, whatever symbols the end point holds.
    c = _gaussian_centre(f, x)
    if c is None:
        c = lo if lo.is_finite else (hi if hi.is_finite else sympify(0))
    return sympy.Integral(expand(f.xreplace({x: c + t})), (t, lo - c, hi - c)).doit(**hints)


def _gaussian_centre(f: Expr, x: Symbol) -> Expr | None:
    """The centre c of a factor e^(a x² + b x + …), a ≠ 0, of f (not inside a log)."""
    for e in _kernels(f):
        arg = expand(e.args[0])
        if arg.is_polynomial(x) and sympy.degree(arg, x) == 2:
            a, b, _ = sympy.Poly(arg, x).all_coeffs()
            return -b / (2 * a)
    return None


def _kernels(f: Basic) -> list[Basic]:
    """The exp(…) factors of f, skipping those inside a log (they are not the weight)."""
    if isinstance(f, exp):
        return [f]
    if isinstance(f, log):
        return []
    return [k for a in f.args for k in _kernels(a)]


def _break_points(f: Expr, x: Symbol) -> set[Expr]:
    """Where a case condition of f switches: the root of each condition, linear in x."""
    out = set()
    for pw in f.atoms(Piecewise):
        for cond in (c for _, c in pw.args if isinstance(c, sympy.core.relational.Relational)):
            g = expand(cond.lhs - cond.rhs)
            slope = g.coeff(x)
            if slope == 0 or not (g - slope * x).is_polynomial(x) or g.has(x**2):
                raise NotSupported(f"case condition {cond} is not linear in {x}")
            out.add(-(g - slope * x) / slope)
    return out


def _pieces_of(f: Expr, x: Symbol, lo: Expr, hi: Expr) -> list | None:
    """[(smooth integrand, a, b)] over consecutive pieces, or None if unorderable."""
    try:
        inner = [b for b in _break_points(f, x) if bool(lo < b) and bool(b < hi)]
        cuts = [lo, *sorted(inner, key=functools.cmp_to_key(_compare)), hi]
        return [(_resolve(f, x, a, b), a, b) for a, b in itertools.pairwise(cuts)]
    except (TypeError, NotSupported):  # an undecidable comparison or condition
        return None


def _compare(a: Expr, b: Expr) -> int:
    return -1 if bool(a < b) else (1 if bool(a > b) else 0)


def _resolve(f: Expr, x: Symbol, a: Expr, b: Expr) -> Expr:
    """f with every case chosen as it holds strictly inside (a, b)."""
    inside = (a + b) / 2 if a.is_finite and b.is_finite else (b - 1 if a == -oo else a + 1)

    def branch(pw: Piecewise) -> Expr:
        for expr, cond in pw.args:
            if bool(cond.subs(x, inside)):
                return expr
        raise NotSupported(f"no case of {pw} holds between {a} and {b}")

    return f.replace(lambda e: isinstance(e, Piecewise), branch)


def is_continuous(*models: object) -> bool:
    """True if every model is a density, False if none is; mixing the two is an error."""
    kinds = {isinstance(m, ContinuousModel) for m in models}
    if kinds == {True, False}:
        raise InvalidInput(f"cannot compare a density with a discrete model: {models!r}")
    return kinds == {True}


def _covers(Q: ContinuousModel, P: ContinuousModel) -> bool:
    """Whether Q's support contains P's (otherwise p > 0 = q somewhere, and h(P, Q) = ∞)."""
    (plo, phi), (qlo, qhi) = P.support, Q.support
    return bool(qlo <= plo) and bool(phi <= qhi)


def _tidy(expr: Expr) -> Expr:
    return expand(expand_log(simplify(expr)))


def _integral(P: ContinuousModel, Q: ContinuousModel, q_location: Expr) -> Expr:
    """−∫ p log q over P's support, with Q's mode moved to ``q_location``."""
    # A location family: moving Q's mode to m means evaluating log q at x − m + μ_Q.
    log_q = Q.log_density(X - q_location + Q.location)
    value = Integral(-P.density(X) * log_q, (X, *P.support)).doit(conds="none")
    if value.has(sympy.Integral):
        raise NotSupported(f"SymPy cannot integrate -p log q for {P!r} and {Q!r}")
    return _tidy(value)


@functools.lru_cache(maxsize=256)
def _cross_entropy_nats(P: ContinuousModel, Q: ContinuousModel) -> Expr:
    if not _covers(Q, P):
        return oo
    gap = Q.location - P.location
    kinked = Q.log_density().has(Abs) or P.density().has(Abs)
    if not kinked or not gap.free_symbols or gap.is_zero is not None:
        return _integral(P, Q, Q.location)
    # |x − μ_Q| splits the line at a point SymPy cannot place against μ_P: both orders.
    d = Dummy("d", positive=True)
    right, left = _integral(P, Q, P.location + d), _integral(P, Q, P.location - d)
    if simplify(right - left) == 0:  # a symmetric pair: one formula in the distance |gap|
        return right.xreplace({d: Abs(gap)})
    return Piecewise((right.xreplace({d: gap}), gap >= 0), (left.xreplace({d: -gap}), True))


def differential_cross_entropy(P: ContinuousModel, Q: ContinuousModel) -> Expr:
    """h(P, Q) = −∫ p(x) log q(x) dx in nats, as a closed form (∞ if Q misses P's support)."""
    is_continuous(P, Q)
    return _cross_entropy_nats(P, Q)


def differential_entropy(P: ContinuousModel) -> Expr:
    """h(P) = −∫ p(x) log p(x) dx in nats (negative for a narrow enough density)."""
    return differential_cross_entropy(P, P)


def differential_kl(P: ContinuousModel, Q: ContinuousModel) -> Expr:
    """KL(P‖Q) = ∫ p log(p/q) dx = h(P, Q) − h(P) in nats."""
    ce = differential_cross_entropy(P, Q)
    return ce if ce == oo else _tidy(ce - differential_entropy(P))


def _mp(value: object) -> mpmath.mpf:
    return mpmath.mpf(value.evalf(mp.dps) if isinstance(value, Basic) else value)


def _log_density(model: ContinuousModel, point: Mapping[Symbol, object]) -> Callable:
    """log p(x) as an mpmath function of x at the given parameter values."""
    names = sorted(model.log_density().free_symbols - {X}, key=str)
    f = lambdify([X, *names], model.log_density(), modules="mpmath")
    values = [_mp(point[s]) for s in names]
    return lambda x: f(x, *values)


def _at(expr: Expr, point: Mapping[Symbol, object]) -> mpmath.mpf:
    return _mp(expr.xreplace({s: sympify(_mp(point[s])) for s in expr.free_symbols}))


def _quad_points(models: tuple, point: Mapping, lo: mpmath.mpf, hi: mpmath.mpf) -> list:
    """Split points for mpmath.quad: each mode and a few of its scales either side."""
    pts = {lo, hi}
    for m in models:
        loc, scale = _at(m.location, point), _at(m.scale, point)
        pts |= {loc + k * scale for k in (-40, -6, 0, 6, 40)}
    return sorted(p for p in pts if lo <= p <= hi)


def _bound(b: Expr) -> mpmath.mpf:
    return _mp(b) if b.is_finite else (mpmath.inf if b.is_extended_positive else -mpmath.inf)


def quad_divergence(
    P: ContinuousModel,
    Q: ContinuousModel,
    point: Mapping[Symbol, object],
    dps: int = 30,
    kind: str = "cross-entropy",
) -> mpmath.mpf:
    """−∫ p log q (or ∫ p log(p/q) with ``kind="kl"``) by ``mpmath.quad`` at ``dps`` digits.

    A reference independent of SymPy's integrator. The interval is split at each
    density's mode and at multiples of its scale, so that far-apart modes and very
    different scales still integrate to full precision.

    >>> from symxent.continuous import Normal
    >>> mu = Symbol("mu", real=True)
    >>> print(mpmath.nstr(quad_divergence(Normal(mu, 1), Normal(0, 1), {mu: 3}, kind="kl"), 20))
    4.5
    """
    if kind not in ("cross-entropy", "kl"):
        raise InvalidInput(f"kind {kind!r} is not 'cross-entropy' or 'kl'")
    with mp.workdps(dps + 10):
        log_p, log_q = _log_density(P, point), _log_density(Q, point)
        pieces = _quad_points((P, Q), point, *(_bound(b) for b in P.support))
        if kind == "kl":
            value = mpmath.quad(lambda x: mpmath.exp(log_p(x)) * (log_p(x) - log_q(x)), pieces)
        else:
            value = mpmath.quad(lambda x: -mpmath.exp(log_p(x)) * log_q(x), pieces)
    with mp.workdps(dps):
        return +value
