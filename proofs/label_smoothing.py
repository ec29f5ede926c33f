"""label-smoothing: the smoothed target (1 − ε)·onehot(y) + ε/K, its loss and gradient, K symbolic.

PyTorch (``cross_entropy(..., label_smoothing=ε)``) and Keras
(``CategoricalCrossentropy(label_smoothing=ε)``) both put ε/K on every class, so the true
class gets 1 − ε + ε/K. Class weights follow PyTorch's ``weight``: class k's terms are
multiplied by w_k, and ``reduction="mean"`` over integer labels divides by Σ_n w_{y_n}.
"""

from sympy import Derivative, Idx, IndexedBase, KroneckerDelta, Sum, Symbol
from symxent.proofs.softmax_ce_gradient import NamedLoss

from symxent.derivation import Derivation, Step, chain
from symxent.domains import ClassIndex, Interval, RealVector
from symxent.functions import log_softmax, softmax
from symxent.notation import product, written
from symxent.registry import register
from symxent.sums import K, normalize_sums

i, j, k, y = (Idx(name, (1, K)) for name in "ijky")
c = Idx("c", (1, K))  # a free class (k is bound in the sums)
z, w = IndexedBase("z", real=True), IndexedBase("w", real=True)
eps = Symbol("epsilon", positive=True)


def smoothed(at: object) -> object:
    """The smoothed target t_at = (1 − ε)[at = y] + ε/K."""
    return (1 - eps) * KroneckerDelta(at, y) + eps / K


def log_sigma(at: object) -> object:
    return log_softmax(z[i], (i, 1, K), at)


def uniform_ce() -> object:
    """(1/K) Σ_k −log softmax(z)_k: the cross-entropy against the uniform distribution."""
    return Sum(-log_sigma(k), (k, 1, K)) / K


def loss_steps() -> list[Step]:
    """The smoothed loss is a mixture of the one-hot loss and the uniform loss."""
    loss = NamedLoss(
        "L_ε(z, y)", -Sum(smoothed(k) * log_sigma(k), (k, 1, K)), latex=r"L_{\varepsilon}(z, y)"
    )
    return chain(
        loss,
        (
            "=",
            written(product(1 - eps, -log_sigma(y)), product(eps, uniform_ce())),
            "linearity of Σ_k; Σ_k δ_ky f(k) = f(y): (1 − ε)·CE + ε·(cross-entropy against "
            "the uniform distribution 1/K)",
        ),
    )


def gradient_steps() -> list[Step]:
    """∂L_ε/∂z_j = softmax(z)_j − t_j, derived by differentiating the definition."""
    loss = -Sum(smoothed(k) * log_sigma(k), (k, 1, K))
    derived = loss.diff(z[j])
    split = normalize_sums(derived)
    return chain(
        Derivative(loss, z[j]),
        ("=", derived, "∂ log softmax(z)_k/∂z_j = δ_jk − softmax(z)_j (softmax-ce-gradient)"),
        (
            "=",
            split,
            "Σ_k δ_jk t_k = t_j, and Σ_k t_k = (1 − ε) + K·ε/K = 1: the smoothed target is "
            "a probability vector",
        ),
        (
            "=",
            written(softmax(z[i], (i, 1, K), j), -smoothed(j)),
            "prediction minus smoothed target; it vanishes at softmax(z) = t, so unlike the "
            "one-hot loss the optimum has finite logits",
        ),
    )


def convention_steps() -> list[Step]:
    """ε/K (PyTorch, Keras) versus ε/(K − 1) on the wrong classes (used elsewhere)."""
    eps_other = eps * (K - 1) / K
    other = (1 - eps_other) * KroneckerDelta(c, y) + eps_other * (1 - KroneckerDelta(c, y)) / (
        K - 1
    )
    return [
        Step(
            smoothed(c),
            "=",
            other,
            "the other convention gives 1 − ε' to the true class and ε'/(K − 1) to each "
            "other class (K ≥ 2); it is PyTorch's and Keras's ε/K convention with "
            "ε' = ε(K − 1)/K, so the two ε differ by the factor K/(K − 1)",
        )
    ]


def weighted_steps() -> list[Step]:
    """PyTorch's ``weight``: w_k multiplies class k's terms, in both parts of the loss."""
    loss = NamedLoss(
        "ℓ_w(z, y)",
        -Sum(w[k] * smoothed(k) * log_sigma(k), (k, 1, K)),
        latex=r"\ell_{w}(z, y)",
    )
    derived = loss.definition.diff(z[j])
    return [
        *chain(
            loss,
            (
                "=",
                written(
                    product(1 - eps, w[y], -log_sigma(y)),
                    product(eps / K, Sum(-w[k] * log_sigma(k), (k, 1, K))),
                ),
                "PyTorch: (1 − ε)·w_y·(−log softmax(z)_y) + (ε/K)·Σ_k w_k·(−log softmax(z)_k); "
                "for reduction='mean' the batch sum is divided by Σ_n w_{y_n}, not by N",
            ),
        ),
        *chain(
            Derivative(loss, z[j]),
            ("=", derived, "differentiate term by term as above"),
            (
                "=",
                normalize_sums(derived),
                "Σ_k δ_jk w_k t_k = w_j t_j; the weights need not sum to one, so Σ_k w_k t_k "
                "stays as the factor of softmax(z)_j",
            ),
        ),
    ]


@register("label-smoothing")
def build() -> Derivation:
    return Derivation(
        "label-smoothing",
        "Label smoothing and class weights in the cross-entropy loss",
        [*loss_steps(), *gradient_steps(), *convention_steps(), *weighted_steps()],
        source="000",
        assumptions=[
            RealVector(z, K),
            RealVector(w, K, scale=1.0),
            ClassIndex(j, K),
            ClassIndex(y, K),
            ClassIndex(c, K),
            Interval(eps, 0, 1),
        ],
        final=-Sum(w[k] * smoothed(k) * log_sigma(k), (k, 1, K)),
        summary=(
            "PyTorch and Keras smooth the one-hot target to (1 - epsilon) onehot(y) + "
            "epsilon/K. The loss becomes (1 - epsilon) times the usual cross-entropy plus "
            "epsilon times the cross-entropy against the uniform distribution, and the "
            "gradient is softmax(z) - t. Other texts put epsilon/(K - 1) on each wrong class; "
            "that is the same target with epsilon rescaled by (K - 1)/K. PyTorch's class "
            "weight w_k multiplies every term of class k."
        ),
    )
