"""laplace-kl: KL(Laplace(μ₁,b₁) ‖ Laplace(μ₂,b₂)), by integration split at both modes (001).

With δ = |μ₂ − μ₁|: KL = log(b₂/b₁) + δ/b₂ + (b₁/b₂) e^(−δ/b₁) − 1. The case μ₂ ≥ μ₁ is
integrated (|x − μ| is checked as its two cases, which SymPy integrates once it knows
μ₁ ≤ μ₂); the case μ₂ < μ₁ is reduced to it by a reflection, itself checked by integrating.
"""

from sympy import Function, Symbol, exp, log, oo

from symxent.continuous import Distance, Laplace
from symxent.continuous import X as x
from symxent.derivation import Derivation, Step, chain
from symxent.domains import Positive
from symxent.integrals import Integral
from symxent.measures import entropy, kl_divergence
from symxent.notation import Named, product, written
from symxent.registry import register

mu1, delta = Symbol("mu_1", real=True), Symbol("delta", positive=True)
b1, b2 = Symbol("b_1", positive=True), Symbol("b_2", positive=True)
MU2 = Named("mu_2", mu1 + delta, latex=r"\mu_2")
P, Q, Q_MIRROR = Laplace(mu1, b1), Laplace(mu1 + delta, b2), Laplace(mu1 - delta, b2)
p, q, q_mirror = Function("p"), Function("q"), Function("qtilde")
KL_FORM = written(log(b2 / b1), delta / b2, product(b1 / b2, exp(-delta / b1)), -1)
# u = b_1/b_2 - 1, s = delta/b_1: two terms >= 0, the form the numeric layer evaluates.
U = (b1 - b2) / b2
STABLE_FORM = written(U, -log(1 + U), product(b1 / b2, written(exp(-delta / b1), -1, delta / b1)))


def over_R(f):
    """∫_{−∞}^{∞} f dx."""
    return Integral(f, (x, -oo, oo))


def _moments() -> list[Step]:
    return [
        Step(over_R(p(x)), "=", 1, "p is a density: each half has mass 1/2"),
        Step(over_R(p(x) * Distance(x, mu1)), "=", b1, "the mean distance of p from its mode"),
        Step(
            over_R(p(x) * Distance(x, MU2)),
            "=",
            written(delta, product(b1, exp(-delta / b1))),
            "split the line at mu_1 and mu_2 = mu_1 + delta; integrate each piece",
        ),
    ]


def _closed_form(kl: Named) -> list[Step]:
    log_ratio = written(log(b2 / b1), -Distance(x, mu1) / b1, Distance(x, MU2) / b2)
    return chain(
        kl,
        ("=", over_R(p(x) * log(p(x) / q(x))), "definition for densities: E_p[log(p/q)]"),
        ("=", over_R(p(x) * log_ratio), "log p - log q for the two Laplace densities"),
        (
            "=",
            written(
                log(b2 / b1) * over_R(p(x)),
                -over_R(p(x) * Distance(x, mu1)) / b1,
                over_R(p(x) * Distance(x, MU2)) / b2,
            ),
            "the integral is linear: constants come out",
        ),
        (
            "=",
            written(log(b2 / b1), -1, written(delta, product(b1, exp(-delta / b1))) / b2),
            "steps 1-3",
        ),
        ("=", KL_FORM, "rearrange"),
    )


def _mirror_case() -> list[Step]:
    return [
        Step(
            over_R(p(x) * log(p(x) / q_mirror(x))),
            "=",
            over_R(p(x) * log(p(x) / q(x))),
            "mu_2 = mu_1 - delta instead: the reflection x -> 2 mu_1 - x fixes p and moves "
            "the mode of q to mu_1 + delta, so KL depends on delta = |mu_2 - mu_1| only",
        ),
    ]


def _stable_form() -> list[Step]:
    return [
        Step(
            KL_FORM,
            "=",
            STABLE_FORM,
            "with u = (b_1 - b_2)/b_2 and delta/b_2 = (b_1/b_2)(delta/b_1): (u - log(1 + u)) +"
            " (b_1/b_2)(e^(-s) - 1 + s) for s = delta/b_1, two terms >= 0 that do not cancel"
            " near b_1 = b_2, delta = 0",
        )
    ]


@register("laplace-kl")
def build() -> Derivation:
    kl = Named("KL(p‖q)", kl_divergence(P, Q), latex=r"D_{\mathrm{KL}}(p \,\|\, q)")
    hp = Named("h(p)", entropy(P), latex="h(p)")
    entropy_steps = chain(
        hp,
        ("=", -over_R(p(x) * log(p(x))), "definition"),
        ("=", 1 + log(2 * b1), "-log p(x) = log(2 b_1) + |x - mu_1|/b_1, and step 2"),
    )
    return Derivation(
        "laplace-kl",
        "KL divergence between two Laplace densities",
        [*_moments(), *_closed_form(kl), *_mirror_case(), *entropy_steps, *_stable_form()],
        source="001",
        assumptions=[P, Q, Positive(delta)],
        definitions={p(x): P.density(x), q(x): Q.density(x), q_mirror(x): Q_MIRROR.density(x)},
        final=STABLE_FORM,
        summary=(
            "For p = Laplace(mu_1, b_1) and q = Laplace(mu_2, b_2) with delta = |mu_2 - mu_1|, "
            "log p - log q involves |x - mu_1| and |x - mu_2|; splitting the line at both modes "
            "gives KL = log(b_2/b_1) + delta/b_2 + (b_1/b_2) exp(-delta/b_1) - 1."
        ),
    )
