"""gibbs-inequality: KL(p‖q) ≥ 0 via log x ≤ x − 1, with equality iff p = q (000, 001).

The lemma is derived first: SymPy differentiates f(x) = x − 1 − log x twice and solves
f′(x) = 0; the same computation certifies the lemma that :mod:`symxent.lemmas` applies
termwise (with weights p(k) ≥ 0 and x = q(k)/p(k)) to check the inequality step.
"""

from sympy import Derivative, Subs, Sum, Symbol, log

from symxent.derivation import Derivation, Step, chain
from symxent.domains import Positive
from symxent.lemmas import LOG_BOUND, log_bound_facts
from symxent.measures import kl_divergence
from symxent.models import Categorical
from symxent.notation import Named, written
from symxent.registry import register
from symxent.sums import K

P, Q = Categorical(K, name="p"), Categorical(K, name="q")
p, q, k = P.base, Q.base, P.index
facts = log_bound_facts()
x, f = facts.x, facts.f
# f at a point, with its own bound symbol (also printed x): the numeric sampler substitutes
# the free x everywhere, including inside Subs, which would move the evaluation point.
x_at = Symbol("x")
f_at = f.xreplace({x: x_at})

KL = Named("KL(p‖q)", kl_divergence(P, Q), latex=r"D_{\mathrm{KL}}(p \,\|\, q)")
KL_SELF = Named("KL(p‖p)", kl_divergence(P, P), latex=r"D_{\mathrm{KL}}(p \,\|\, p)")
F = Named("f(x)", f, latex="f(x)")


def s(term):
    """Σ_{k=1}^{K} term."""
    return Sum(term, (k, 1, K))


def _lemma() -> list[Step]:
    """log x ≤ x − 1 from the convexity of f(x) = x − 1 − log x."""
    return [
        Step(F, "=", written(x, -1, -log(x)), "define the gap f(x) = x - 1 - log x on x > 0"),
        Step(Derivative(F, x), "=", facts.f1, "differentiate (SymPy): f'(x) = 1 - 1/x"),
        Step(
            Subs(Derivative(f_at, x_at), x_at, 1),
            "=",
            facts.f1_at_1,
            "f'(1) = 0: x = 1 is stationary",
        ),
        Step(Derivative(F, (x, 2)), "=", facts.f2, "differentiate again: f''(x) = 1/x^2"),
        Step(facts.f2, ">", 0, "f'' > 0 for x > 0, so f is strictly convex on (0, infinity)"),
        Step(Subs(f_at, x_at, 1), "=", facts.f_at_1, "f(1) = 1 - 1 - log 1 = 0"),
        Step(
            log(x),
            "<=",
            written(x, -1),
            "a strictly convex f with f'(1) = 0 has its unique minimum f(1) = 0 at x = 1, "
            "so f(x) >= 0, with equality iff x = 1",
            LOG_BOUND,
        ),
    ]


def _kl_nonnegative() -> list[Step]:
    return chain(
        -KL,
        ("=", -s(p[k] * log(p[k] / q[k])), "definition of the KL divergence"),
        ("=", s(p[k] * log(q[k] / p[k])), "-log(a/b) = log(b/a)"),
        (
            "<=",
            s(p[k] * (q[k] / p[k] - 1)),
            "log x <= x - 1 at x = q(k)/p(k), each term weighted by p(k) >= 0 "
            "(terms with p(k) = 0 are 0 by the convention 0 log 0 = 0)",
            LOG_BOUND,
        ),
        ("=", written(s(q[k]), -s(p[k])), "p(k)(q(k)/p(k) - 1) = q(k) - p(k); the sum is linear"),
        ("=", 0, "both q and p sum to 1"),
    )


def _equality_case() -> list[Step]:
    gap_term = p[k] * F.definition.xreplace({x: q[k] / p[k]})
    return [
        *chain(
            KL,
            ("=", s(gap_term), "KL = sum of p(k) f(q(k)/p(k)), since the q - p terms sum to 0"),
            (
                ">=",
                0,
                "each term p(k) f(q(k)/p(k)) >= 0; it is 0 iff q(k) = p(k) (f vanishes only "
                "at 1), so KL = 0 iff q = p on the support of p, hence everywhere",
                LOG_BOUND,
            ),
        ),
        Step(KL_SELF, "=", 0, "conversely, q = p gives log(p/p) = log 1 = 0 in every term"),
    ]


@register("gibbs-inequality")
def build() -> Derivation:
    return Derivation(
        "gibbs-inequality",
        "Gibbs' inequality: KL(p || q) >= 0, with equality iff p = q",
        [*_lemma(), *_kl_nonnegative(), *_equality_case()],
        source="000, 001",
        assumptions=[P, Q, Positive(x)],
        final=KL.definition,
        summary=(
            "The lemma log x <= x - 1 follows from the convexity of f(x) = x - 1 - log x "
            "(f(1) = f'(1) = 0, f'' > 0). Applied at x = q(k)/p(k) and averaged under p it gives "
            "-KL(p || q) <= sum q - sum p = 0. The gap is a p-weighted sum of f(q/p) >= 0, "
            "which vanishes only when q = p."
        ),
    )
