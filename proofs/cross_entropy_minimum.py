"""cross-entropy-minimum: H(p,q) ≥ H(p) = H(p,p), so the minimiser over q is p (source 001).

The inequality step cites Gibbs' inequality (``by="gibbs-inequality"``): the checker accepts
it only because the step's difference is exactly that theorem's proved conclusion KL ≥ 0.
For a coin the minimiser is also found directly: SymPy solves ∂H(p, q)/∂q = 0 for q.
"""

from sympy import Derivative, Symbol, solve

from symxent.derivation import Derivation, Step, chain
from symxent.domains import Interval
from symxent.measures import cross_entropy, entropy, kl_divergence
from symxent.models import Bernoulli, Categorical
from symxent.notation import Named, written
from symxent.registry import register
from symxent.sums import K

P, Q = Categorical(K, name="p"), Categorical(K, name="q")

HPQ = Named("H(p, q)", cross_entropy(P, Q), latex="H(p, q)")
HPP = Named("H(p, p)", cross_entropy(P, P), latex="H(p, p)")
HP = Named("H(p)", entropy(P), latex="H(p)")
KL = Named("KL(p‖q)", kl_divergence(P, Q), latex=r"D_{\mathrm{KL}}(p \,\|\, q)")

# The coin: a separate pair of scalar parameters (the text's P(H) = a, Q(H) = b).
a, b = Symbol("a", positive=True), Symbol("b", positive=True)
coin_ce = cross_entropy(Bernoulli(a), Bernoulli(b))
COIN = Named("H(a, b)", coin_ce, latex=r"H(\mathrm{Ber}(a), \mathrm{Ber}(b))")


def _lower_bound() -> list[Step]:
    return chain(
        HPQ,
        ("=", written(HP, KL), "the fundamental identity H(p, q) = H(p) + KL(p || q)"),
        (">=", HP, "KL(p || q) >= 0 by Gibbs' inequality", "gibbs-inequality"),
        ("=", HPP, "self-consistency: H(p, p) = H(p)"),
    )


def _minimiser() -> list[Step]:
    return chain(
        written(HPQ, -HPP),
        ("=", KL, "subtract: the excess over the entropy is the KL divergence"),
        (
            ">=",
            0,
            "Gibbs: KL >= 0, with equality iff q = p, so q = p is the unique minimiser",
            "gibbs-inequality",
        ),
    )


def _coin_stationarity() -> list[Step]:
    slope = coin_ce.diff(b)
    (root,) = solve(slope, b)  # SymPy finds the stationary point; it is a
    curvature = coin_ce.diff(b, 2)
    return [
        Step(Derivative(COIN, b), "=", slope, "for a coin, differentiate H in the model's b"),
        Step(Named("b*", root, latex="b^{*}"), "=", a, "SymPy solves dH/db = 0: b* = a"),
        Step(Derivative(COIN, (b, 2)), "=", curvature, "second derivative"),
        Step(curvature, ">", 0, "positive for 0 < a, b < 1: the stationary point is the minimum"),
    ]


@register("cross-entropy-minimum")
def build() -> Derivation:
    return Derivation(
        "cross-entropy-minimum",
        "Cross-entropy is minimised by the truth: H(p, q) >= H(p) = H(p, p)",
        [*_lower_bound(), *_minimiser(), *_coin_stationarity()],
        source="001",
        assumptions=[P, Q, Interval(a, 0, 1), Interval(b, 0, 1)],
        final=HPQ.definition,
        summary=(
            "By the identity H(p, q) = H(p) + KL(p || q) and Gibbs' inequality, the cross-entropy "
            "is at least the entropy, with equality iff q = p: over all q, the minimum is H(p), "
            "reached at q = p. For a coin, solving dH/db = 0 finds the same minimiser b = a."
        ),
    )
