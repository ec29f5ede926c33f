"""gaussian-kl: KL(N(μ₁,σ₁²) ‖ N(μ₂,σ₂²)) in closed form; h(p, q) = h(p) + KL(p‖q) (001).

The integrals are evaluated by the checker; the decomposition is checked on the closed
forms that :mod:`symxent.measures` derives by integration.
"""

from sympy import Function, S, Symbol, exp, log, oo, pi
from symxent.proofs._densities import named_measures

from symxent.continuous import Normal
from symxent.continuous import X as x
from symxent.derivation import Derivation, Step, chain
from symxent.integrals import Integral
from symxent.notation import Named, written
from symxent.registry import register

mu1, mu2 = Symbol("mu_1", real=True), Symbol("mu_2", real=True)
sigma1, sigma2 = Symbol("sigma_1", positive=True), Symbol("sigma_2", positive=True)
P, Q = Normal(mu1, sigma1), Normal(mu2, sigma2)
p, q = Function("p"), Function("q")


CE_FORM = written(log(2 * pi * sigma2**2) / 2, (sigma1**2 + (mu1 - mu2) ** 2) / (2 * sigma2**2))
H_FORM = log(2 * pi * exp(1) * sigma1**2) / 2
KL_FORM = written(log(sigma2 / sigma1), (sigma1**2 + (mu1 - mu2) ** 2) / (2 * sigma2**2), -S.Half)
# t = sigma_1/sigma_2 - 1: three terms >= 0, the form the numeric layer evaluates (log1pmx).
T = (sigma1 - sigma2) / sigma2
STABLE_FORM = written(T, -log(1 + T), T**2 / 2, (mu1 - mu2) ** 2 / (2 * sigma2**2))


def over_R(f):
    """∫_{−∞}^{∞} f dx."""
    return Integral(f, (x, -oo, oo))


def _closed_form(KL: Named, HPQ: Named, HP: Named) -> list[Step]:
    return chain(
        KL,
        ("=", over_R(p(x) * log(p(x) / q(x))), "definition for densities: E_p[log(p/q)]"),
        (
            "=",
            written(-over_R(p(x) * log(q(x))), over_R(p(x) * log(p(x)))),
            "log(p/q) = log p - log q, and the integral is linear",
        ),
        ("=", written(HPQ, -HP), "the two integrals are h(p, q) and -h(p)"),
        ("=", written(CE_FORM, -H_FORM), "gaussian-cross-entropy: h(p, q), and h(p) (q = p)"),
        ("=", KL_FORM, "log a - log b = log(a/b), and log e = 1"),
    )


def _decomposition(KL: Named, HPQ: Named, HP: Named) -> list[Step]:
    return [
        Step(HPQ, "=", written(HP, KL), "the decomposition holds unchanged for densities (001)"),
        *chain(
            written(H_FORM, KL_FORM),
            ("=", CE_FORM, "the closed forms add up to the cross-entropy"),
            ("=", HPQ, "gaussian-cross-entropy"),
        ),
    ]


def _stable_form() -> list[Step]:
    return [
        Step(
            KL_FORM,
            "=",
            STABLE_FORM,
            "with t = (sigma_1 - sigma_2)/sigma_2, sigma_1/sigma_2 = 1 + t and (1 + t)^2/2 - 1/2 ="
            " t + t^2/2: a sum of three terms >= 0, none of which cancels at t = 0",
        )
    ]


@register("gaussian-kl")
def build() -> Derivation:
    # The closed forms symxent.measures derives by integration; the steps re-derive them.
    names = named_measures(P, Q)
    return Derivation(
        "gaussian-kl",
        "KL divergence between two normal densities",
        [*_closed_form(*names), *_decomposition(*names), *_stable_form()],
        source="001",
        assumptions=[P, Q],
        definitions={p(x): P.density(x), q(x): Q.density(x)},
        final=STABLE_FORM,
        summary=(
            "KL(N(mu_1, sigma_1^2) || N(mu_2, sigma_2^2)) = log(sigma_2/sigma_1) + "
            "(sigma_1^2 + (mu_1 - mu_2)^2)/(2 sigma_2^2) - 1/2: the cross-entropy minus the "
            "entropy. It is 0 exactly when the two normals coincide, and h(p, q) = h(p) + "
            "KL(p || q) holds for densities as it does for discrete distributions."
        ),
    )
