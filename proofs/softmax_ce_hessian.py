"""softmax-ce-hessian: ∇²_z L = diag(σ) − σσᵀ and vᵀ∇²L v = Var_σ(v) ≥ 0 (convex in z).

The Hessian is derived by differentiating the gradient of ``softmax-ce-gradient`` once
more; the quadratic form is reduced one index at a time, so each step is a single sum
that the checker's termwise rules settle for symbolic K.
"""

from sympy import Derivative, Idx, IndexedBase, KroneckerDelta, Sum
from symxent.proofs.softmax_ce_gradient import LOSS, NamedLoss, sigma, z

from symxent.derivation import Derivation, Step, chain
from symxent.domains import ClassIndex, RealVector
from symxent.models import Categorical
from symxent.notation import written
from symxent.registry import register
from symxent.sums import K, normalize_sums

P = Categorical(K, name="p")
p = P.base
j, m = Idx("j", (1, K)), Idx("m", (1, K))  # free: the Hessian entry (j, m)
a, b = Idx("a", (1, K)), Idx("b", (1, K))  # bound: the sums of the quadratic form
v = IndexedBase("v", real=True)

GRADIENT_J = sigma(j) - p[j]  # derived in softmax-ce-gradient
HESSIAN_JM = GRADIENT_J.diff(z[m])
MEAN = NamedLoss("E_σ[v]", Sum(sigma(b) * v[b], (b, 1, K)), latex=r"\mathbb{E}_{\sigma}[v]")


def hessian_steps() -> list[Step]:
    """(∇²L)_jm by differentiating the gradient σ_j − p_j with respect to z_m."""
    entry = written(KroneckerDelta(j, m) * sigma(j), -sigma(j) * sigma(m))
    return chain(
        Derivative(Derivative(LOSS, z[j]), z[m]),
        (
            "=",
            Derivative(GRADIENT_J, z[m]),
            "the gradient is ∂L/∂z_j = softmax(z)_j − p_j (softmax-ce-gradient)",
        ),
        (
            "=",
            HESSIAN_JM,
            "p does not depend on z; ∂ softmax(z)_j/∂z_m = softmax(z)_j (δ_jm − softmax(z)_m), "
            "because softmax_j = exp(log softmax_j)",
        ),
        (
            "=",
            entry,
            "multiply out: in matrix form the Hessian is diag(σ) − σσᵀ with σ = softmax(z)",
        ),
    )


def quadratic_form_steps() -> list[Step]:
    """vᵀ(∇²L)v = Σ_a σ_a v_a² − (E_σ v)² = Var_σ(v) ≥ 0."""
    row = Sum(HESSIAN_JM.xreplace({m: b}) * v[b], (b, 1, K))
    hv_j = NamedLoss("(∇²L v)_j", row, latex=r"(\nabla^2 L\, v)_j")
    hv_reduced = normalize_sums(row)
    hv_a = hv_reduced.xreplace({j: a})
    form = NamedLoss(
        "vᵀ∇²L v", Sum(v[a] * hv_j.xreplace({j: a}), (a, 1, K)), latex=r"v^{\top} \nabla^2 L\, v"
    )
    second_moment = Sum(sigma(a) * v[a] ** 2, (a, 1, K))
    variance = NamedLoss(
        "Var_σ(v)",
        Sum(sigma(a) * (v[a] - MEAN) ** 2, (a, 1, K)),
        latex=r"\operatorname{Var}_{\sigma}(v)",
    )
    return [
        Step(hv_j, "=", hv_reduced, "in Σ_b (δ_jb σ_j − σ_j σ_b) v_b the delta keeps only b = j"),
        *chain(
            form,
            ("=", Sum(v[a] * hv_a, (a, 1, K)), "the row sums just computed, with j = a"),
            (
                "=",
                written(second_moment, -(MEAN**2)),
                "Σ_a σ_a v_a (Σ_b σ_b v_b) = (E_σ v)²: the inner sum does not depend on a",
            ),
            (
                "=",
                variance,
                "the variance identity E[(v − E v)²] = E[v²] − (E v)², valid because the "
                "weights softmax(z)_a sum to one",
            ),
            (">=", 0, "a sum of squares with positive weights softmax(z)_a"),
        ),
    ]


@register("softmax-ce-hessian")
def build() -> Derivation:
    return Derivation(
        "softmax-ce-hessian",
        "The Hessian of softmax cross-entropy is diag(σ) − σσᵀ, so the loss is convex",
        [*hessian_steps(), *quadratic_form_steps()],
        source=None,
        assumptions=[P, RealVector(z, K), RealVector(v, K), ClassIndex(j, K), ClassIndex(m, K)],
        final=HESSIAN_JM,
        summary=(
            "Differentiating the gradient softmax(z) - p once more gives the Hessian "
            "diag(sigma) - sigma sigma^T, which does not depend on the target p. For any "
            "direction v its quadratic form is the variance of v under the distribution "
            "sigma = softmax(z), which is never negative: the cross-entropy is convex in "
            "the logits (but not strictly: adding a constant to every logit changes nothing)."
        ),
    )
