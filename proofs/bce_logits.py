"""bce-logits: −y log σ(z) − (1−y) log(1−σ(z)) = max(z, 0) − z·y + log1p(e^{−|z|}); ∇ = σ(z) − y.

The stable form is reached by a case split on the sign of z, so that no exponential of a
large positive number is ever needed. PyTorch's ``pos_weight`` variant is derived the same
way. This module registers the equality prover ``case split on the sign``, which the
checker uses for steps with ``Max``, ``Abs`` or ``Piecewise``.
"""

from sympy import (
    Abs,
    Derivative,
    Dummy,
    Expr,
    Max,
    Piecewise,
    Symbol,
    exp,
    expand,
    expand_log,
    log,
    simplify,
    together,
)
from sympy.codegen.cfunctions import log1p
from symxent.proofs.softmax_ce_gradient import NamedLoss

from symxent.checking import register_prover
from symxent.derivation import Derivation, Step, chain
from symxent.domains import Interval, Positive, Real
from symxent.functions import sigmoid, softplus
from symxent.notation import product, written
from symxent.registry import register

z, y = Symbol("z", real=True), Symbol("y", real=True)
w = Symbol("w", positive=True)  # PyTorch's pos_weight


def _branch_is_zero(expr: Expr) -> bool:
    expr = expr.rewrite(log)  # log1p(x) → log(1 + x)
    return expand(expand_log(expr, force=True)) == 0 or simplify(expr) == 0


def _zero_by_cases(d: Expr, ctx: object) -> bool:
    """d = 0 for z > 0, z < 0 and z = 0, where z is the one real variable inside Max/Abs.

    The three cases cover every real z, and in each of them Max and Abs evaluate, so the
    branches are ordinary expressions for the usual log rules.
    """
    if not d.has(Max, Abs, Piecewise):
        return False
    inside = {s for f in d.atoms(Max, Abs, Piecewise) for s in f.free_symbols}
    if len(inside) != 1 or not next(iter(inside)).is_real:
        return False
    variable, t = inside.pop(), Dummy("t", positive=True)
    return all(_branch_is_zero(d.xreplace({variable: case})) for case in (t, -t, 0))


register_prover("case split on the sign", _zero_by_cases, relation="equality")

BCE_DEFINITION = -y * log(sigmoid(z)) - (1 - y) * log(1 - sigmoid(z))
BCE = NamedLoss("BCE(σ(z), y)", BCE_DEFINITION, latex=r"\operatorname{BCE}(\sigma(z), y)")
STABLE = written(Max(z, 0), -z * y, log1p(exp(-Abs(z))))
WEIGHTED = NamedLoss(
    "ℓ_w(z, y)",
    -(w * y * log(sigmoid(z)) + (1 - y) * log(1 - sigmoid(z))),
    latex=r"\ell_{w}(z, y)",
)
# Two terms, each ≥ 0 for 0 ≤ y ≤ 1 and w > 0: the numeric form, free of cancellation.
SOFTPLUS_FORM = written(w * y * softplus(-z), (1 - y) * softplus(z))


def stable_form_steps() -> list[Step]:
    """The identity for all real z: expand σ, use log rules, then split on the sign of z."""
    s = sigmoid(z).unfold()
    one_minus_s = together(1 - s)
    softplus_neg = log(1 + exp(-z))
    return chain(
        BCE,
        (
            "=",
            written(product(-y, log(s)), product(-(1 - y), log(one_minus_s))),
            "σ(z) = 1/(1 + e^{−z}), hence 1 − σ(z) = e^{−z}/(1 + e^{−z}) = 1/(1 + e^{z})",
        ),
        (
            "=",
            written(product(y, softplus_neg), product(1 - y, written(z, softplus_neg))),
            "log(1/u) = −log u, and log(1 + e^{z}) = log(e^{z}(e^{−z} + 1)) = z + log(1 + e^{−z})",
        ),
        ("=", written(z, -z * y, softplus_neg), "collect the log(1 + e^{−z}) terms: y + 1 − y = 1"),
        (
            "=",
            STABLE,
            "case z ≥ 0: max(z, 0) = z and |z| = z, so this is the line above. Case z < 0: "
            "write 1 + e^{−z} = e^{−z}(1 + e^{z}), so log(1 + e^{−z}) = −z + log1p(e^{z}), "
            "and max(z, 0) = 0, |z| = −z. Either way the exponent is ≤ 0 and cannot overflow",
        ),
    )


def gradient_steps() -> list[Step]:
    """d BCE/dz by differentiating the definition, with σ'(z) = σ(z)(1 − σ(z))."""
    derived = BCE_DEFINITION.diff(z)
    return chain(
        Derivative(BCE, z),
        (
            "=",
            derived,
            "chain rule with σ'(z) = σ(z)(1 − σ(z)): d log σ/dz = 1 − σ and d log(1 − σ)/dz = −σ",
        ),
        ("=", written(sigmoid(z), -y), "multiply out: −y + yσ(z) + σ(z) − yσ(z)"),
    )


def pos_weight_steps() -> list[Step]:
    """PyTorch's pos_weight w scales the positive term; the same stable rewriting applies."""
    log_weight = 1 + (w - 1) * y
    stable_softplus = written(Max(-z, 0), log1p(exp(-Abs(z))))
    derived = WEIGHTED.definition.diff(z)
    return [
        *chain(
            WEIGHTED,
            (
                "=",
                SOFTPLUS_FORM,
                "−log σ(z) = log(1 + e^{−z}) = softplus(−z) and −log(1 − σ(z)) = softplus(z)",
            ),
            (
                "=",
                written((1 - y) * z, product(log_weight, softplus(-z))),
                "softplus(z) = z + softplus(−z), then collect softplus(−z)",
            ),
            (
                "=",
                written((1 - y) * z, product(log_weight, stable_softplus)),
                "softplus(−z) = max(−z, 0) + log1p(e^{−|z|}) for either sign of z: "
                "this is the formula PyTorch evaluates",
            ),
        ),
        *chain(
            Derivative(WEIGHTED, z),
            ("=", derived, "differentiate as above"),
            (
                "=",
                written(product(log_weight, sigmoid(z)), -w * y),
                "multiply out; with w = 1 this is σ(z) − y again",
            ),
        ),
    ]


@register("bce-logits")
def build() -> Derivation:
    return Derivation(
        "bce-logits",
        "Binary cross-entropy with logits: a stable form and its gradient",
        [*stable_form_steps(), *gradient_steps(), *pos_weight_steps()],
        source="002",
        assumptions=[Real(z, scale=5.0), Interval(y, 0, 1), Positive(w, decades=1.0)],
        final=SOFTPLUS_FORM,
        summary=(
            "The coin of source 002 with the model's probability q = sigma(z) given by a "
            "logit z. The binary cross-entropy equals max(z, 0) - z y + log1p(exp(-|z|)) for "
            "every real z, a form that never overflows, and its gradient is sigma(z) - y. "
            "PyTorch's pos_weight w multiplies the term of the positive class."
        ),
    )
