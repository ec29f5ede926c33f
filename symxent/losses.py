"""Classification losses and their gradients, compiled from the derived formulas.

Each function evaluates a formula that a derivation in the catalogue arrives at, turned into
stable NumPy code by :func:`symxent.numeric.lambdify`:

* ``ce-loss-one-hot``: per example, logsumexp(z) − z_y;
* ``label-smoothing``: (1 − ε)·w_y·(−log softmax(z)_y) + (ε/K)·Σ_k w_k·(−log softmax(z)_k),
  and the gradient softmax(z)·Σ_k w_k t_k − w·t with t = (1 − ε)·onehot(y) + ε/K;
* ``bce-logits``: (1 − y)·z + (1 + (w − 1)·y)·(max(−z, 0) + log1p(e^{−|z|})) and its
  gradient (1 + (w − 1)·y)·σ(z) − w·y.

Conventions are NumPy's and PyTorch's: classes on the last axis, batch axes leading,
0-based integer labels, and PyTorch's ``reduction`` semantics (``"mean"`` over integer labels
divides by the summed weights of the counted targets; over probability targets by the
number of examples; ``ignore_index`` rows count for nothing). Gradient functions return the
gradient of the *reduced* loss with respect to ``z`` (for ``"none"``, of the summed loss).

>>> import numpy as np
>>> z = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
>>> softmax_cross_entropy(z, np.array([2, 0])).tolist()
[2000.0, 1.0986122886681098]
>>> bce_with_logits(np.array([-800.0, 3.0]), np.array([1.0, 0.0]))
array([800.        ,   3.04858735])
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
from sympy import Expr, Idx, IndexedBase, Sum, collect, diff, factor_terms

from .errors import InvalidInput
from .functions import log_softmax, softmax
from .numeric import lambdify
from .registry import get
from .sums import K, normalize_sums

__all__ = [
    "bce_with_logits",
    "bce_with_logits_grad",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
]

REDUCTIONS = ("none", "mean", "sum")
_i, _j, _k = (Idx(name, (1, K)) for name in "ijk")
_z, _w, _p = IndexedBase("z", real=True), IndexedBase("w", real=True), IndexedBase("p")
_WEIGHTED_SOFT_CE = Sum(-_w[_k] * _p[_k] * log_softmax(_z[_i], (_i, 1, K), _k), (_k, 1, K))


@functools.cache
def _compiled(name: str) -> Callable[..., np.ndarray]:
    """The lambdified formulas, built on first use (the catalogue loads lazily)."""
    if name == "nll":  # ce-loss-one-hot: logsumexp(z) − z_y
        return lambdify(get("ce-loss-one-hot"), name="nll")
    if name == "uniform":  # label-smoothing: Σ_k w_k·(−log softmax(z)_k)
        return lambdify(_WEIGHTED_SOFT_CE.xreplace({_p[_k]: 1}), probabilities=[], name="uniform")
    if name == "index_grad":  # label-smoothing: the derived weighted gradient σ_j·S − w_j t_j
        return lambdify(_by_softmax(get("label-smoothing").steps[-1].rhs), name="index_grad")
    if name == "soft":
        return lambdify(_WEIGHTED_SOFT_CE, probabilities=[_p], name="soft")
    if name == "soft_grad":  # the same derivation as softmax-ce-gradient, with weights
        derived = normalize_sums(diff(_WEIGHTED_SOFT_CE, _z[_j]))
        return lambdify(derived, probabilities=[_p], name="soft_grad")
    if name == "bce":
        return lambdify(get("bce-logits"), name="bce")
    if name == "bce_grad":  # bce-logits: (1 + (w − 1)y)·σ(z) − w·y
        return lambdify(get("bce-logits").steps[-1].rhs, name="bce_grad")
    raise KeyError(name)


def _by_softmax(expr: Expr) -> Expr:
    """σ_j·(coefficient) + rest: one product and one subtraction, instead of expanded terms
    that cancel one another in floating point."""
    sigma = next(iter(expr.atoms(softmax)))
    return collect(expr, sigma, evaluate=False).get(sigma) * sigma + factor_terms(
        expr.subs(sigma, 0)
    )


def _floats(x: object, what: str) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype.kind not in "fiub":
        raise InvalidInput(f"{what} must be an array of real numbers, got dtype {a.dtype}")
    return a.astype(np.result_type(a.dtype, np.float32))


def _check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise InvalidInput(f"reduction={reduction!r}; expected one of {', '.join(REDUCTIONS)}")


def _check_smoothing(eps: float) -> None:
    if not 0.0 <= float(eps) <= 1.0:
        raise InvalidInput(f"label_smoothing={eps!r}; expected a number in [0, 1]")


def _class_weights(weight: object, z: np.ndarray) -> np.ndarray:
    k = z.shape[-1]
    if weight is None:
        return np.ones(k, dtype=z.dtype)
    w = _floats(weight, "weight")
    if w.shape != (k,):
        raise InvalidInput(f"weight has shape {w.shape}; expected ({k},), one per class")
    return w


def _targets(z: object, y: object, p: object) -> tuple[np.ndarray, np.ndarray | None, object]:
    if (y is None) == (p is None):
        raise InvalidInput("give exactly one of y (integer labels) or p (probability targets)")
    z = _floats(z, "z")
    if z.ndim < 1:
        raise InvalidInput("z must have the classes on its last axis (at least 1-D)")
    if p is not None:
        return z, None, _floats(p, "p")
    labels = np.asarray(y)
    if labels.dtype.kind not in "iu":
        raise InvalidInput(f"y must hold integer labels 0..K-1, got dtype {labels.dtype}")
    return z, labels, None


def _index_parts(z, labels, weight, eps, ignore_index):
    """Per-example loss, the weight of each counted target, and the mask of counted rows."""
    w = _class_weights(weight, z)
    keep = np.ones(labels.shape, bool) if ignore_index is None else labels != ignore_index
    safe = np.where(keep, labels, 0)  # ignored rows may hold any label, e.g. -100
    loss = _compiled("nll")(z=z, y=safe) * w[safe]
    if eps:
        k = z.shape[-1]
        loss = (1 - eps) * loss + _compiled("uniform")(w=w, z=z) * (eps / k)
    return np.where(keep, loss, 0.0).astype(z.dtype), np.where(keep, w[safe], 0.0), keep, safe


def _reduce(values: np.ndarray, denominator: object, reduction: str) -> np.ndarray:
    if reduction == "none":
        return values
    total = values.sum()
    return total if reduction == "sum" else total / denominator


def softmax_cross_entropy(
    z: object,
    y: object = None,
    p: object = None,
    *,
    weight: object = None,
    label_smoothing: float = 0.0,
    ignore_index: int | None = None,
    reduction: str = "none",
) -> np.ndarray:
    """Softmax cross-entropy of logits ``z`` against labels ``y`` or probabilities ``p``.

    Matches ``torch.nn.functional.cross_entropy`` (classes on the last axis here).

    Args:
        z: logits, shape (..., K).
        y: integer labels in 0..K-1, shape (...); or None when ``p`` is given.
        p: probability targets, shape (..., K); or None when ``y`` is given.
        weight: per-class weights w, shape (K,): class k's terms are multiplied by w_k.
        label_smoothing: ε in [0, 1]; the target becomes (1 − ε)·target + ε/K.
        ignore_index: a label whose examples contribute 0 and are not counted (``y`` only).
        reduction: "none" (per example), "sum", or "mean" (integer labels: divided by
            Σ w_{y_n} over counted examples; probability targets: by the number of examples).

    Returns:
        The per-example losses (shape (...)) or their reduction (a scalar).

    >>> softmax_cross_entropy(np.array([0.0, 0.0]), p=np.array([0.5, 0.5]))
    np.float64(0.6931471805599453)
    """
    _check_reduction(reduction)
    _check_smoothing(label_smoothing)
    z, labels, probs = _targets(z, y, p)
    eps = float(label_smoothing)
    if probs is None:
        loss, counted, _, _ = _index_parts(z, labels, weight, eps, ignore_index)
        return _reduce(loss, counted.sum(), reduction)
    probs = probs * (1 - eps) + eps / z.shape[-1] if eps else probs
    loss = _compiled("soft")(w=_class_weights(weight, z), z=z, p=probs)
    return _reduce(loss, loss.size, reduction)


def softmax_cross_entropy_grad(
    z: object,
    y: object = None,
    p: object = None,
    *,
    weight: object = None,
    label_smoothing: float = 0.0,
    ignore_index: int | None = None,
    reduction: str = "none",
) -> np.ndarray:
    """∂/∂z of :func:`softmax_cross_entropy` (same arguments), shape of ``z``.

    Per example it is softmax(z)·Σ_k w_k t_k − w·t, with t the (smoothed) target; for
    ``reduction="mean"`` it is divided by the same denominator as the loss.

    >>> softmax_cross_entropy_grad(np.array([0.0, 0.0]), np.array(1))
    array([ 0.5, -0.5])
    """
    _check_reduction(reduction)
    _check_smoothing(label_smoothing)
    z, labels, probs = _targets(z, y, p)
    eps, classes = float(label_smoothing), np.arange(z.shape[-1])
    w = _class_weights(weight, z)
    row = z[..., None, :]  # one row per class j, so the derived ∂/∂z_j is evaluated for all j
    if probs is None:
        _, counted, keep, safe = _index_parts(z, labels, weight, eps, ignore_index)
        grad = _compiled("index_grad")(w=w, z=row, epsilon=eps, j=classes, y=safe[..., None])
        grad = np.where(keep[..., None], grad, 0.0)
        denominator = counted.sum()
    else:
        probs = probs * (1 - eps) + eps / z.shape[-1] if eps else probs
        grad = _compiled("soft_grad")(w=w, z=row, p=probs[..., None, :], j=classes)
        denominator = grad.size // z.shape[-1]
    grad = grad.astype(z.dtype)
    return grad / denominator if reduction == "mean" else grad


def _bce_args(z: object, y: object, pos_weight: object) -> tuple[np.ndarray, ...]:
    z, y = _floats(z, "z"), _floats(y, "y")
    w = np.ones((), z.dtype) if pos_weight is None else _floats(pos_weight, "pos_weight")
    try:
        np.broadcast_shapes(z.shape, y.shape, w.shape)
    except ValueError as exc:
        raise InvalidInput(
            f"z {z.shape}, y {y.shape}, pos_weight {w.shape} do not broadcast"
        ) from exc
    return z, y, w


def bce_with_logits(
    z: object, y: object, pos_weight: object = None, *, reduction: str = "none"
) -> np.ndarray:
    """Binary cross-entropy of logits ``z`` and targets ``y`` in [0, 1], elementwise.

    ``−[w·y·log σ(z) + (1 − y)·log(1 − σ(z))]`` with ``w = pos_weight`` (default 1), as
    ``torch.nn.functional.binary_cross_entropy_with_logits``; ``"mean"`` averages over all
    elements.

    >>> bce_with_logits(np.array([0.0]), np.array([1.0]), pos_weight=np.array([2.0]))
    array([1.38629436])
    """
    _check_reduction(reduction)
    z, y, w = _bce_args(z, y, pos_weight)
    loss = np.asarray(_compiled("bce")(w=w, y=y, z=z))
    return _reduce(loss, loss.size, reduction)


def bce_with_logits_grad(
    z: object, y: object, pos_weight: object = None, *, reduction: str = "none"
) -> np.ndarray:
    """∂/∂z of :func:`bce_with_logits`: (1 + (w − 1)·y)·σ(z) − w·y, elementwise.

    >>> bce_with_logits_grad(np.array([0.0]), np.array([1.0]))
    array([-0.5])
    """
    _check_reduction(reduction)
    z, y, w = _bce_args(z, y, pos_weight)
    grad = np.asarray(_compiled("bce_grad")(w=w, y=y, z=z))
    return grad / grad.size if reduction == "mean" else grad
