"""Stable numeric forms: rewrite rules (data) shared by every code printer.

Each rule recognises one unstable shape and replaces it by a symxent Function whose
printers (``symxent._printer.StablePrinter`` for NumPy, ``symxent.codegen`` for C, PyTorch
and JAX) emit a stable kernel. ``stabilize`` applies them in order with SymPy's own
``optimize``. SymPy's ``log1p_opt`` and ``logsumexp_2terms_opt`` are deliberately not
used: the first makes log(1 + e^{-x}) NaN at x = 1000, the second drops the max shift.

>>> from sympy import Symbol, log
>>> p, q = Symbol("p"), Symbol("q")
>>> stabilize(-p * log(q) - p * log(p))
-xlogy(p, p) - xlogy(p, q)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from sympy import (
    Basic,
    Expr,
    Function,
    Indexed,
    Mul,
    S,
    Sum,
    Tuple,
    exp,
    log,
)
from sympy.codegen.cfunctions import log1p
from sympy.codegen.rewriting import ReplaceOptim, optimize

from symxent.errors import NotSupported
from symxent.functions import (
    log_softmax,
    logsumexp,
    resolve_deltas,
    sigmoid,
    softmax,
    softplus,
    xlogy,
)


class rel_entr(Function):
    """x·log(x/y) with 0 at x = 0 and +inf at x > 0 = y (SciPy's ``rel_entr``)."""

    nargs = 2

    def unfold(self) -> Expr:
        x, y = self.args
        return x * log(x / y)


class softplus_shift(Function):
    """softplus(u) − b·u, printed as max(u, 0) − b·u + log1p(e^{−|u|}) (the BCE form)."""

    nargs = 2

    def unfold(self) -> Expr:
        u, b = self.args
        return softplus(u) - b * u


def _rule(rewrite: Callable[[Expr], Expr | None]) -> ReplaceOptim:
    """A ReplaceOptim from a function that returns the new node, or None to keep it."""

    def value(e: Expr) -> Expr:
        new = rewrite(e)
        return e if new is None else new

    return ReplaceOptim(lambda e: isinstance(e, Expr), value)


def _log_arg(e: Basic) -> Expr | None:
    return e.args[0] if isinstance(e, log) else None


def _sigmoid(e: Expr) -> Expr | None:
    """1/(1 + e^{−u}) → σ(u)."""
    if e.is_Pow and e.exp == -1 and e.base.is_Add:
        one, rest = e.base.as_coeff_Add()
        if one == 1 and isinstance(rest, exp):
            return sigmoid(-rest.args[0])
    return None


def _one_minus_sigmoid(e: Expr) -> Expr | None:
    """1 − σ(u) + r → σ(−u) + r."""
    if e.is_Add and e.as_coeff_Add()[0] == 1:
        for term in e.args:
            if isinstance(-term, sigmoid):
                return e - 1 - term + sigmoid(-(-term).args[0])
    return None


def _log_sigmoid(e: Expr) -> Expr | None:
    """log σ(u) → −softplus(−u)."""
    arg = _log_arg(e)
    return -softplus(-arg.args[0]) if isinstance(arg, sigmoid) else None


def _softplus(e: Expr) -> Expr | None:
    """log(1 + e^u) → softplus(u)."""
    arg = _log_arg(e)
    if arg is not None and arg.is_Add:
        one, rest = arg.as_coeff_Add()
        if one == 1 and isinstance(rest, exp):
            return softplus(rest.args[0])
    return None


def _exps(e: Expr) -> tuple[Basic, ...] | None:
    """The vector of Σ e^{v}: ``(v, limits)`` of a Sum, or ``(terms,)`` of an Add of exps."""
    if isinstance(e, Sum) and len(e.limits) == 1 and isinstance(e.function, exp):
        return (e.function.args[0], Tuple(*e.limits[0]))
    if e.is_Add and all(isinstance(t, exp) for t in e.args):
        return (Tuple(*(t.args[0] for t in e.args)),)
    return None


def _logsumexp(e: Expr) -> Expr | None:
    """log Σ e^{v} → logsumexp."""
    arg = _log_arg(e)
    vector = None if arg is None else _exps(arg)
    return logsumexp(*vector) if vector else None


def _class_of(vector: tuple[Basic, ...], picked: Expr) -> Expr | None:
    """The class ``at`` with v[k := at] == picked, or None."""
    if len(vector) == 1:
        terms = list(vector[0])
        return S(terms.index(picked) + 1) if picked in terms else None
    body, var = vector[0], vector[1][0]
    for inner in body.atoms(Indexed):
        for candidate in picked.atoms(Indexed):
            if candidate.base == inner.base and inner.indices == (var,):
                at = candidate.indices[0]
                if body.subs(var, at) == picked:
                    return at
    return None


def _softmax(e: Expr) -> Expr | None:
    """e^{v_at} / Σ_k e^{v_k} → softmax(v)_at."""
    if not e.is_Mul:
        return None
    for den in e.args:
        vector = _exps(den.base) if den.is_Pow and den.exp == -1 else None
        for num in e.args if vector else ():
            at = _class_of(vector, num.args[0]) if isinstance(num, exp) else None
            if at is not None:
                return e / (num / den.base) * softmax(*vector, at)
    return None


def _log_softmax(e: Expr) -> Expr | None:
    """log softmax(v)_at → log_softmax(v)_at."""
    arg = _log_arg(e)
    return log_softmax(*arg.args) if isinstance(arg, softmax) else None


def _lse_minus_picked(e: Expr) -> Expr | None:
    """c·logsumexp(v) − c·v_at → −c·log_softmax(v)_at (no cancellation of large terms)."""
    if not e.is_Add:
        return None
    for term in e.args:
        coeff, lse = term.as_coeff_Mul()
        if isinstance(lse, logsumexp):
            for other in e.args:
                at = _class_of(lse.args, -other / coeff)
                if at is not None:
                    return e - term - other - coeff * log_softmax(*lse.args, at)
    return None


def _log_products(e: Expr) -> Expr | None:
    """c·x·log(x/y) → c·rel_entr(x, y); c·x·log(y) → c·xlogy(x, y)."""
    if not e.is_Mul:
        return None
    logs = [f for f in e.args if isinstance(f, log) and not f.args[0].is_number]
    if len(logs) != 1:
        return None
    coeff, x = (e / logs[0]).as_coeff_Mul()
    if x.is_number:
        return None
    arg, y = logs[0].args[0], x / logs[0].args[0]
    if arg.is_Mul and x in arg.args and not y.has(x):
        return coeff * rel_entr(x, y)
    return coeff * xlogy(x, arg)


def _log1p(e: Expr) -> Expr | None:
    """log(1 + u) → log1p(u) (after softplus has taken the 1 + e^u case)."""
    arg = _log_arg(e)
    if arg is not None and arg.is_Add:
        one, rest = arg.as_coeff_Add()
        if one == 1:
            return log1p(rest)
    return None


def softplus_pairs(e: Expr) -> Iterator[tuple[tuple[Expr, Expr, Expr], Expr]]:
    """(u, a, b) for each a·softplus(u) + b·softplus(−u) inside the sum ``e``, and what is left
    of ``e`` without those two terms."""
    if not e.is_Add:
        return
    weights: dict[Expr, tuple[Expr, Expr]] = {}
    for term in e.args:
        found = [f for f in Mul.make_args(term) if isinstance(f, softplus)]
        if len(found) == 1:
            weights[found[0].args[0]] = (term / found[0], term)
    for u, (a, term_a) in weights.items():
        if -u in weights and not u.could_extract_minus_sign():
            b, term_b = weights[-u]
            yield (u, a, b), e - term_a - term_b


def _softplus_pair(e: Expr) -> Expr | None:
    """a·softplus(u) + b·softplus(−u) with a + b = 1 → softplus(u) − b·u (BCE with logits)."""
    for (u, a, b), rest in softplus_pairs(e):
        if (a + b - 1).expand() == 0:
            return rest + softplus_shift(u, b)
    return None


def _deltas(e: Expr) -> Expr | None:
    return resolve_deltas(e) if isinstance(e, Sum) else None


STABLE_REWRITES: tuple[ReplaceOptim, ...] = tuple(
    _rule(f)
    for f in (
        _deltas,
        _sigmoid,
        _one_minus_sigmoid,
        _log_sigmoid,
        _softplus,
        _logsumexp,
        _softmax,
        _log_softmax,
        _lse_minus_picked,
        _log_products,
        _log1p,
        _softplus_pair,
    )
)


def stabilize(expr: Expr) -> Expr:
    """Rewrite ``expr`` into the stable forms that the numeric printer knows."""
    return optimize(expr, STABLE_REWRITES)


_REDUCTIONS = (logsumexp, softmax, log_softmax)


def _class_limits(limits: Sequence) -> tuple[Basic, Basic, Basic]:
    if len(limits) != 1 or limits[0][1] != 1:
        raise NotSupported(f"only sums over one class index from 1 are vectorised: {limits}")
    return tuple(limits[0])


def class_counts(expr: Basic) -> set[Basic]:
    """Symbols used as a number of classes (upper limits of class sums)."""
    found = {s.limits[0][2] for s in expr.atoms(Sum) if len(s.limits) == 1}
    found |= {f.limits[2] for f in expr.atoms(*_REDUCTIONS) if not f.is_explicit}
    return {c for c in found if c.is_Symbol}


def bound_indices(expr: Basic) -> set[Basic]:
    found = {lim[0] for s in expr.atoms(Sum) for lim in s.limits}
    return found | {f.limits[0] for f in expr.atoms(*_REDUCTIONS) if not f.is_explicit}
