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

from collections.abc import Iterable, Sequence

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
    expand_mul,
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


def in_range(index: Expr, lo: Expr, hi: Expr, limits: Iterable[tuple] = ()) -> bool:
    """True when ``index`` provably lies in lo..hi: from its range among ``limits`` (summation
    variables), an Idx's declared range, or its value."""
    ranges = {v: (a, b) for v, a, b in limits}
    if index in ranges:
        low, high = ranges[index]
    elif isinstance(index, Idx) and index.lower is not None:
        low, high = index.lower, index.upper
    elif index.is_integer:
        low = high = index
    else:
        return False
    return bool((low - lo).is_nonnegative and (hi - high).is_nonnegative)


def _pick_delta(term: Expr, var: Basic, lo: Expr, hi: Expr) -> tuple[Expr, Expr] | None:
    """The factor δ(j, var) of ``term`` and its j, when j is known to lie in lo..hi."""
    for factor in Mul.make_args(term):
        if isinstance(factor, KroneckerDelta) and var in factor.args:
            a, b = factor.args
            other = b if a == var else a
            if var not in other.free_symbols and in_range(other, lo, hi):
                return factor, other
    return None


def _resolve_sum(s: Sum) -> Expr:
    (var, lo, hi), limits = s.limits[0], s.limits
    resolved, kept = [], []
    for term in Add.make_args(expand_mul(s.function, deep=False)):
        hit = _pick_delta(term, var, lo, hi)
        if hit is None:
            kept.append(term)
        else:
            delta, other = hit
            rest = Mul(*(f for f in Mul.make_args(term) if f != delta))
            resolved.append(rest.subs(var, other))  # subs keeps inner bound indices intact
    outside = [f for t in kept for f in Mul.make_args(t) if var not in f.free_symbols]
    return Add(*resolved, *(_pull_out(t, var, limits) for t in kept)) if outside or resolved else s


def _pull_out(term: Expr, var: Basic, limits: Sequence) -> Expr:
    """Σ_k c·f(k) → c·Σ_k f(k) for the factors c free of k."""
    factors = Mul.make_args(term)
    const = Mul(*(f for f in factors if var not in f.free_symbols))
    inner = Mul(*(f for f in factors if var in f.free_symbols))
    return const * Sum(inner, *limits)


def resolve_deltas(expr: Expr) -> Expr:
    """Σ_k δ(j, k)·f(k) → f(j) where j's range (an Idx's, or its value) lies in the sum's.

    Terms without such a delta stay in the sum, with factors free of k pulled out.
    Substitution respects the bound indices of ``logsumexp``/``softmax`` inside f.

    >>> from sympy import Idx, IndexedBase, KroneckerDelta, Sum, Symbol
    >>> K = Symbol("K", integer=True, positive=True)
    >>> k, j, p = Idx("k", (1, K)), Idx("j", (1, K)), IndexedBase("p")
    >>> resolve_deltas(Sum(KroneckerDelta(j, k) * p[k], (k, 1, K)))
    p[j]
    """
    return expr.replace(lambda e: isinstance(e, Sum) and len(e.limits) == 1, _resolve_sum)


def resolve_index_conditions(expr: Expr) -> Expr:
    """Decide Piecewise conditions such as ``K >= j`` that an Idx's declared range settles."""

    def settle(pw: Piecewise) -> Expr:
        # Only the first branch may be taken, and only if its condition is settled: skipping
        # an undecided branch to reach a later one would be unsound.
        value, cond = pw.args[0]
        decided = cond.xreplace(_range_facts(cond))
        return value if decided == True else pw  # noqa: E712 - SymPy's true

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
