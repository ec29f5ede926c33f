"""log-base-change: H_b = H / ln b, in bits, nats and hartleys (source 000).

The change-of-base rule is derived, not assumed: SymPy solves b^y = x for the exponent y,
which is log_b x = ln x / ln b. Entropy in base b then follows by linearity of the sum, and
the library's ``base=`` argument is checked against the general formula at b = 2, e, 10.
"""

from sympy import E, Eq, Pow, Sum, Symbol, log, solve

from symxent.derivation import Derivation, Step, chain
from symxent.domains import Positive
from symxent.measures import cross_entropy, entropy
from symxent.models import Categorical
from symxent.notation import Named, product
from symxent.registry import register
from symxent.sums import K

P, Q = Categorical(K, name="p"), Categorical(K, name="q")
p, q, k = P.base, Q.base, P.index
b, u, y = Symbol("b", positive=True), Symbol("u", positive=True), Symbol("y", real=True)

(LOG_B,) = solve(Eq(b**y, u), y)  # the exponent y with b^y = u: log_b u
HP = Named("H(p)", entropy(P), latex="H(p)")
HPQ = Named("H(p, q)", cross_entropy(P, Q), latex="H(p, q)")


def s(term):
    """Σ_{k=1}^{K} term."""
    return Sum(term, (k, 1, K))


def entropy_in_base(base):
    """−Σ p(k) log_base p(k), with log_base from the solved change-of-base rule."""
    return -s(p[k] * LOG_B.subs({u: p[k], b: base}))


def _change_of_base() -> list[Step]:
    return [
        Step(
            Pow(b, LOG_B, evaluate=False),
            "=",
            u,
            "solving b^y = u gives y = ln u / ln b = log_b u (b > 0, b != 1)",
        ),
        *chain(
            Named("H_b(p)", entropy_in_base(b), latex="H_b(p)"),
            ("=", entropy_in_base(b), "entropy in base b: -sum of p(k) log_b p(k)"),
            ("=", product(1 / log(b), -s(p[k] * log(p[k]))), "pull the constant 1/ln b out"),
            ("=", HP / log(b), "the sum is the entropy in nats: H_b = H / ln b"),
        ),
    ]


def _units() -> list[Step]:
    bits = Named("entropy(p, base=2)", entropy(P, base=2), latex="H_2(p)")
    hartleys = Named("entropy(p, base=10)", entropy(P, base=10), latex="H_{10}(p)")
    nats = Named("entropy(p, base=e)", entropy(P, base=E), latex="H_e(p)")
    ce_bits = Named("cross_entropy(p, q, base=2)", cross_entropy(P, Q, base=2), latex="H_2(p, q)")
    return [
        Step(bits, "=", entropy_in_base(2), "the library's base=2 is the formula at b = 2 (bits)"),
        Step(bits, "=", HP / log(2), "bits: divide nats by ln 2"),
        Step(hartleys, "=", HP / log(10), "hartleys (decimal digits): divide by ln 10"),
        Step(nats, "=", HP, "nats: b = e, ln e = 1"),
        Step(bits, "=", product(log(10) / log(2), hartleys), "1 hartley = log_2 10 bits"),
        Step(ce_bits, "=", HPQ / log(2), "the same rule for the cross-entropy"),
    ]


@register("log-base-change")
def build() -> Derivation:
    return Derivation(
        "log-base-change",
        "Units of information: H_b = H / ln b (bits, nats, hartleys)",
        [*_change_of_base(), *_units()],
        source="000",
        assumptions=[P, Q, Positive(b), Positive(u)],
        final=HP.definition / log(b),
        summary=(
            "Solving b^y = x for y gives log_b x = ln x / ln b. Every term of the entropy "
            "carries the same factor 1/ln b, so H_b(p) = H(p) / ln b: bits (b = 2), nats "
            "(b = e) and hartleys (b = 10) differ by constant factors, and the measures' "
            "base= argument agrees."
        ),
    )
