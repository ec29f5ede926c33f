"""Rules for sums over a symbolic alphabet: linearity, Kronecker deltas, the simplex.

SymPy leaves ``Sum(f(k), (k, 1, K))`` with a symbolic ``K`` mostly alone, and its
``simplify`` has sharp edges there (``sum_simplify`` can raise ``StopIteration``). The
checker therefore never simplifies such sums wholesale: it pushes them into a normal form
with the few rules below, each of which is valid for any ``K``.

>>> from sympy import IndexedBase, Sum, log
>>> p = IndexedBase("p")
>>> normalize_sums(Sum(2 * p[k] + p[k] * log(3), (k, 1, K)))
log(3)*Sum(p[k], (k, 1, K)) + 2*Sum(p[k], (k, 1, K))
>>> normalize_sums(Sum(2 * p[k], (k, 1, K)), simplex=[p])
2
"""

from __future__ import annotations

from collections.abc import Iterable

from sympy import (
    Add,
    Basic,
    Expr,
    Idx,
    IndexedBase,
    KroneckerDelta,
    Mul,
    Piecewise,
    Sum,
    Symbol,
    expand,
    expand_log,
    sympify,
)

K = Symbol("K", integer=True, positive=True)
k = Idx("k", (1, K))
j = Idx("j", (1, K))
CLASS_INDEX = k
_CANON = Symbol("k", integer=True)


def class_index(name: str, size: Expr = K) -> Idx:
    """An index running over the classes 1..size, e.g. ``class_index("y")``."""
    return Idx(name, (1, size))


def _index_symbols(limits: Iterable[tuple]) -> set[Basic]:
    return {lim[0] for lim in limits}


def _split(summand: Expr, limits: tuple) -> Expr:
    """Σ (c·f + g) → c·Σ f + Σ g, for c free of the summation variables."""
    variables = _index_symbols(limits)
    total = sympify(0)
    for term in Add.make_args(expand(summand)):
        const, rest = term.as_independent(*variables, as_Add=False)
        total += const * (Sum(rest, *limits).doit() if rest == 1 else Sum(rest, *limits))
    return total


def _canonical(s: Sum) -> Sum:
    """Rename a single summation variable to one shared name, so equal sums compare equal."""
    if len(s.limits) != 1:
        return s
    var, lo, hi = s.limits[0]
    # atoms, not free_symbols: an inner sum already renamed to _CANON must not be captured.
    if var == _CANON or _CANON in s.function.atoms(Symbol):
        return s
    return Sum(s.function.xreplace({var: _CANON}), (_CANON, lo, hi))


def _in_range(index: Basic, lo: Expr, hi: Expr) -> bool:
    """True when ``index`` is an Idx whose declared range lies inside [lo, hi]."""
    if not isinstance(index, Idx) or index.lower is None:
        return getattr(index, "is_integer", False) and lo == hi == index
    return bool((index.lower - lo).is_nonnegative and (hi - index.upper).is_nonnegative)


def _resolve_delta(s: Sum) -> Expr:
    """Σ_k δ(j, k)·f(k) → f(j) when j is known to lie in the summation range."""
    if len(s.limits) != 1:
        return s
    var, lo, hi = s.limits[0]
    for factor in Mul.make_args(s.function):
        if isinstance(factor, KroneckerDelta) and var in factor.args:
            other = factor.args[0] if factor.args[1] == var else factor.args[1]
            if var not in other.free_symbols and _in_range(other, lo, hi):
                return (s.function / factor).xreplace({var: other})
    return s


def resolve_deltas(expr: Expr) -> Expr:
    """Apply Σ_k δ(j,k)·f(k) = f(j) wherever the range of j is known to fit."""
    return expr.replace(lambda e: isinstance(e, Sum), _resolve_delta)


def resolve_index_conditions(expr: Expr) -> Expr:
    """Decide Piecewise conditions such as ``K >= j`` that an Idx's declared range settles."""

    def settle(pw: Piecewise) -> Expr:
        for value, cond in pw.args:
            decided = cond.xreplace(_range_facts(cond))
            if decided is True or decided == True:  # noqa: E712 - SymPy's true
                return value
        return pw

    return expr.replace(lambda e: isinstance(e, Piecewise), settle)


def _range_facts(cond: Basic) -> dict:
    """Relational atoms of ``cond`` that hold because of Idx ranges, mapped to True."""
    facts = {}
    for rel in cond.atoms(Basic):
        if not getattr(rel, "is_Relational", False):
            continue
        for index in rel.atoms(Idx):
            if index.lower is None:
                continue
            probe = rel.xreplace({index: index.lower}), rel.xreplace({index: index.upper})
            if all(p == True for p in probe):  # noqa: E712
                facts[rel] = True
    return facts


def apply_simplex(expr: Expr, bases: Iterable[IndexedBase]) -> Expr:
    """Replace Σ_k p_k by 1 for every vector ``p`` constrained to the simplex."""
    names = set(bases)

    def one(s: Sum) -> Expr:
        f = s.function
        if len(s.limits) == 1 and getattr(f, "base", None) in names:
            var = s.limits[0][0]
            if f.indices == (var,):
                return sympify(1)
        return s

    return expr.replace(lambda e: isinstance(e, Sum), one)


def normalize_sums(expr: Expr, simplex: Iterable[IndexedBase] = ()) -> Expr:
    """Push every sum into linear normal form: split, pull constants out, resolve deltas.

    Sound for every value of the symbolic bounds: only linearity of Σ, Σ_k δ(j,k)f(k) = f(j)
    for j in range, and (for the listed simplex vectors) Σ_k p_k = 1 are used.
    """
    bases = tuple(simplex)
    for _ in range(8):
        new = expr.replace(lambda e: isinstance(e, Sum), lambda e: _split(e.function, e.limits))
        new = resolve_index_conditions(resolve_deltas(new))
        new = new.replace(lambda e: isinstance(e, Sum), _canonical)
        new = expand(apply_simplex(new, bases))
        if new == expr:
            return new
        expr = new
    return expr


def expand_logs_in_sums(expr: Expr) -> Expr:
    """``expand_log(force=True)`` inside and outside sums (valid for positive arguments)."""
    return expand_log(expr, force=True).replace(
        lambda e: isinstance(e, Sum),
        lambda e: Sum(expand_log(expand(e.function), force=True), *e.limits),
    )
