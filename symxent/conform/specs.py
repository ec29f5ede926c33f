r"""The losses ``symxent conform`` checks: calling convention, reference and semantics.

Each :class:`LossSpec` names the catalogue derivation its reference comes from, the
positional inputs a target receives, the keyword options the suites may pass, and how
the exact per-example values (the derivation's ``.final`` at 50 digits, via
:func:`symxent.reference.reference`) become the expected output under PyTorch's option
and reduction semantics. The options are applied in mpmath, so the expected value is
exact up to the final rounding to the target's dtype.

>>> spec = get_loss("ce-loss-one-hot")
>>> spec.inputs, spec.derivation
(('logits', 'labels'), 'ce-loss-one-hot')
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import mpmath
import numpy as np
import scipy.special
from mpmath import mp
from sympy import Idx, IndexedBase, exp
from sympy import Symbol as _Symbol

from symxent.errors import InvalidInput
from symxent.functions import softmax
from symxent.measures import cross_entropy, entropy, kl_divergence
from symxent.models import Bernoulli, Categorical
from symxent.reference import Reference, reference
from symxent.registry import get
from symxent.sums import K

__all__ = ["LOSSES", "Alternative", "Batch", "LossSpec", "get_loss", "truth"]

DPS = 50
BCE_DPS = 340
IGNORE_INDEX = -100  # PyTorch's default ignore_index


@dataclass(frozen=True)
class Batch:
    """One call of the target: positional ``inputs`` (float64 master copies) and options.

    ``options`` holds keyword arguments (``weight``, ``ignore_index``, ``label_smoothing``,
    ``pos_weight``, ``reduction``); a target that does not accept one of them is not
    called with this batch.
    """

    inputs: tuple[np.ndarray, ...]
    options: dict[str, object] = field(default_factory=dict)

    def cast(self, dtype: np.dtype) -> Batch:
        """The batch with every float input and float option rounded to ``dtype``."""

        def conv(a: object) -> object:
            arr = np.asarray(a)
            return arr.astype(dtype) if arr.dtype.kind == "f" and arr.ndim else a

        return replace(
            self,
            inputs=tuple(conv(a) for a in self.inputs),
            options={k: conv(v) for k, v in self.options.items()},
        )


@dataclass(frozen=True)
class Alternative:
    """Another convention a failing target may follow: the batch it would correspond to."""

    name: str
    message: str
    transform: Callable[[Batch], Batch | None]


@dataclass(frozen=True)
class LossSpec:
    """A loss under test: its calling convention, reference, and known pitfalls."""

    id: str
    title: str
    derivation: str
    inputs: tuple[str, ...]
    options: tuple[str, ...]
    per_example: Callable[[Batch, int | None], np.ndarray]
    elementwise: bool = False
    scale: Callable[[Batch], np.ndarray] | None = None
    alternatives: tuple[Alternative, ...] = ()
    note: str = ""
    dps: int = DPS


# --- per-example references (object arrays of mpf) ---------------------------------------

_z, _p, _q, _l = (IndexedBase(n) for n in ("z", "p", "q", "l"))
_i, _k = Idx("i", (1, K)), Idx("k", (1, K))


@functools.cache
def _ref(name: str) -> Reference:
    """The 50-digit reference of a catalogue formula, with a fixed argument order."""
    if name == "ce-probability-targets":
        q_of_z = {_q[_k]: softmax(_z[_i], (_i, 1, K), _k)}
        return reference(get("kl-ce-categorical").final.xreplace(q_of_z), DPS, ["z", "p"])
    if name == "kl-divergence":
        kl = kl_divergence(Categorical(K, name="p"), Categorical(K, name="q"))
        return reference(kl.xreplace({_q[_k]: exp(_l[_k])}), DPS, ["l", "p"])
    if name == "entropy":
        return reference(entropy(Categorical(K, name="p")), DPS, ["p"])
    if name == "bce-probabilities":
        bce = cross_entropy(Bernoulli(_Symbol("y")), Bernoulli(_Symbol("q")))
        # −log(1 − q) ≈ q for q down to 1e-320 needs 1 − q to 340 digits, not 50.
        return reference(bce, BCE_DPS, ["q", "y"])
    orders = {"ce-loss-one-hot": ["z", "y"], "bce-logits": ["z", "y", "w"]}
    orders["label-smoothing"] = ["z", "y", "epsilon", "w"]
    return reference(get(name), DPS, orders[name])


def _labels_safe(labels: np.ndarray, ignore: object) -> tuple[np.ndarray, np.ndarray]:
    """(labels with ignored ones replaced by 0, mask of ignored examples)."""
    ignored = labels == ignore if ignore is not None else np.zeros(labels.shape, bool)
    return np.where(ignored, 0, labels), ignored


def _ce_index(b: Batch, dps: int | None = None) -> np.ndarray:
    z, labels = b.inputs
    safe, ignored = _labels_safe(labels, b.options.get("ignore_index"))
    values = _ref("ce-loss-one-hot").mp(z, safe, dps=dps)
    weight = b.options.get("weight")
    if weight is not None:
        with mp.workdps(dps or DPS):  # not at mpmath's global 15 digits
            values = values * _mp(np.asarray(weight, np.float64)[safe])
    return np.where(ignored, mpmath.mpf(0), values)


def _smoothing(b: Batch, dps: int | None = None) -> np.ndarray:
    z, labels = b.inputs
    weight = b.options.get("weight")
    w = np.ones(z.shape[-1]) if weight is None else np.asarray(weight, np.float64)
    eps = float(b.options.get("label_smoothing", 0.0))
    return _ref("label-smoothing").mp(z, labels, eps, w, dps=dps)


def _bce_logits(b: Batch, dps: int | None = None) -> np.ndarray:
    z, y = b.inputs
    w = np.broadcast_to(np.asarray(b.options.get("pos_weight", 1.0), np.float64), z.shape)
    return _ref("bce-logits").mp(z, y, w, dps=dps)


def _kl_scale(b: Batch) -> np.ndarray:
    """Σ_k p_k(|log p_k| + |log q_k|): the size of the terms a KL sum cancels."""
    log_q, p = (np.asarray(a, np.float64) for a in b.inputs)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = p * (np.abs(np.log(p)) + np.abs(log_q))
    return np.sum(np.where(p > 0, terms, 0.0), axis=-1)


def _bce_scale(b: Batch) -> np.ndarray:
    """|(1 − y)z| + w'·(max(−z, 0) + log1p(e^{−|z|})), w' = 1 + (w − 1)y: the two terms
    of the stable form, which cancel for z < 0."""
    z, y = (np.asarray(a, np.float64) for a in b.inputs)
    w = 1 + (np.asarray(b.options.get("pos_weight", 1.0), np.float64) - 1) * y
    return np.abs((1 - y) * z) + np.abs(w) * np.logaddexp(0, -z)


def _softmax_scale(z: np.ndarray, coeffs: np.ndarray) -> np.ndarray:
    """Σ_k c_k(|logsumexp(z)| + |z_k| + 1): the loss is Σ_k c_k(logsumexp(z) − z_k), a
    difference of these terms, so a float result is accurate to a few ULPs of their size.

    The 1 is for logsumexp(z) = max(z) + log Σ_j e^{z_j − max(z)}: a float log of that sum
    (≥ 1) is off by a few ULPs of 1 even where the loss is 4e-18 (logits [0, −40], label 0).
    """
    z = np.asarray(z, np.float64)
    lse = np.abs(scipy.special.logsumexp(z, axis=-1, keepdims=True))
    with np.errstate(invalid="ignore"):
        terms = coeffs * (lse + np.abs(z) + 1.0)
    return np.sum(np.where(coeffs > 0, terms, 0.0), axis=-1)


def _index_coeffs(b: Batch) -> np.ndarray:
    """w_k·[k = y] per row (zero rows for ignored labels), plus ε/K smoothing if any."""
    z, labels = b.inputs
    k = z.shape[-1]
    safe, ignored = _labels_safe(labels, b.options.get("ignore_index"))
    weight = b.options.get("weight")
    w = np.ones(k) if weight is None else np.asarray(weight, np.float64)
    eps = float(b.options.get("label_smoothing", 0.0))
    t = (1 - eps) * np.eye(k)[safe] + eps / k
    return np.where(ignored[..., None], 0.0, w * t)


def _mp(a: np.ndarray) -> np.ndarray:
    out = np.empty(a.shape, dtype=object)
    out.reshape(-1)[:] = [mpmath.mpf(float(x)) for x in a.reshape(-1)]
    return out


# --- reductions (PyTorch semantics) --------------------------------------------------------


def _reduce(spec: LossSpec, b: Batch, values: np.ndarray) -> object:
    """``values`` reduced as PyTorch reduces them: 'mean' divides by Σ w_{y_n} for weighted
    integer labels, by the element count for KL ('batchmean' divides by the batch size)."""
    how = b.options.get("reduction", "none")
    with mp.workdps(DPS):
        if how == "none":
            return values
        total = mpmath.fsum(values.reshape(-1))
        if how == "sum":
            return total
        if how == "batchmean":
            return total / b.inputs[0].shape[0]
        if how == "mean of examples":  # a diagnosis only: Σ w_y ℓ / N
            return total / values.size
        return total / _mean_denominator(spec, b, values)


def _mean_denominator(spec: LossSpec, b: Batch, values: np.ndarray) -> object:
    if spec.id not in ("ce-loss-one-hot", "label-smoothing"):
        # kl_div's 'mean' averages the N·K pointwise terms: the batchmean trap.
        return b.inputs[0].size if spec.id == "kl-divergence" else values.size
    safe, ignored = _labels_safe(b.inputs[1], b.options.get("ignore_index"))
    weight = b.options.get("weight")
    w = np.ones(b.inputs[0].shape[-1]) if weight is None else np.asarray(weight, np.float64)
    return mpmath.fsum(_mp(w[safe][~ignored]))


def truth(spec: LossSpec, batch: Batch, dps: int | None = None) -> object:
    """The exact expected output of ``batch``: an object array of mpf, or one mpf.

    ``dps`` overrides the reference's digits (for results far below their scale).

    >>> b = Batch((np.array([[1000.0, 0.0, -1000.0]]), np.array([2])))
    >>> print(mpmath.nstr(truth(get_loss("ce-loss-one-hot"), b)[0], 20))
    2000.0
    """
    return _reduce(spec, batch, spec.per_example(batch, dps))


def scale(spec: LossSpec, batch: Batch) -> object:
    """The size errors are measured against (None: the truth itself), reduced like it."""
    if spec.scale is None:
        return None
    return _reduce(spec, batch, spec.scale(batch))


# --- the table ------------------------------------------------------------------------------


def _rescaled_smoothing(b: Batch) -> Batch:
    """ε/(K − 1) on each wrong class is ε' = ε·K/(K − 1) in the ε/K convention."""
    k = b.inputs[0].shape[-1]
    eps = float(b.options.get("label_smoothing", 0.0))
    return replace(b, options={**b.options, "label_smoothing": eps * k / (k - 1)})


def _with_reduction(old: str, new: str) -> Callable[[Batch], Batch | None]:
    def transform(b: Batch) -> Batch | None:
        if b.options.get("reduction") != old:
            return None
        return replace(b, options={**b.options, "reduction": new})

    return transform


def _unweighted_mean(b: Batch) -> Batch | None:
    if b.options.get("reduction") != "mean" or b.options.get("weight") is None:
        return None
    return replace(b, options={**b.options, "reduction": "mean of examples"})


_SMOOTHING_K_MINUS_1 = Alternative(
    "epsilon/(K-1)",
    "match label smoothing with ε/(K−1) on each wrong class (target 1−ε on the label); "
    "PyTorch and Keras put ε/K on every class (1−ε+ε/K on the label)",
    _rescaled_smoothing,
)
_MEAN_NOT_BATCHMEAN = Alternative(
    "batchmean",
    "match reduction='batchmean' (Σ/N); PyTorch's kl_div reduction='mean' divides by N·K",
    _with_reduction("mean", "batchmean"),
)
_BATCHMEAN_NOT_MEAN = Alternative(
    "mean over N·K",
    "match reduction='mean' (Σ/(N·K)), which is KL/K; the KL divergence is 'batchmean'",
    _with_reduction("batchmean", "mean"),
)
_PLAIN_MEAN = Alternative(
    "plain mean",
    "match Σ w_y ℓ / N; PyTorch's weighted 'mean' divides by Σ_n w_{y_n}",
    _unweighted_mean,
)

_SOFTMAX_NOTE = (
    "the loss is Σ_k c_k(logsumexp(z) − z_k), a difference; the default verdict is on "
    "ULPs of Σ_k c_k(|logsumexp(z)| + |z_k| + 1) (the size of what cancels), the accuracy "
    "logsumexp(z) − z_y delivers; tiny losses of confident, correct predictions can then "
    "be far off in ULPs of the loss itself (the 'output' columns; --strict judges those)"
)

LOSSES: dict[str, LossSpec] = {
    s.id: s
    for s in (
        LossSpec(
            "ce-loss-one-hot",
            "softmax cross-entropy, integer labels",
            "ce-loss-one-hot",
            ("logits", "labels"),
            ("weight", "ignore_index", "reduction"),
            _ce_index,
            scale=lambda b: _softmax_scale(b.inputs[0], _index_coeffs(b)),
            alternatives=(_PLAIN_MEAN,),
            note=_SOFTMAX_NOTE,
        ),
        LossSpec(
            "ce-probability-targets",
            "softmax cross-entropy, probability targets",
            "kl-ce-categorical",
            ("logits", "probs"),
            ("reduction",),
            lambda b, dps=None: _ref("ce-probability-targets").mp(*b.inputs, dps=dps),
            scale=lambda b: _softmax_scale(*b.inputs),
            note=_SOFTMAX_NOTE,
        ),
        LossSpec(
            "label-smoothing",
            "softmax cross-entropy with label smoothing ε/K (and class weights)",
            "label-smoothing",
            ("logits", "labels"),
            ("label_smoothing", "weight", "reduction"),
            _smoothing,
            scale=lambda b: _softmax_scale(b.inputs[0], _index_coeffs(b)),
            alternatives=(_SMOOTHING_K_MINUS_1,),
            note=_SOFTMAX_NOTE,
        ),
        LossSpec(
            "bce-logits",
            "binary cross-entropy with logits (pos_weight)",
            "bce-logits",
            ("logits", "targets"),
            ("pos_weight", "reduction"),
            _bce_logits,
            elementwise=True,
            scale=_bce_scale,
            note="BCE with logits is (1 − y)z + w'·softplus(−z), a difference for z < 0; the "
            "default verdict is on ULPs of |(1 − y)z| + w'·softplus(−z), --strict on ULPs of "
            "the loss itself",
        ),
        LossSpec(
            "bce-probabilities",
            "binary cross-entropy on probabilities",
            "kl-ce-bernoulli",
            ("probs", "targets"),
            ("reduction",),
            lambda b, dps=None: _ref("bce-probabilities").mp(*b.inputs, dps=dps),
            elementwise=True,
            dps=BCE_DPS,
        ),
        LossSpec(
            "kl-divergence",
            "KL(p‖q), PyTorch kl_div order: input log q, target p",
            "kl-ce-categorical",
            ("log_q", "p"),
            ("reduction",),
            lambda b, dps=None: _ref("kl-divergence").mp(*b.inputs, dps=dps),
            scale=_kl_scale,
            alternatives=(_MEAN_NOT_BATCHMEAN, _BATCHMEAN_NOT_MEAN),
            note="KL sums terms of both signs; the default verdict is on ULPs of "
            "Σ p_k(|log p_k| + |log q_k|), the size of what cancels (--strict: ULPs of the "
            "KL itself, which no termwise sum delivers for q ≈ p); reduction='mean' is "
            "PyTorch's Σ/(N·K), i.e. KL/K, and 'batchmean' (Σ/N) is the mean KL",
        ),
        LossSpec(
            "entropy",
            "entropy H(p) of probability vectors",
            "kl-ce-categorical",
            ("p",),
            (),
            lambda b, dps=None: _ref("entropy").mp(*b.inputs, dps=dps),
        ),
    )
}


def get_loss(loss_id: str) -> LossSpec:
    """The spec of ``loss_id``, or ``InvalidInput`` naming the known ones.

    >>> get_loss("bce-logits").elementwise
    True
    """
    try:
        return LOSSES[loss_id]
    except KeyError:
        raise InvalidInput(f"unknown loss {loss_id!r}; choose one of {', '.join(LOSSES)}") from None
