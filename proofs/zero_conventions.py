"""zero-conventions: 0·log 0 = 0 as a limit; p(x) > 0 = q(x) costs +∞ (source 001).

SymPy evaluates every limit here (the checker calls ``doit``): x log x → 0 by L'Hôpital,
and −p log q → +∞ as q → 0⁺ when p > 0. The library's measures follow both conventions for
concrete vectors. "= +∞" is stated as "exceeds every real M", the definition of a limit
+∞, so that the checker compares finite quantities.
"""

from sympy import Derivative, Limit, Rational, Symbol, log

import symxent.lemmas  # noqa: F401 - registers the extended-real sign prover
from symxent.derivation import Derivation, Step, chain
from symxent.domains import Interval, Real
from symxent.measures import cross_entropy, entropy
from symxent.models import Bernoulli, Categorical
from symxent.notation import Named
from symxent.registry import register

x, t = Symbol("x", positive=True), Symbol("t", positive=True)
a, M = Symbol("a", positive=True), Symbol("M", real=True)
half = Rational(1, 2)
P, Q = Categorical([half, half, 0]), Categorical([half, 0, half])


def _x_log_x() -> list[Step]:
    quotient = Derivative(log(x), x) / Derivative(1 / x, x)
    return chain(
        Limit(x * log(x), x, 0, "+"),
        (
            "=",
            Limit(quotient, x, 0, "+"),
            "x log x = log x / (1/x) is of the form -infinity/infinity: L'Hopital's rule",
        ),
        ("=", Limit(-x, x, 0, "+"), "(1/x) / (-1/x^2) = -x"),
        ("=", 0, "so the convention 0 log 0 = 0 is the limit, not an arbitrary choice"),
    )


def _entropy_with_a_zero() -> list[Step]:
    H2 = Named("H_2(1/2, 1/2, 0)", entropy(P, base=2), latex=r"H_2(\tfrac12, \tfrac12, 0)")
    terms = -(half * log(half) + half * log(half) + x * log(x)) / log(2)
    return chain(
        H2,
        ("=", Limit(terms, x, 0, "+"), "the zero outcome's term is the limit of x log x"),
        ("=", 1, "one fair bit; the impossible outcome costs nothing"),
    )


def _infinite_costs() -> list[Step]:
    coin = Named("H(Ber(a), Ber(t))", cross_entropy(Bernoulli(a), Bernoulli(t)))
    never = Named("H(Ber(0), Ber(t))", cross_entropy(Bernoulli(0), Bernoulli(t)))
    HPQ = Named("H(p, q)", cross_entropy(P, Q), latex="H(p, q)")
    HQP = Named("H(q, p)", cross_entropy(Q, P), latex="H(q, p)")
    where = "p = (1/2, 1/2, 0), q = (1/2, 0, 1/2)"
    return [
        Step(
            Limit(coin, t, 0, "+"),
            ">",
            M,
            "for a > 0, -a log t -> +infinity as t -> 0+: the limit exceeds every real M",
        ),
        Step(Limit(never, t, 0, "+"), "=", 0, "with p(heads) = 0 the term vanishes: no cost"),
        Step(HPQ, ">", M, f"{where}: p(2) = 1/2 > 0 = q(2), so the term is +infinity"),
        Step(HQP, ">", M, "swapped: q(3) = 1/2 > 0 = p(3) now scores an impossible outcome"),
    ]


@register("zero-conventions")
def build() -> Derivation:
    return Derivation(
        "zero-conventions",
        "The conventions at zero: 0 log 0 = 0, and p > 0 = q costs infinity",
        [*_x_log_x(), *_entropy_with_a_zero(), *_infinite_costs()],
        source="001",
        assumptions=[Interval(a, 0, 1), Interval(t, 0, 1), Real(M, scale=1e6)],
        final=entropy(P, base=2),
        summary=(
            "The limit of x log x as x -> 0+ is 0, so outcomes with p(x) = 0 contribute "
            "nothing. If p(x) > 0 while q(x) -> 0+, the term -p(x) log q(x) grows without "
            "bound, so H(p, q) = +infinity: a code built for q cannot describe an outcome q "
            "rules out. The library's measures return exactly these values, oo included."
        ),
    )
