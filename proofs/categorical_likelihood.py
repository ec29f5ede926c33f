"""categorical-likelihood: the likelihood of N die rolls is ∏ₖ q(k)^{N p(k)} (source 000).

For IID draws X₁…X_N ~ Categorical(q), draw n contributes the single factor q(X_n), written
∏ₖ q(k)^{[X_n = k]} with the Iverson bracket. Regrouping the factors by face turns the
exponents into counts N p(k), where p is the empirical PMF, so the log-likelihood is
N Σₖ p(k) log q(k) = −N H(p, q). The expectation steps show E p(k) = q(k); the law of large
numbers (simulated in :mod:`symxent.simulate`) makes p converge to q.

SymPy cannot compare products over symbolic ranges, so this module registers a prover that
compares them through their logarithms (sound for positive factors: log is injective there).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sympy import (
    Basic,
    Expr,
    Function,
    Idx,
    Indexed,
    IndexedBase,
    Integer,
    KroneckerDelta,
    Mul,
    Product,
    Sum,
    Symbol,
    Tuple,
    expand_log,
    log,
)

from symxent.checking import register_prover
from symxent.derivation import Derivation, Step, chain
from symxent.domains import ClassIndex, Simplex
from symxent.measures import cross_entropy
from symxent.models import Categorical
from symxent.notation import Named, product, unfold
from symxent.registry import register
from symxent.sums import K, in_range, normalize_sums

N = Symbol("N", integer=True, positive=True)
k, j, x = Idx("k", (1, K)), Idx("j", (1, K)), Idx("x", (1, K))
n = Idx("n", (1, N))
# q is positive: a face that was rolled must have q(k) > 0 for the likelihood to be positive.
q = IndexedBase("q", positive=True)
X = IndexedBase("X", integer=True)
MAX_DRAWS = 12  # numeric checks expand ∏ₙ: keep N small enough to stay fast


class indicator(Function):
    """[a = b] for a drawn value a: 1 or 0 once both sides are integers.

    Unlike ``KroneckerDelta`` it is opaque to SymPy's delta summation, which would turn
    Σₖ log q(k) [X_n = k] into log q(X_n), an entry index the numeric sampler cannot fill in
    a single substitution pass. Between class indices it is a Kronecker delta.
    """

    is_integer = True
    is_nonnegative = True

    @classmethod
    def eval(cls, a: Expr, b: Expr) -> Expr | None:
        if a.is_Integer and b.is_Integer:
            return Integer(a == b)
        if not (a.has(Indexed) or b.has(Indexed)):
            return KroneckerDelta(a, b)
        return None

    def _latex(self, printer: object, exp: str | None = None) -> str:
        return Iverson(*self.args)._latex(printer)

    def _sympystr(self, printer: object) -> str:
        return Iverson(*self.args)._sympystr(printer)


class Iverson(Expr):
    """The Iverson bracket [a = b]: 1 when a = b, else 0; printed as the text writes it."""

    is_commutative = True

    def __new__(cls, a: Expr, b: Expr) -> Iverson:
        return Expr.__new__(cls, a, b)

    def unfold(self) -> Expr:
        return indicator(*self.args)

    def _latex(self, printer: object) -> str:
        a, b = (printer._print(e) for e in self.args)
        return rf"[{a} = {b}]"

    def _sympystr(self, printer: object) -> str:
        a, b = (printer._print(e) for e in self.args)
        return f"[{a} = {b}]"


class Prod(Expr):
    """∏ over one or more ranges, printed nested as the text writes it (∏ₙ ∏ₖ …).

    Limits are given innermost first; SymPy's own ``Product`` merges nested products into
    one multi-limit product, which prints as a single ∏ with stacked ranges.
    """

    is_commutative = True

    def __new__(cls, factor: Expr, *limits: tuple) -> Prod:
        return Expr.__new__(cls, factor, *(Tuple(*lim) for lim in limits))

    def unfold(self) -> Expr:
        return Product(self.args[0], *(tuple(lim) for lim in self.args[1:]))

    def _latex(self, printer: object) -> str:
        heads = "".join(
            rf"\prod_{{{printer._print(v)}={printer._print(lo)}}}^{{{printer._print(hi)}}} "
            for v, lo, hi in reversed(self.args[1:])
        )
        return heads + printer.parenthesize(self.args[0], 50)

    def _sympystr(self, printer: object) -> str:
        heads = "".join(f"∏_{{{v}={lo}..{hi}}} " for v, lo, hi in reversed(self.args[1:]))
        return heads + printer.parenthesize(self.args[0], 50)


@dataclass(frozen=True)
class Draws:
    """A sample X₁…X_N of faces in 1..K, with the sample size N itself drawn in 1..max_n."""

    base: IndexedBase
    count: Symbol
    classes: Expr
    max_n: int = MAX_DRAWS

    def constraints(self) -> list[Basic]:
        return [self.count >= 1, *(c for c in ClassIndex(n, self.classes).constraints())]

    def sample(self, rng: random.Random, size: int | None, dps: int) -> dict[Basic, Expr]:
        faces = int(self.classes) if self.classes.is_Integer else size
        drawn = rng.choice((1, rng.randint(1, self.max_n)))  # N = 1 is an edge worth hitting
        point: dict[Basic, Expr] = {self.count: Integer(drawn)}
        point.update({self.base[i]: Integer(rng.randint(1, faces)) for i in range(1, drawn + 1)})
        return point


def _merge_nested(s: Sum) -> Expr:
    """Σ_a c·Σ_b f → Σ_{a,b} c·f with the limits in a fixed order (Fubini for finite sums).

    Only when no bound depends on a summation variable (so the order is free) and ``c``
    does not mention b (so merging captures nothing).
    """
    limits, body = list(s.limits), s.function
    inner = [f for f in Mul.make_args(body) if isinstance(f, Sum)]
    if len(inner) == 1:
        rest, inner_vars = body / inner[0], {lim[0] for lim in inner[0].limits}
        if not (rest.free_symbols | {lim[0] for lim in limits}) & inner_vars:
            limits, body = list(inner[0].limits) + limits, rest * inner[0].function
    variables = {lim[0] for lim in limits}
    if any(variables & (lo.free_symbols | hi.free_symbols) for _, lo, hi in limits):
        return s
    return Sum(body, *sorted(limits, key=lambda lim: (str(lim[0]), type(lim[0]).__name__)))


def _drop_unused(s: Sum) -> Expr:
    """Σ over an index the summand does not mention counts its range: hi − lo + 1 copies."""
    used = s.function.free_symbols
    bounds = set().union(*(lo.free_symbols | hi.free_symbols for _, lo, hi in s.limits))
    kept, count = [], 1
    for v, lo, hi in s.limits:
        if v in used or v in bounds:
            kept.append((v, lo, hi))
        else:
            count *= hi - lo + 1  # also right for empty ranges, by Karr's convention
    return count * (Sum(s.function, *kept) if kept else s.function)


def _delta_over_several(s: Sum) -> Expr:
    """Σ_{a,b} δ(a, b) f(a, b) = Σ_b f(b, b) when b ranges inside a's range."""
    bounds = set().union(*(lo.free_symbols | hi.free_symbols for _, lo, hi in s.limits))
    for delta in (f for f in Mul.make_args(s.function) if isinstance(f, KroneckerDelta)):
        for var, other in (delta.args, delta.args[::-1]):
            lim = next((lim for lim in s.limits if lim[0] == var), None)
            if lim is None or var in bounds or var in other.free_symbols:
                continue
            if in_range(other, lim[1], lim[2], s.limits):
                body = (s.function / delta).xreplace({var: other})
                rest = [lim2 for lim2 in s.limits if lim2[0] != var]
                return Sum(body, *rest) if rest else body
    return s


def sums_normal_form(expr: Expr, simplex: list) -> Expr:
    """Merge nested sums first: ``normalize_sums`` renames indices one sum at a time."""
    for _ in range(4):
        merged = expr.replace(lambda e: isinstance(e, Sum), _merge_nested)
        merged = merged.replace(lambda e: isinstance(e, Sum), _drop_unused)
        merged = merged.replace(lambda e: isinstance(e, Sum), _delta_over_several)
        new = normalize_sums(merged, simplex).replace(lambda e: isinstance(e, Sum), _merge_nested)
        if new == expr:
            break
        expr = new
    return expr


def equal_via_logs(d: Expr, ctx: object) -> bool:
    """Prove ``d == 0`` for products of positive factors: ∏ f = exp Σ log f, then compare sums.

    Applies only when every ``Product`` in ``d`` has a provably positive factor, so that
    ``log`` is injective and log(a^b) = b log a holds; anything else is left to other provers.
    """
    products = d.atoms(Product)
    if not products or not all(p.function.is_positive for p in products):
        return False
    as_sums = expand_log(d.replace(lambda e: isinstance(e, Product), lambda e: e.rewrite(Sum)))
    return sums_normal_form(as_sums, ctx.simplex) == 0


def equal_by_iterated_sums(d: Expr, ctx: object) -> bool:
    """Prove ``d == 0`` where sums run over several indices (SymPy merges Σ_a Σ_b into one).

    Uses only the order-independence of finite sums and Σ_{n=lo}^{hi} c = (hi − lo + 1) c.
    """
    if not any(len(s.limits) > 1 for s in d.atoms(Sum)):
        return False
    return sums_normal_form(d, ctx.simplex) == 0


register_prover("products compared through their logarithms", equal_via_logs, relation="equality")
register_prover("sums over several indices", equal_by_iterated_sums, relation="equality")


class Empirical(Expr):
    """p(face) = (1/N) Σₙ [Xₙ = face], the empirical PMF of eq. (1) in 000.

    A class of its own (not ``Named``) so that SymPy can rebuild it from its args, which
    happens when it sits in an exponent.
    """

    is_commutative = True
    is_real = True

    def __new__(cls, face: Expr) -> Empirical:
        return Expr.__new__(cls, face)

    def unfold(self) -> Expr:
        return Sum(Iverson(X[n], self.args[0]), (n, 1, N)) / N

    def _latex(self, printer: object) -> str:
        return rf"p({printer._print(self.args[0])})"

    def _sympystr(self, printer: object) -> str:
        return f"p({printer._print(self.args[0])})"


def empirical(face: Expr) -> Empirical:
    """The empirical probability of ``face`` in the sample X₁…X_N."""
    return Empirical(face)


def _likelihood() -> list[Step]:
    likelihood = Named(
        "L(q)",
        unfold(Prod(q[k] ** Iverson(X[n], k), (k, 1, K), (n, 1, N))),
        latex=r"\mathcal{L}(q)",
    )
    return chain(
        likelihood,
        (
            "=",
            Prod(q[k] ** Iverson(X[n], k), (k, 1, K), (n, 1, N)),
            "the draws are IID, so the sample's probability is a product over draws; draw n "
            "contributes q(X_n), the one factor whose Iverson bracket [X_n = k] is 1",
        ),
        (
            "=",
            Prod(q[k] ** Sum(Iverson(X[n], k), (n, 1, N)), (k, 1, K)),
            "regroup the factors by face k: a^b a^c = a^(b+c), so the exponents add up to "
            "the number of draws that showed face k",
        ),
        (
            "=",
            Prod(q[k] ** product(N, empirical(k)), (k, 1, K)),
            "that count is N p(k), by the definition (1) of the empirical PMF p",
        ),
    )


def _cross_entropy() -> Named:
    """H(p, q) from the library's measure, with p the empirical PMF of the draws."""
    plain_p, plain_q = Categorical(K, name="p"), Categorical(K, name="q")
    swap = {plain_p.base: empirical, plain_q.base: lambda face: q[face]}
    h = cross_entropy(plain_p, plain_q).replace(
        lambda e: isinstance(e, Indexed) and e.base in swap,
        lambda e: swap[e.base](e.indices[0]),
    )
    return Named("H(p, q)", unfold(h), latex="H(p, q)")


def _log_likelihood() -> list[Step]:
    grouped = Prod(q[k] ** product(N, empirical(k)), (k, 1, K))
    ell = Named(
        "ℓ(q)", unfold(log(Prod(q[k] ** Iverson(X[n], k), (k, 1, K), (n, 1, N)))), latex=r"\ell(q)"
    )
    return chain(
        ell,
        (
            "=",
            log(grouped),
            "the log-likelihood is log L(q), and L(q) = prod over k of q(k)^(N p(k)) by step (3)",
        ),
        (
            "=",
            Sum(product(N, empirical(k), log(q[k])), (k, 1, K)),
            "the log of a product is the sum of the logs, and log(a^b) = b log a for a > 0",
        ),
        (
            "=",
            product(N, Sum(empirical(k) * log(q[k]), (k, 1, K))),
            "N does not depend on k: take it out of the sum",
        ),
        (
            "=",
            -N * _cross_entropy(),
            "the sum is minus the cross-entropy H(p, q) = −Σ_k p(k) log q(k); N > 0, so "
            "maximising the log-likelihood is minimising H(p, q)",
        ),
    )


def _expectation() -> list[Step]:
    indicator_mean = Named(
        "E[[X_n = j]]", unfold(Sum(q[x] * Iverson(x, j), (x, 1, K))), latex=r"\mathbb{E}\,[X_n = j]"
    )
    pmf_mean = Named(
        "E[p(j)]", unfold(Sum(indicator_mean, (n, 1, N)) / N), latex=r"\mathbb{E}\,p(j)"
    )
    return [
        *chain(
            indicator_mean,
            ("=", Sum(q[x] * Iverson(x, j), (x, 1, K)), "expectation over the K faces"),
            ("=", q[j], "only the face x = j has [x = j] = 1"),
        ),
        *chain(
            pmf_mean,
            (
                "=",
                Sum(indicator_mean, (n, 1, N)) / N,
                "linearity of expectation applied to p(j) = (1/N) Σ_n [X_n = j]",
            ),
            ("=", Sum(q[j], (n, 1, N)) / N, "each draw has the law of X_1"),
            (
                "=",
                q[j],
                "N equal terms over N: p(j) is unbiased, and by the law of large numbers "
                "p(j) → q(j) almost surely as N grows",
            ),
        ),
    ]


@register("categorical-likelihood")
def build() -> Derivation:
    return Derivation(
        "categorical-likelihood",
        "The likelihood of a categorical sample, and the log-likelihood as −N H(p, q)",
        [*_likelihood(), *_log_likelihood(), *_expectation()],
        source="000",
        assumptions=[Simplex(q, K, k), Draws(X, N, K), ClassIndex(j, K)],
        final=-_cross_entropy().definition,
        summary=(
            "N IID rolls X_1, ..., X_N of a K-sided die with face probabilities q (all > 0). "
            "Grouping the likelihood by face turns it into a product of q(k)^{N p(k)} with p "
            "the empirical PMF, so the log-likelihood is N times minus the cross-entropy "
            "H(p, q): maximum likelihood is minimum cross-entropy. p(k) has mean q(k) and "
            "converges to it (law of large numbers; see symxent.simulate)."
        ),
    )
