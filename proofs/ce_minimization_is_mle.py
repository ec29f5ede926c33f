"""ce-minimization-is-mle: argmin H(p̂, q_θ) = argmin KL(p̂‖q_θ) = argmax ℓ(θ) (000, 001).

The model is q_θ = softmax(θ) over K classes (K symbolic). H(p̂, q_θ) and KL(p̂‖q_θ) differ
by H(p̂), which does not depend on θ, and the log-likelihood of N draws with empirical PMF
p̂ is ℓ(θ) = −N H(p̂, q_θ). So the three objectives have the same gradient up to the factor
−N, and the same optimisers. The gradients are computed here (``diff``) and re-derived by
the checker; :func:`optimise_objectives` shows the same numerically for K = 4.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp as np_logsumexp
from scipy.special import softmax as np_softmax
from scipy.special import xlogy
from sympy import Derivative, Expr, Idx, Indexed, IndexedBase, Symbol, diff, log
from symxent.proofs.categorical_mle import At, as_written, settle

from symxent.derivation import Derivation, Step, chain
from symxent.domains import ClassIndex, Positive, Real, RealVector, Simplex
from symxent.errors import InvalidInput
from symxent.functions import resolve_deltas, softmax
from symxent.measures import cross_entropy, entropy, kl_divergence
from symxent.models import Categorical
from symxent.notation import Named, unfold, written
from symxent.registry import register
from symxent.sums import K

i, j = Idx("i", (1, K)), Idx("j", (1, K))
N = Symbol("N", integer=True, positive=True)
c = Symbol("c", real=True)
p, theta = IndexedBase("p", positive=True), IndexedBase("theta", real=True)
_P, _Q = Categorical(K, name="p"), Categorical(K, name="q")


def _with_model(expr: Expr) -> Expr:
    """A measure of (p, q) with p ↦ p̂ and q(k) ↦ softmax(θ)_k."""
    return expr.xreplace({_P.base: p}).replace(
        lambda e: isinstance(e, Indexed) and e.base == _Q.base,
        lambda e: softmax(theta[i], (i, 1, K), e.indices[0]),
    )


_CROSS = _with_model(cross_entropy(_P, _Q))
# ℓ(θ) = Σ_k N p̂(k) log q_θ(k): the log-likelihood of categorical-likelihood, counts N p̂(k).
_ELL = _with_model(N * _P.summation(lambda a, b: a * log(b), _Q))
# Named gets plain SymPy (unfolded): SymPy cannot rebuild a Named whose definition changes.
H_CROSS = Named("H(p̂, q_θ)", unfold(_CROSS), latex=r"H(\hat p, q_\theta)")
KL = Named(
    "KL(p̂‖q_θ)",
    unfold(_with_model(kl_divergence(_P, _Q))),
    latex=r"D_{\mathrm{KL}}(\hat p \,\|\, q_\theta)",
)
H_SELF = Named("H(p̂)", _with_model(entropy(_P)), latex=r"H(\hat p)")
ELL = Named("ℓ(θ)", unfold(_ELL), latex=r"\ell(\theta)")


def _gradient(objective: Expr) -> Expr:
    """∂ objective / ∂θ_j, with Σ_k δ(j, k) f(k) = f(j) and Σ_k p̂_k = 1 applied."""
    return settle(resolve_deltas(diff(objective, theta[j])))


GRAD_H, GRAD_KL = _gradient(_CROSS), _gradient(_with_model(kl_divergence(_P, _Q)))
GRAD_ELL = _gradient(_ELL)


def _same_objective() -> list[Step]:
    return [
        *chain(
            written(H_CROSS, -KL),
            ("=", H_SELF, "H(p, q) = H(p) + KL(p || q) (kl-ce-categorical) with q = q_theta"),
        ),
        Step(
            Derivative(written(H_CROSS, -KL), theta[j]),
            "=",
            0,
            "H(p^) does not depend on theta: cross-entropy and KL differ by a constant, so "
            "they have the same minimisers",
        ),
        Step(
            ELL,
            "=",
            -N * H_CROSS,
            "the log-likelihood of N draws with empirical PMF p^ is N sum_k p^(k) log "
            "q_theta(k) (categorical-likelihood); N > 0, so argmax l = argmin H",
        ),
    ]


def _gradients() -> list[Step]:
    return [
        Step(
            Derivative(H_CROSS, theta[j]),
            "=",
            as_written(GRAD_H, p[j]),
            "differentiate through the softmax: d log softmax_k / d theta_j = [j = k] - "
            "softmax_j, and sum_k p^(k) = 1",
        ),
        Step(
            Derivative(KL, theta[j]),
            "=",
            as_written(GRAD_KL, p[j]),
            "the same gradient, since H(p^) is constant",
        ),
        Step(
            Derivative(ELL, theta[j]),
            "=",
            as_written(GRAD_ELL, p[j]),
            "minus N times the same gradient: all three share their stationary points",
        ),
        Step(
            At(Derivative(H_CROSS, theta[j]), (theta[i], written(log(p[i]), c))),
            "=",
            0,
            "theta = log p^ + c (any constant c: softmax ignores a common shift) makes the "
            "gradient vanish, i.e. q_theta = p^; H is convex in theta (softmax-ce-hessian), "
            "so this is the minimiser of H and KL and the maximiser of the likelihood",
        ),
        Step(
            At(softmax(theta[i], (i, 1, K), j), (theta[i], written(log(p[i]), c))),
            "=",
            p[j],
            "there the model reproduces the empirical PMF: q_theta = p^",
        ),
    ]


@register("ce-minimization-is-mle")
def build() -> Derivation:
    return Derivation(
        "ce-minimization-is-mle",
        "Minimising cross-entropy is maximum likelihood",
        [*_same_objective(), *_gradients()],
        source="000, 001",
        assumptions=[
            Simplex(p, K, i),
            RealVector(theta, K),
            ClassIndex(j, K),
            Real(c),
            Positive(N),
        ],
        final=H_CROSS.definition,
        summary=(
            "For the softmax model q_theta = softmax(theta) and an empirical PMF p^ of N "
            "draws, H(p^, q_theta) - KL(p^ || q_theta) = H(p^) does not depend on theta and "
            "the log-likelihood is -N H(p^, q_theta). So argmin H = argmin KL = argmax l: all "
            "three are reached at softmax(theta) = p^, i.e. theta = log p^ + c."
        ),
    )


def _log_softmax(t: np.ndarray) -> np.ndarray:
    return t - np_logsumexp(t)


NUMERIC_OBJECTIVES: dict[str, Callable[[np.ndarray, np.ndarray, int], float]] = {
    "cross-entropy": lambda t, ph, n: -float(ph @ _log_softmax(t)),
    "kl-divergence": lambda t, ph, n: float(np.sum(xlogy(ph, ph)) - ph @ _log_softmax(t)),
    "negative log-likelihood": lambda t, ph, n: -n * float(ph @ _log_softmax(t)),
}
# Gradients of the three, as derived above: σ(θ) − p̂, the same, and N(σ(θ) − p̂).
NUMERIC_GRADIENTS: dict[str, Callable[[np.ndarray, np.ndarray, int], np.ndarray]] = {
    "cross-entropy": lambda t, ph, n: np_softmax(t) - ph,
    "kl-divergence": lambda t, ph, n: np_softmax(t) - ph,
    "negative log-likelihood": lambda t, ph, n: n * (np_softmax(t) - ph),
}


def optimise_objectives(p_hat: np.ndarray, n: int = 100, seed: int = 0) -> dict[str, np.ndarray]:
    """Minimise each objective over θ with BFGS from one random start; θ centred (mean 0).

    Centring removes the softmax shift θ ↦ θ + c, so the three results can be compared.

    Args:
        p_hat: an empirical PMF with positive entries (the optimum θ = log p̂ is finite).
        n: the number of draws N behind p̂ (scales the log-likelihood only).
        seed: seed of the starting point.

    Returns:
        The centred minimiser of each objective in :data:`NUMERIC_OBJECTIVES`.
    """
    p_hat = np.asarray(p_hat, dtype=float)
    if p_hat.ndim != 1 or np.any(p_hat <= 0) or abs(p_hat.sum() - 1) > 1e-9:
        raise InvalidInput("p_hat must be a 1-D vector of positive probabilities summing to 1")
    start = np.random.default_rng(seed).normal(size=p_hat.size)
    out = {}
    for name, f in NUMERIC_OBJECTIVES.items():
        grad = NUMERIC_GRADIENTS[name]
        res = minimize(f, start, args=(p_hat, n), jac=grad, method="BFGS", options={"gtol": 1e-12})
        out[name] = res.x - res.x.mean()
    return out
