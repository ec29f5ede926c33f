"""kl-ce-categorical: H(p,q) = H(p) + KL(p‖q) over K categories, K symbolic (sources 000, 001)."""

from sympy import Sum, log

from symxent.derivation import Derivation, Step, chain
from symxent.measures import cross_entropy, entropy, kl_divergence
from symxent.models import Categorical
from symxent.notation import Named, product, written
from symxent.registry import register
from symxent.sums import K

P, Q = Categorical(K, name="p"), Categorical(K, name="q")
p, q, k = P.base, Q.base, P.index

HPQ = Named("H(p, q)", cross_entropy(P, Q), latex="H(p, q)")
HPP = Named("H(p, p)", cross_entropy(P, P), latex="H(p, p)")
HP = Named("H(p)", entropy(P), latex="H(p)")
KL = Named("KL(p‖q)", kl_divergence(P, Q), latex=r"D_{\mathrm{KL}}(p \,\|\, q)")


def s(term):
    """Σ_{k=1}^{K} term."""
    return Sum(term, (k, 1, K))


@register("kl-ce-categorical")
def build() -> Derivation:
    decomposition = chain(
        HPQ,
        ("=", -s(p[k] * log(q[k])), "definition: H(p, q) = -E_p[log q(X)] for PMFs"),
        (
            "=",
            -s(p[k] * log(product(p[k], q[k] / p[k]))),
            "multiply and divide by p(k) inside the log (p(k) > 0)",
        ),
        (
            "=",
            written(-s(p[k] * log(p[k])), -s(p[k] * log(q[k] / p[k]))),
            "log(ab) = log a + log b, and the sum is linear",
        ),
        (
            "=",
            written(-s(p[k] * log(p[k])), s(p[k] * log(p[k] / q[k]))),
            "log(q/p) = -log(p/q)",
        ),
        ("=", written(HP, KL), "definitions of the entropy and of the KL divergence"),
    )
    kl_as_difference = chain(
        KL,
        ("=", s(p[k] * log(p[k] / q[k])), "definition: KL(p||q) = E_p[log(p(X)/q(X))]"),
        (
            "=",
            written(s(p[k] * log(p[k])), -s(p[k] * log(q[k]))),
            "log of a quotient, and linearity of the sum",
        ),
        ("=", written(HPQ, -HPP), "both sums are cross-entropies: -H(p, p) and H(p, q)"),
        ("=", written(HPQ, -HP), "self-consistency: H(p, p) = H(p)"),
    )
    return Derivation(
        "kl-ce-categorical",
        "H(p, q) = H(p) + KL(p || q) for K categories",
        [*decomposition, *kl_as_difference, Step(HPP, "=", HP, "encoding p with its own code")],
        source="000, 001",
        assumptions=[P, Q],
        final=HPQ.definition,
        summary=(
            "For probability vectors p and q over K outcomes (K symbolic), the cross-entropy "
            "splits into the entropy, which even the optimal code must pay, plus the KL "
            "divergence, the surcharge for using q in place of p."
        ),
    )
