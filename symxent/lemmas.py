"""Lemmas applied termwise: inequality provers that reduce a step to a certified lemma.

A :class:`Lemma` states ``g(x) ≤ h(x)`` (or ``<``) for every ``x`` its variable's assumptions
admit, and carries a SymPy proof of itself (``certify``). The prover checks a step
``Σ_k a_k ≤ Σ_k b_k`` (same range; or two scalars) by finding, for each term, a point ``X``
where the lemma's anchor occurs and the exact weight ``w = (b − a) / (h(X) − g(X))``; it then
requires ``w ≥ 0`` (``w > 0`` for ``<``) and ``X`` admissible, decided by SymPy's assumptions
with simplex entries read as positive reals (their sampling domain is the open simplex).
Since ``b − a = w·(h(X) − g(X))`` identically, the step follows. A step may cite a proved
theorem instead (``by="gibbs-inequality"``): its difference must be a chain conclusion of it.

>>> from sympy import IndexedBase, Sum, log
>>> from symxent.sums import K, k
>>> p, q = IndexedBase("p"), IndexedBase("q")
>>> lhs, rhs = Sum(p[k] * log(q[k] / p[k]), (k, 1, K)), Sum(p[k] * (q[k] / p[k] - 1), (k, 1, K))
>>> prove_termwise(lhs, "<=", rhs, simplex=[p, q]).name
'log x ≤ x − 1'
>>> prove_termwise(-lhs, "<=", -rhs, simplex=[p, q]) is None
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from sympy import (
    Add,
    Dummy,
    Expr,
    Indexed,
    IndexedBase,
    Mul,
    Sum,
    Symbol,
    Wild,
    cancel,
    ceiling,
    diff,
    frac,
    log,
    simplify,
    solve,
    sympify,
)

from .checking import prepare, register_prover
from .sums import expand_logs_in_sums, normalize_sums

_STRICT = {"<": True, "<=": False}
_INDEX = Dummy("k", integer=True)
_ASSUMPTIONS = ("positive", "nonnegative", "real")


@dataclass(frozen=True)
class Lemma:
    """``lhs(x) relation rhs(x)`` for all admissible ``x``, with its own SymPy proof.

    Args:
        name: how certificates and justifications cite it, e.g. ``"log x ≤ x − 1"``.
        variable: the lemma's variable; its assumptions (positive, real …) are its domain.
        lhs: the smaller side ``g(x)``.
        relation: ``"<="`` or ``"<"``.
        rhs: the larger side ``h(x)``.
        anchor: a subexpression of ``g`` or ``h`` that locates ``x`` in a step, e.g. ``log(x)``.
        certify: proves the lemma with SymPy; the prover uses the lemma only if it returns True.
        equality: when equality holds, for the reader.
    """

    name: str
    variable: Symbol
    lhs: Expr
    relation: str
    rhs: Expr
    anchor: Expr
    certify: Callable[[], bool]
    equality: str = ""

    def gap(self, value: Expr) -> Expr:
        """``h(value) − g(value)``, nonnegative (positive if strict) on the domain."""
        return (self.rhs - self.lhs).xreplace({self.variable: value})

    def admits(self, value: Expr) -> bool:
        """Whether SymPy can show ``value`` satisfies every assumption of the variable."""
        wanted = [a for a in _ASSUMPTIONS if self.variable.assumptions0.get(a)]
        return all(getattr(value, f"is_{a}") is True for a in wanted)

    def points(self, expr: Expr) -> list[Expr]:
        """The values ``X`` such that the anchor at ``X`` occurs in ``expr``."""
        wild = Wild("X")
        pattern = self.anchor.xreplace({self.variable: wild})
        found = (a.match(pattern) for a in expr.atoms(type(self.anchor)))
        return list(dict.fromkeys(m[wild] for m in found if m and wild in m))


@dataclass(frozen=True)
class LogBoundFacts:
    """What SymPy computes about ``f(x) = x − 1 − log x`` on ``x > 0``."""

    x: Symbol
    f: Expr
    f1: Expr
    f2: Expr
    f_at_1: Expr
    f1_at_1: Expr
    stationary: tuple[Expr, ...]


@cache
def log_bound_facts() -> LogBoundFacts:
    """Differentiate ``f(x) = x − 1 − log x`` and solve ``f′(x) = 0`` (the lemma's proof).

    >>> facts = log_bound_facts()
    >>> facts.f1, facts.f2, facts.f_at_1, facts.f1_at_1, facts.stationary
    (1 - 1/x, x**(-2), 0, 0, (1,))
    """
    x = Symbol("x", positive=True)
    f = x - 1 - log(x)
    f1, f2 = diff(f, x), diff(f, x, 2)
    stationary = tuple(solve(f1, x))
    return LogBoundFacts(x, f, f1, f2, f.subs(x, 1), f1.subs(x, 1), stationary)


def _certify_log_bound() -> bool:
    # f'' > 0 on the interval (0, ∞): f is strictly convex there, so its only stationary
    # point x = 1 is the unique global minimum, of value f(1) = 0. Hence f ≥ 0, = 0 iff x = 1.
    facts = log_bound_facts()
    return (
        facts.f2.is_positive is True
        and facts.f_at_1 == 0
        and facts.f1_at_1 == 0
        and facts.stationary == (1,)
    )


def _certify_ceiling_lower() -> bool:
    # ⌈y⌉ = y + frac(−y), and SymPy's frac lies in [0, 1).
    y = Symbol("y", real=True)
    excess = simplify(ceiling(y).rewrite(frac) - y)
    return excess == frac(-y) and bool(excess >= 0)


def _certify_ceiling_upper() -> bool:
    y = Symbol("y", real=True)
    excess = simplify(ceiling(y).rewrite(frac) - y)
    return excess == frac(-y) and bool(excess < 1)


def _certify_kraft_term() -> bool:
    # With y = −log₂ q: ⌈y⌉ ≥ y, t ↦ 2^(−t) is decreasing, and 2^(−y) = q.
    q, t = Symbol("q", positive=True), Symbol("t", real=True)
    decreasing = diff(2 ** (-t), t).is_negative is True
    back_to_q = simplify(2 ** (log(q) / log(2)) - q) == 0
    return _certify_ceiling_lower() and decreasing and back_to_q


_x, _y, _q = Symbol("x", positive=True), Symbol("y", real=True), Symbol("q", positive=True)
LOG_BOUND = Lemma(
    "log x ≤ x − 1", _x, log(_x), "<=", _x - 1, log(_x), _certify_log_bound, "iff x = 1"
)
CEILING_LOWER = Lemma("y ≤ ⌈y⌉", _y, _y, "<=", ceiling(_y), ceiling(_y), _certify_ceiling_lower)
CEILING_UPPER = Lemma(
    "⌈y⌉ < y + 1", _y, ceiling(_y), "<", _y + 1, ceiling(_y), _certify_ceiling_upper
)
_shannon = ceiling(-log(_q) / log(2))
KRAFT_TERM = Lemma("2^(−⌈−log₂ q⌉) ≤ q", _q, 2**-_shannon, "<=", _q, _shannon, _certify_kraft_term)
LEMMAS: dict[str, Lemma] = {}


@cache
def _certified(name: str) -> bool:
    return LEMMAS[name].certify()


def _positive_view(expr: Expr, simplex: Iterable[IndexedBase]) -> Expr:
    """Entries of simplex vectors as positive reals, so SymPy's assumptions can decide signs."""
    bases = set(simplex)
    entries = [e for e in expr.atoms(Indexed) if e.base in bases]
    return expr.xreplace({e: Dummy(str(e.base), positive=True) for e in entries})


def _weight(lemma: Lemma, a: Expr, b: Expr) -> tuple[Expr, Expr] | None:
    """``(w, X)`` with ``b − a = w·gap(X)`` exactly, for the first anchor point that gives one."""
    for point in lemma.points(a) + lemma.points(b):
        gap = lemma.gap(point)
        if gap == 0:
            continue
        w = cancel((b - a) / gap)
        if cancel(w * gap - (b - a)) == 0:
            return w, point
    return None


def scalar_holds(lemma: Lemma, a: Expr, relation: str, b: Expr, simplex: Sequence) -> bool:
    """``a relation b`` (``<=`` or ``<``) as a nonnegative multiple of the lemma at one point."""
    if _STRICT[relation] and not _STRICT[lemma.relation]:
        return False
    found = _weight(lemma, a, b)
    if found is None:
        return False
    w, point = (_positive_view(e, simplex) for e in found)
    sign_ok = w.is_positive if _STRICT[relation] else w.is_nonnegative
    return bool(sign_ok) and lemma.admits(point)


def _as_sum(expr: Expr) -> tuple[Expr, tuple] | None:
    """``(summand, (lo, hi))`` for ``c·Σ f + d·Σ g`` over one shared range, else None."""
    summand, bounds = sympify(0), None
    for term in Add.make_args(expr):
        sums = [f for f in Mul.make_args(term) if isinstance(f, Sum)]
        if len(sums) != 1 or len(sums[0].limits) != 1:
            return None
        (var, lo, hi), inner = sums[0].limits[0], sums[0].function
        coefficient = term / sums[0]
        if bounds not in (None, (lo, hi)) or var in coefficient.free_symbols:
            return None
        # One shared index name, so the summands of different sums can be compared.
        bounds = (lo, hi)
        summand += coefficient * inner.xreplace({var: _INDEX})
    return (summand, bounds) if bounds else None


def _termwise(lemma: Lemma, a: Expr, relation: str, b: Expr, simplex: Sequence) -> bool:
    sa, sb = _as_sum(a), _as_sum(b)
    if sa is None and a == 0 and sb is not None:
        sa = (sympify(0), sb[1])
    if sb is None and b == 0 and sa is not None:
        sb = (sympify(0), sa[1])
    if sa is not None and sb is not None:
        (fa, range_a), (fb, range_b) = sa, sb
        nonempty = (range_a[1] - range_a[0] + 1).is_positive
        if range_a != range_b or (_STRICT[relation] and not nonempty):
            return False
        return scalar_holds(lemma, fa, relation, fb, simplex)
    if a.has(Sum) or b.has(Sum):
        return False
    if scalar_holds(lemma, a, relation, b, simplex):
        return True
    return _paired(lemma, Add.make_args(a), relation, list(Add.make_args(b)), simplex)


def _paired(lemma: Lemma, terms_a: Sequence, relation: str, terms_b: list, simplex) -> bool:
    """Each term of ``a`` matched to its own term of ``b`` by the lemma (finite alphabets)."""
    if len(terms_a) != len(terms_b):
        return False
    for ta in terms_a:
        match = next((tb for tb in terms_b if scalar_holds(lemma, ta, relation, tb, simplex)), None)
        if match is None:
            return False
        terms_b.remove(match)
    return True


def prove_termwise(
    lhs: Expr, relation: str, rhs: Expr, simplex: Iterable[IndexedBase] = (), lemma: object = None
) -> Lemma | None:
    """The certified lemma that proves ``lhs relation rhs`` termwise, or None.

    Args:
        lhs, rhs: the two sides (unfolded), sums over one range or finite sums of terms.
        relation: one of ``<=``, ``<``, ``>=``, ``>``.
        simplex: vectors whose entries are probabilities (read as positive reals).
        lemma: restrict to this :class:`Lemma` or lemma name; by default try every lemma.
    """
    if relation in (">=", ">"):
        lhs, rhs, relation = rhs, lhs, relation.replace(">", "<")
    if relation not in _STRICT:
        return None
    chosen = _chosen(lemma)
    for candidate in chosen:
        if _certified(candidate.name) and _termwise(candidate, lhs, relation, rhs, tuple(simplex)):
            return candidate
    return None


def _chosen(lemma: object) -> list[Lemma]:
    if isinstance(lemma, Lemma):
        return [lemma]
    if isinstance(lemma, str) and lemma in LEMMAS:
        return [LEMMAS[lemma]]
    return list(LEMMAS.values())


def register_lemma(lemma: Lemma) -> None:
    """Make ``lemma`` available to the checker as a termwise inequality prover."""
    LEMMAS[lemma.name] = lemma

    def prover(step: object, lhs: Expr, rhs: Expr, ctx: object) -> bool:
        cited = step.by.name if isinstance(step.by, Lemma) else step.by
        if isinstance(cited, str) and cited in LEMMAS and cited != lemma.name:
            return False  # the step cites a different lemma
        found = prove_termwise(lhs, step.relation, rhs, ctx.simplex, lemma=lemma)
        return found is lemma

    register_prover(f"lemma {lemma.name} applied termwise (weights ≥ 0)", prover)


@cache
def _theorem_conclusions(theorem_id: str) -> tuple[tuple[Expr, bool, list], ...]:
    """``(D, strict, simplex)`` for each inequality chain ``D ≥ 0`` the theorem proves."""
    from .registry import get  # the registry loads proofs, which import this module

    theorem = get(theorem_id)
    if not theorem.verify(samples=4).ok:
        return ()
    out = []
    for c in theorem.chains:
        if c.relation == "=":
            continue
        a, b = prepare(c.lhs, theorem), prepare(c.rhs, theorem)
        d = (a - b) if c.relation in (">=", ">") else (b - a)
        out.append((d, c.relation in ("<", ">"), theorem.simplex_bases))
    return tuple(out)


def cite_theorem(step: object, lhs: Expr, rhs: Expr, ctx: object) -> bool:
    """``by=ID``: the step's difference is exactly a conclusion ``D ≥ 0`` of theorem ``ID``."""
    if not isinstance(step.by, str) or step.by in LEMMAS or step.by == ctx.derivation.id:
        return False
    strict = step.relation in ("<", ">")
    d = (lhs - rhs) if step.relation in (">=", ">") else (rhs - lhs)
    for conclusion, is_strict, simplex in _theorem_conclusions(step.by):
        if strict and not is_strict:
            continue
        residual = expand_logs_in_sums(d - conclusion)
        if normalize_sums(residual, [*ctx.simplex, *simplex]) == 0:
            return True
    return False


def extended_sign(step: object, lhs: Expr, rhs: Expr, ctx: object) -> bool:
    """The sign of the difference in the extended reals, so that ``∞ > M`` is decided.

    SymPy's ``is_positive`` is False for ``oo`` (positive means finite and positive);
    ``is_extended_positive`` is the question a limit equal to +∞ needs.
    """
    d = (lhs - rhs) if step.relation in (">=", ">") else (rhs - lhs)
    verdict = d.is_extended_positive if step.relation in ("<", ">") else d.is_extended_nonnegative
    return verdict is True


def _register_all() -> None:
    for lemma in (KRAFT_TERM, CEILING_UPPER, CEILING_LOWER, LOG_BOUND):
        register_lemma(lemma)
    register_prover("instance of a cited theorem's conclusion", cite_theorem)
    register_prover("sign of the difference (extended reals)", extended_sign)


_register_all()
