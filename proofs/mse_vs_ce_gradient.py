"""mse-vs-ce-gradient: through a softmax, squared error's gradient vanishes when confidently wrong.

For K symbolic, ∂/∂z_y of ½‖softmax(z) − onehot(y)‖² is σ_y(2σ_y − 1 − Σ_k σ_k²): it
carries the factor σ_y, which tends to 0 exactly when the model is confidently wrong
(σ_y → 0), while the cross-entropy gradient σ_y − 1 tends to −1 (source 001). The limits
are taken symbolically, in σ_y for any K and in the logit gap t = z_y − z_other for K = 2.
"""

from sympy import Derivative, Idx, IndexedBase, KroneckerDelta, Limit, Rational, Sum, Symbol, oo
from symxent.proofs.softmax_ce_gradient import NamedLoss

from symxent.derivation import Derivation, Step, chain
from symxent.domains import ClassIndex, Interval, Real, RealVector
from symxent.functions import sigmoid, softmax
from symxent.models import Categorical
from symxent.notation import product, written
from symxent.registry import register
from symxent.sums import K, normalize_sums

P = Categorical(K, name="p")
p, k = P.base, P.index
i, j, y = Idx("i", (1, K)), Idx("j", (1, K)), Idx("y", (1, K))
z = IndexedBase("z", real=True)
s, Q = Symbol("s", positive=True), Symbol("Q", positive=True)  # σ_y and Σ_k σ_k²
a, b, t = Symbol("a", real=True), Symbol("b", real=True), Symbol("t", real=True)


def sigma(at: object) -> object:
    """softmax(z)_at."""
    return softmax(z[i], (i, 1, K), at)


def squared_error(target: object) -> object:
    """½ Σ_k (softmax(z)_k − target_k)²."""
    return Rational(1, 2) * Sum((sigma(k) - target) ** 2, (k, 1, K))


SE = NamedLoss("E(z)", squared_error(p[k]), latex=r"E(z)")


def general_gradient_steps() -> list[Step]:
    """∂E/∂z_j for a soft target p, by the chain rule through the softmax."""
    outer = Sum((sigma(k) - p[k]) * Derivative(sigma(k), z[j]), (k, 1, K))
    derived = SE.definition.diff(z[j])
    return chain(
        Derivative(SE, z[j]),
        ("=", outer, "chain rule: d(½u²) = u du, term by term"),
        ("=", derived, "∂ softmax(z)_k/∂z_j = softmax(z)_k (δ_jk − softmax(z)_j)"),
        (
            "=",
            normalize_sums(derived, [P.base]),
            "Σ_k δ_jk f(k) = f(j); softmax(z)_j leaves the remaining sum",
        ),
    )


def true_class_steps() -> list[Step]:
    """One-hot target: the gradient on logit j, then on the true logit j = y."""
    one_hot = squared_error(KroneckerDelta(k, y))
    derived = one_hot.diff(z[j])
    reduced = normalize_sums(derived)
    per_logit = product(
        sigma(j), written(sigma(j), -KroneckerDelta(j, y), sigma(y), -Sum(sigma(k) ** 2, (k, 1, K)))
    )
    at_true = per_logit.subs(j, y)
    return [
        *chain(
            Derivative(one_hot, z[j]),
            ("=", derived, "the chain rule as above, now with the one-hot target p_k = δ_ky"),
            ("=", reduced, "Σ_k δ_jk f(k) = f(j) and Σ_k δ_ky f(k) = f(y)"),
            ("=", per_logit, "collect the common factor σ_j = softmax(z)_j"),
        ),
        Step(
            at_true,
            "=",
            product(sigma(y), written(2 * sigma(y), -1, -Sum(sigma(k) ** 2, (k, 1, K)))),
            "on the true logit j = y (δ_yy = 1) the gradient still carries the factor σ_y",
        ),
    ]


def limit_steps() -> list[Step]:
    """Confidently wrong: σ_y → 0⁺. Squared error's gradient → 0, cross-entropy's → −1."""
    return [
        Step(
            Limit(s * (2 * s - 1 - Q), s, 0, "+"),
            "=",
            0,
            "with s = σ_y and Q = Σ_k σ_k² in (0, 1]: the bracket stays bounded while the "
            "factor s → 0, so the squared-error gradient vanishes for any K",
        ),
        Step(
            Limit(s - 1, s, 0, "+"),
            "=",
            -1,
            "the cross-entropy gradient on the true logit is σ_y − 1 (softmax-ce-gradient)",
        ),
    ]


def two_class_steps() -> list[Step]:
    """K = 2 in terms of the logits: σ_y = σ(t) with t = z_y − z_other."""
    two = NamedLoss(
        "E(a, b)",
        Rational(1, 2) * ((softmax([a, b], 1) - 1) ** 2 + softmax([a, b], 2) ** 2),
        latex="E(a, b)",
    )
    derived = two.definition.diff(a)
    gradient_in_t = -2 * sigmoid(t) * (1 - sigmoid(t)) ** 2
    return [
        *chain(
            Derivative(two, a),
            ("=", derived, "two classes, true logit a, other logit b: differentiate"),
            (
                "=",
                gradient_in_t.subs(t, a - b),
                "softmax(a, b)_1 = σ(a − b) and softmax(a, b)_2 = 1 − σ(a − b)",
            ),
        ),
        Step(
            Limit(gradient_in_t, t, -oo),
            "=",
            0,
            "confidently wrong: the gap t = a − b → −∞; e^{t} → 0 kills the gradient",
        ),
        Step(
            Limit(sigmoid(t) - 1, t, -oo),
            "=",
            -1,
            "the cross-entropy gradient σ(t) − 1 keeps pushing with full strength",
        ),
    ]


@register("mse-vs-ce-gradient")
def build() -> Derivation:
    return Derivation(
        "mse-vs-ce-gradient",
        "Why cross-entropy trains better than squared error through a softmax",
        [*general_gradient_steps(), *true_class_steps(), *limit_steps(), *two_class_steps()],
        source="001",
        assumptions=[
            P,
            RealVector(z, K),
            ClassIndex(j, K),
            ClassIndex(y, K),
            Interval(s, 0, 1),
            Interval(Q, 0, 1),
            Real(a),
            Real(b),
            Real(t),
        ],
        final=SE.definition.diff(z[j]),
        summary=(
            "Squared error between softmax(z) and the one-hot label has a gradient on the "
            "true logit that carries the factor sigma_y. When the model is confidently "
            "wrong (sigma_y -> 0) that gradient vanishes and learning stalls, while the "
            "cross-entropy gradient sigma_y - 1 tends to -1."
        ),
    )
