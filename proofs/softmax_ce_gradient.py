"""softmax-ce-gradient: ∂/∂z_j [−Σ_k p_k log softmax(z)_k] = softmax(z)_j − p_j, K symbolic.

Every right-hand side below is computed by SymPy (``diff``, delta resolution, Σ_k p_k = 1)
from the line before it, and the checker re-derives each ``Derivative`` on the left.
"""

from sympy import Derivative, Expr, Idx, IndexedBase, KroneckerDelta, Sum, exp, log
from sympy.core.symbol import Str

from symxent.derivation import Derivation, Step, chain
from symxent.domains import ClassIndex, RealVector
from symxent.functions import log_softmax, resolve_deltas, softmax
from symxent.models import Categorical
from symxent.notation import Named, written
from symxent.registry import register
from symxent.sums import K, normalize_sums

P = Categorical(K, name="p")
p, k = P.base, P.index
i, j, y = Idx("i", (1, K)), Idx("j", (1, K)), Idx("y", (1, K))
c = Idx("c", (1, K))  # the class of the lemma, free (k is the summation index)
z = IndexedBase("z", real=True)


def sigma(at: Expr) -> Expr:
    """softmax(z)_at, the model's probability of class ``at``."""
    return softmax(z[i], (i, 1, K), at)


def log_sigma(at: Expr) -> Expr:
    """log softmax(z)_at."""
    return log_softmax(z[i], (i, 1, K), at)


def ce_loss(target: Expr = p[k]) -> Expr:
    """−Σ_k target_k log softmax(z)_k: the cross-entropy of softmax(z) relative to the target."""
    return -Sum(target * log_sigma(k), (k, 1, K))


class NamedLoss(Named):
    """``Named`` that survives SymPy rebuilding it from its args ``(Str, Str, definition)``.

    ``notation.Named.__new__(text, definition, latex)`` takes its arguments in another order
    than it stores them and wraps them in ``Str`` unconditionally, so a ``replace`` that
    rebuilds a Named (e.g. unfolding a softmax inside its definition) fails without this.
    """

    def __new__(cls, text: object, definition: object, latex: object = None) -> "NamedLoss":
        if isinstance(definition, Str):  # rebuilt from args: (text, latex, definition)
            text, latex, definition = text, definition, latex
        return super().__new__(
            cls, getattr(text, "name", text), definition, getattr(latex, "name", latex)
        )


LOSS = NamedLoss("L(z)", ce_loss(), latex=r"\mathcal{L}(z)")
EXPS = Sum(exp(z[i]), (i, 1, K))


def log_softmax_lemma() -> list[Step]:
    """∂ log softmax(z)_c / ∂z_j = δ_jc − softmax(z)_j, by differentiating the definition."""
    definition = z[c] - log(EXPS)
    differentiated = diff_each(definition)
    picked = resolve_deltas(differentiated)
    return chain(
        Derivative(log_sigma(c), z[j]),
        (
            "=",
            Derivative(definition, z[j]),
            "log softmax(z)_c = z_c − log Σ_i exp(z_i): the log of exp(z_c) / Σ_i exp(z_i)",
        ),
        (
            "=",
            written(Derivative(z[c], z[j]), -Derivative(log(EXPS), z[j])),
            "differentiation is linear",
        ),
        (
            "=",
            differentiated,
            "∂z_c/∂z_j = δ_jc (1 if j = c, else 0); chain rule d log u = du / u with "
            "∂ exp(z_i)/∂z_j = δ_ij exp(z_i)",
        ),
        ("=", picked, "in Σ_i δ_ij exp(z_i) only the term i = j survives"),
        ("=", KroneckerDelta(j, c) - sigma(j), "the quotient is softmax(z)_j by definition"),
    )


def diff_each(expr: Expr) -> Expr:
    """∂/∂z_j of each term of ``expr``, kept as a sum in the order written."""
    return written(*(term.diff(z[j]) for term in expr.as_ordered_terms()))


def gradient_steps() -> list[Step]:
    """∂L/∂z_j for soft targets p: linearity, the lemma, δ-resolution, Σ_k p_k = 1."""
    termwise = -Sum(p[k] * Derivative(log_sigma(k), z[j]), (k, 1, K))
    by_lemma = -Sum(p[k] * log_sigma(k).diff(z[j]), (k, 1, K))
    split = normalize_sums(by_lemma)
    return chain(
        Derivative(LOSS, z[j]),
        (
            "=",
            termwise,
            "the derivative of a sum is the sum of the derivatives; p does not depend on z",
        ),
        (
            "=",
            by_lemma,
            "the lemma above with c = k: ∂ log softmax(z)_k/∂z_j = δ_jk − softmax(z)_j",
        ),
        (
            "=",
            split,
            "Σ_k p_k δ_jk = p_j; softmax(z)_j does not depend on k, so it leaves the sum",
        ),
        ("=", normalize_sums(split, [p]), "p is a probability vector: Σ_k p_k = 1"),
    )


def one_hot_steps() -> list[Step]:
    """The one-hot special case p_k = δ_ky: the gradient is softmax(z)_j − [j = y]."""
    one_hot = ce_loss(KroneckerDelta(k, y))
    return chain(
        Derivative(-log_sigma(y), z[j]),
        (
            "=",
            Derivative(one_hot, z[j]),
            "a one-hot target p_k = δ_ky turns −Σ_k p_k log softmax(z)_k into −log softmax(z)_y",
        ),
        (
            "=",
            written(sigma(j), -KroneckerDelta(j, y)),
            "the gradient above with p_j = δ_jy: softmax(z)_j − 1 for the true class, "
            "softmax(z)_j otherwise",
        ),
    )


@register("softmax-ce-gradient")
def build() -> Derivation:
    return Derivation(
        "softmax-ce-gradient",
        "The gradient of softmax cross-entropy is softmax(z) − p",
        [*log_softmax_lemma(), *gradient_steps(), *one_hot_steps()],
        source="000, 001",
        assumptions=[P, RealVector(z, K), ClassIndex(j, K), ClassIndex(y, K), ClassIndex(c, K)],
        final=softmax(z[i], (i, 1, K), j) - p[j],
        summary=(
            "For logits z and a target distribution p over K classes (K symbolic), the "
            "gradient of the cross-entropy -sum_k p_k log softmax(z)_k with respect to z_j "
            "is softmax(z)_j - p_j: the prediction minus the target. It is derived by "
            "differentiating log softmax and summing; logsumexp(z) = log sum_i exp(z_i) is "
            "the normaliser."
        ),
    )


__all__ = ["LOSS", "build", "ce_loss", "log_sigma", "sigma"]
