"""gaussian-cross-entropy: h(N(μ₁,σ₁²), N(μ₂,σ₂²)) by integration, step by step (source 001).

Every integral below is evaluated by the checker (SymPy integrates it), so the three
moments of p and the final closed form are derived, not typed in.
"""

from sympy import Function, Symbol, exp, log, oo, pi

from symxent.continuous import Normal
from symxent.continuous import X as x
from symxent.derivation import Derivation, Step, chain
from symxent.integrals import Integral
from symxent.measures import cross_entropy, entropy
from symxent.notation import Named, product, written
from symxent.registry import register

mu1, mu2 = Symbol("mu_1", real=True), Symbol("mu_2", real=True)
sigma1, sigma2 = Symbol("sigma_1", positive=True), Symbol("sigma_2", positive=True)
P, Q = Normal(mu1, sigma1), Normal(mu2, sigma2)
p, q = Function("p"), Function("q")

CONSTANT = log(2 * pi * sigma2**2) / 2


def over_R(f):
    """∫_{−∞}^{∞} f dx."""
    return Integral(f, (x, -oo, oo))


def _moments() -> list[Step]:
    return [
        Step(over_R(p(x)), "=", 1, "p is a density: the Gaussian integral gives total mass 1"),
        Step(
            over_R(p(x) * (x - mu1)),
            "=",
            0,
            "the mean of p is mu_1: x - mu_1 is odd about mu_1, p is even about it",
        ),
        Step(over_R(p(x) * (x - mu1) ** 2), "=", sigma1**2, "the variance of p is sigma_1^2"),
    ]


def _cross_entropy(hpq: Named) -> list[Step]:
    moments_about_mu1 = written(
        over_R(p(x) * (x - mu1) ** 2),
        product(2, mu1 - mu2, over_R(p(x) * (x - mu1))),
        product(mu1 - mu2, mu1 - mu2) * over_R(p(x)),
    )
    return chain(
        hpq,
        ("=", -over_R(p(x) * log(q(x))), "definition for densities (001): h(p, q) = -E_p[log q]"),
        (
            "=",
            -over_R(p(x) * written(-CONSTANT, -((x - mu2) ** 2) / (2 * sigma2**2))),
            "log of the normal density q",
        ),
        (
            "=",
            written(CONSTANT * over_R(p(x)), over_R(p(x) * (x - mu2) ** 2) / (2 * sigma2**2)),
            "the integral is linear: constants come out",
        ),
        (
            "=",
            written(CONSTANT * over_R(p(x)), moments_about_mu1 / (2 * sigma2**2)),
            "square x - mu_2 = (x - mu_1) + (mu_1 - mu_2) and integrate term by term",
        ),
        (
            "=",
            written(CONSTANT, (sigma1**2 + (mu1 - mu2) ** 2) / (2 * sigma2**2)),
            "the moments of p (steps 1-3): mass 1, mean mu_1, variance sigma_1^2",
        ),
    )


def _entropy(hp: Named) -> list[Step]:
    return chain(
        hp,
        ("=", -over_R(p(x) * log(p(x))), "the entropy is the cross-entropy of p with itself"),
        (
            "=",
            written(log(2 * pi * sigma1**2) / 2, sigma1**2 / (2 * sigma1**2)),
            "steps 4-8 with q = p (mu_2 = mu_1, sigma_2 = sigma_1)",
        ),
        ("=", log(2 * pi * exp(1) * sigma1**2) / 2, "1/2 = log(e)/2"),
    )


@register("gaussian-cross-entropy")
def build() -> Derivation:
    # The closed forms symxent.measures derives by integration; the steps re-derive them.
    hpq = Named("h(p, q)", cross_entropy(P, Q), latex="h(p, q)")
    hp = Named("h(p)", entropy(P), latex="h(p)")
    return Derivation(
        "gaussian-cross-entropy",
        "Cross-entropy of two normal densities, by integration",
        [*_moments(), *_cross_entropy(hpq), *_entropy(hp)],
        source="001",
        assumptions=[P, Q],
        definitions={p(x): P.density(x), q(x): Q.density(x)},
        final=CONSTANT + (sigma1**2 + (mu1 - mu2) ** 2) / (2 * sigma2**2),
        summary=(
            "For p = N(mu_1, sigma_1^2) and q = N(mu_2, sigma_2^2), -log q(x) is a constant "
            "plus a quadratic in x, so h(p, q) needs only the first three moments of p. "
            "With q = p it gives the differential entropy 1/2 log(2 pi e sigma_1^2)."
        ),
    )
