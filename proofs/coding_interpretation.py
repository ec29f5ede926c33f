"""coding-interpretation: Shannon lengths ⌈−log₂ q⌉ obey Kraft, and H(p,q) ≤ E_p[L] < H(p,q) + 1.

Both bounds are the ceiling bounds y ≤ ⌈y⌉ < y + 1 at y = −log₂ q(k), averaged under p; the
checker applies them termwise (lemmas in :mod:`symxent.lemmas`, weights p(k) ≥ 0). Kraft's
inequality is 2^(−⌈−log₂ q⌉) ≤ q summed over k. :mod:`symxent.coding` builds the code.
"""

from sympy import Sum, ceiling, log

from symxent.derivation import Derivation, chain
from symxent.lemmas import CEILING_LOWER, CEILING_UPPER, KRAFT_TERM
from symxent.measures import cross_entropy
from symxent.models import Categorical
from symxent.notation import Named, written
from symxent.registry import register
from symxent.sums import K

P, Q = Categorical(K, name="p"), Categorical(K, name="q")
p, q, k = P.base, Q.base, P.index

bits = -log(q[k], 2)  # −log₂ q(k): the ideal, non-integer length for a code built for q
L = ceiling(bits)  # the Shannon length
H2 = Named("H_2(p, q)", cross_entropy(P, Q, base=2), latex="H_2(p, q)")
EL = Named("E_p[L]", Sum(p[k] * L, (k, 1, K)), latex=r"\mathbb{E}_p[L]")
KRAFT = Named("sum 2^(-L(k))", Sum(2**-L, (k, 1, K)), latex=r"\sum_{k=1}^{K} 2^{-L(k)}")


def s(term):
    """Σ_{k=1}^{K} term."""
    return Sum(term, (k, 1, K))


def _kraft() -> list:
    return chain(
        KRAFT,
        ("=", s(2**-L), "L(k) = ceil(-log_2 q(k)), the Shannon length"),
        (
            "<=",
            s(q[k]),
            "ceil(y) >= y at y = -log_2 q(k), and 2^(-t) decreases in t: 2^(-L(k)) <= q(k)",
            KRAFT_TERM,
        ),
        ("=", 1, "q sums to 1: Kraft's inequality holds, so a prefix code with lengths L exists"),
    )


def _lower() -> list:
    return chain(
        H2,
        ("=", s(p[k] * bits), "cross-entropy in bits: sum of p(k) (-log_2 q(k))"),
        (
            "<=",
            s(p[k] * L),
            "y <= ceil(y) at y = -log_2 q(k), weighted by p(k) >= 0",
            CEILING_LOWER,
        ),
        ("=", EL, "the expected length of the code under the true p"),
    )


def _upper() -> list:
    return chain(
        written(H2, 1),
        ("=", s(p[k] * (bits + 1)), "p sums to 1, so 1 = sum of p(k)"),
        (">", s(p[k] * L), "ceil(y) < y + 1 at y = -log_2 q(k), weights p(k) > 0", CEILING_UPPER),
        ("=", EL, "so E_p[L] < H_2(p, q) + 1: less than one bit lost to rounding up"),
    )


@register("coding-interpretation")
def build() -> Derivation:
    return Derivation(
        "coding-interpretation",
        "Coding with the wrong codebook: H_2(p, q) <= E_p[L] < H_2(p, q) + 1",
        [*_kraft(), *_lower(), *_upper()],
        source="001",
        assumptions=[P, Q],
        final=EL.definition,
        summary=(
            "A code built for q gives outcome k the Shannon length L(k) = ceil(-log_2 q(k)). "
            "These lengths satisfy Kraft's inequality, so a prefix code exists "
            "(symxent.coding.canonical_code builds one), and when the data follow p its "
            "expected length lies within one bit above the cross-entropy H_2(p, q)."
        ),
    )
