"""cross-entropy-asymmetry: an explicit p, q with H(p, q) ≠ H(q, p), found by a search (001).

:func:`find_asymmetric_pair` walks through probability vectors with small rational entries
(K = 2, then 3; denominators up to 4; all entries positive so both sides are finite) and
returns the first pair whose difference H(p, q) − H(q, p) SymPy proves positive.
"""

from collections.abc import Iterator
from itertools import product as cartesian

from sympy import Expr, Rational, expand_log, logcombine

from symxent.derivation import Derivation, chain
from symxent.measures import cross_entropy
from symxent.models import Categorical
from symxent.notation import Named, written
from symxent.registry import register


def rational_points(size: int, max_denominator: int) -> Iterator[tuple[Rational, ...]]:
    """Probability vectors of length ``size`` with positive entries i/d, d ≤ max_denominator."""
    seen = set()
    for d in range(1, max_denominator + 1):
        for head in cartesian(range(1, d), repeat=size - 1):
            last = d - sum(head)
            point = tuple(Rational(n, d) for n in (*head, last))
            if last > 0 and point not in seen:
                seen.add(point)
                yield point


def asymmetry(p: tuple, q: tuple) -> Expr:
    """H(p, q) − H(q, p), with the logs combined into as few terms as SymPy can."""
    d = cross_entropy(Categorical(p), Categorical(q)) - cross_entropy(
        Categorical(q), Categorical(p)
    )
    return logcombine(expand_log(d, force=True), force=True)


def find_asymmetric_pair(max_size: int = 3, max_denominator: int = 4) -> tuple[tuple, tuple]:
    """The first (p, q) in the search with H(p, q) − H(q, p) provably positive.

    >>> find_asymmetric_pair()
    ((1/2, 1/2), (1/3, 2/3))
    """
    for size in range(2, max_size + 1):
        points = list(rational_points(size, max_denominator))
        for p in points:
            for q in points:
                if asymmetry(p, q).is_positive:  # decided exactly by SymPy's assumptions
                    return p, q
    raise LookupError("no asymmetric pair in the search range")


def _vector(v: tuple) -> str:
    return "(" + ", ".join(str(x) for x in v) + ")"


@register("cross-entropy-asymmetry")
def build() -> Derivation:
    p, q = find_asymmetric_pair()
    P, Q = Categorical(p), Categorical(q)
    hpq, hqp = cross_entropy(P, Q), cross_entropy(Q, P)
    HPQ = Named("H(p, q)", hpq, latex="H(p, q)")
    HQP = Named("H(q, p)", hqp, latex="H(q, p)")
    where = f"p = {_vector(p)}, q = {_vector(q)}"
    steps = chain(
        written(HPQ, -HQP),
        ("=", written(hpq, -hqp), f"definition of the cross-entropy at {where}"),
        ("=", asymmetry(p, q), "log rules: combine the logarithms"),
        (">", 0, "a positive number: the two cross-entropies differ"),
    )
    return Derivation(
        "cross-entropy-asymmetry",
        "Cross-entropy is not symmetric: H(p, q) != H(q, p)",
        steps,
        source="001",
        final=hpq - hqp,
        summary=(
            f"A search over small rational distributions finds {where}. Exact arithmetic "
            "shows H(p, q) - H(q, p) > 0: the averaging distribution and the scored "
            "distribution play different roles, so cross-entropy is a directed quantity."
        ),
    )
