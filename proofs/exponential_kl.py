"""exponential-kl: KL(Exp(λ₁) ‖ Exp(λ₂)) = log(λ₁/λ₂) + λ₂/λ₁ − 1, by integration (001).

The moments of p are integrated by the checker; the decomposition h(p, q) = h(p) + KL(p‖q)
is checked on the closed forms :mod:`symxent.measures` derives.
"""

from sympy import Function, Symbol, log, oo
from symxent.proofs._densities import named_measures

from symxent.continuous import Exponential
from symxent.continuous import X as x
from symxent.derivation import Derivation, Step, chain
from symxent.integrals import Integral
from symxent.notation import Named, product, written
from symxent.registry import register

lam1, lam2 = Symbol("lambda_1", positive=True), Symbol("lambda_2", positive=True)
P, Q = Exponential(lam1), Exponential(lam2)
p, q = Function("p"), Function("q")

KL_FORM = written(log(lam1 / lam2), lam2 / lam1, -1)
# d = lambda_2/lambda_1 - 1; the form the numeric layer evaluates (log1pmx) without cancelling.
D = (lam2 - lam1) / lam1
STABLE_FORM = written(D, -log(1 + D))


def over_support(f):
    """∫_0^∞ f dx: both densities live on x > 0."""
    return Integral(f, (x, 0, oo))


def _moments() -> list[Step]:
    return [
        Step(over_support(p(x)), "=", 1, "p is a density: its total mass is 1"),
        Step(over_support(x * p(x)), "=", 1 / lam1, "the mean of p is 1/lambda_1"),
    ]


def _closed_form(KL: Named, HPQ: Named, HP: Named) -> list[Step]:
    return chain(
        KL,
        ("=", over_support(p(x) * log(p(x) / q(x))), "definition for densities: E_p[log(p/q)]"),
        (
            "=",
            over_support(p(x) * written(log(lam1 / lam2), product(lam2 - lam1, x))),
            "log p(x) - log q(x) = log(lambda_1/lambda_2) + (lambda_2 - lambda_1) x",
        ),
        (
            "=",
            written(log(lam1 / lam2) * over_support(p(x)), (lam2 - lam1) * over_support(x * p(x))),
            "the integral is linear: constants come out",
        ),
        ("=", written(log(lam1 / lam2), (lam2 - lam1) / lam1), "the moments of p (steps 1-2)"),
        ("=", KL_FORM, "(lambda_2 - lambda_1)/lambda_1 = lambda_2/lambda_1 - 1"),
    )


def _decomposition(KL: Named, HPQ: Named, HP: Named) -> list[Step]:
    return [
        *chain(
            HP,
            ("=", -over_support(p(x) * log(p(x))), "definition"),
            ("=", 1 - log(lam1), "-log p(x) = lambda_1 x - log lambda_1; the mean is 1/lambda_1"),
        ),
        *chain(
            HPQ,
            ("=", -over_support(p(x) * log(q(x))), "definition"),
            ("=", written(lam2 / lam1, -log(lam2)), "-log q(x) = lambda_2 x - log lambda_2"),
        ),
        Step(HPQ, "=", written(HP, KL), "the decomposition holds unchanged for densities (001)"),
    ]


def _stable_form() -> list[Step]:
    return [
        Step(
            KL_FORM,
            "=",
            STABLE_FORM,
            "with d = (lambda_2 - lambda_1)/lambda_1, lambda_2/lambda_1 = 1 + d: KL ="
            " d - log(1 + d) >= 0, which vanishes to second order at d = 0 instead of cancelling",
        )
    ]


@register("exponential-kl")
def build() -> Derivation:
    # The closed forms symxent.measures derives by integration; the steps re-derive them.
    names = named_measures(P, Q)
    return Derivation(
        "exponential-kl",
        "KL divergence between two exponential densities",
        [*_moments(), *_closed_form(*names), *_decomposition(*names), *_stable_form()],
        source="001",
        assumptions=[P, Q],
        definitions={p(x): P.density(x), q(x): Q.density(x)},
        final=STABLE_FORM,
        summary=(
            "For rates lambda_1 (true) and lambda_2 (model), log p - log q is linear in x, so "
            "the KL divergence needs only the mass and the mean 1/lambda_1 of p. It vanishes "
            "exactly when the rates agree, and h(p, q) = h(p) + KL(p || q)."
        ),
    )
