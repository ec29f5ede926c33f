"""Targets for ``symxent conform``: built-in adapters and ``module:function`` user code.

**Calling convention** (every target, built-in or yours): NumPy arrays in, an array-like
out. Float inputs have the requested dtype, classes lie on the **last axis**, labels are
**0-based** int64 arrays. The positional arguments per loss:

=======================  ======================  ==============================================
loss                     call                    returns
=======================  ======================  ==============================================
ce-loss-one-hot          ``fn(logits, labels)``  per example, shape ``logits.shape[:-1]``
ce-probability-targets   ``fn(logits, probs)``   per example
label-smoothing          ``fn(logits, labels)``  per example
bce-logits               ``fn(logits, targets)`` per element, shape ``logits.shape``
bce-probabilities        ``fn(probs, targets)``  per element
kl-divergence            ``fn(log_q, p)``        per example: Σ_k p_k (log p_k − log q_k)
entropy                  ``fn(p)``               per example
=======================  ======================  ==============================================

Options are passed as keywords, with PyTorch's names and meaning, only to a function
that declares them (otherwise the families that need them are reported as not run):
``weight`` (class weights, shape (K,)), ``ignore_index`` (an int; the ignored examples'
loss is 0), ``label_smoothing`` (ε, spread as ε/K), ``pos_weight`` (shape (C,)), and
``reduction`` ('none', 'mean', 'sum', and for kl-divergence 'batchmean').

>>> target = resolve("numpy-naive", "entropy")
>>> float(target.fn(np.array([0.5, 0.5])))
0.6931471805599453
"""

from __future__ import annotations

import importlib
import inspect
import re
import warnings
from collections.abc import Callable

import numpy as np
import scipy.special

from symxent.errors import InvalidInput

from .jax_adapter import jax_targets
from .specs import IGNORE_INDEX
from .targets import (
    KERAS_CLIP,
    NAN_MASKED_CE,
    NAN_MASKED_KL,
    TORCH_CLAMP,
    Difference,
    Target,
    optional,
    quiet,
)

__all__ = ["BUILTINS", "Difference", "Target", "resolve"]


# --- PyTorch (the functions take NumPy arrays and return NumPy arrays) ----------------------


def _tensor(a: object) -> object:
    import torch

    return None if a is None else torch.as_tensor(np.asarray(a))


def _torch_call(fn: Callable[..., object]) -> Callable[..., np.ndarray]:
    """``fn`` on tensors made from its NumPy arguments, its result back as NumPy."""

    def call(*args: object, **kw: object) -> np.ndarray:
        import torch

        with torch.no_grad():
            return fn(*(_tensor(a) for a in args), **kw).numpy()

    call.__signature__ = inspect.signature(fn)
    return call


def _functional() -> object:
    import torch.nn.functional

    return torch.nn.functional


def _torch_ce(logits, labels, weight=None, ignore_index=IGNORE_INDEX, reduction="none"):
    return _functional().cross_entropy(
        logits, labels, weight=_tensor(weight), ignore_index=ignore_index, reduction=reduction
    )


def _torch_ce_probs(logits, probs, reduction="none"):
    return _functional().cross_entropy(logits, probs, reduction=reduction)


def _torch_smoothing(logits, labels, label_smoothing=0.0, weight=None, reduction="none"):
    return _functional().cross_entropy(
        logits, labels, weight=_tensor(weight), label_smoothing=label_smoothing, reduction=reduction
    )


def _torch_bce_logits(logits, targets, pos_weight=None, reduction="none"):
    return _functional().binary_cross_entropy_with_logits(
        logits, targets, pos_weight=_tensor(pos_weight), reduction=reduction
    )


def _torch_bce(probs, targets, reduction="none"):
    return _functional().binary_cross_entropy(probs, targets, reduction=reduction)


def _torch_kl(log_q, p, reduction="none"):
    if reduction == "none":  # kl_div's 'none' is pointwise; the KL of a row is its sum
        return _functional().kl_div(log_q, p, reduction="none").sum(-1)
    with warnings.catch_warnings():  # 'mean' warns about the trap the suites test for
        warnings.simplefilter("ignore", UserWarning)
        return _functional().kl_div(log_q, p, reduction=reduction)


def _torch_entropy(p):
    import torch

    return torch.special.entr(p).sum(-1)


def _torch() -> dict[str, Target]:
    optional("torch", "pip install torch")
    ce, bce = "torch.nn.functional.cross_entropy", "torch.nn.functional.binary_cross_entropy"
    return {
        "ce-loss-one-hot": Target(ce, _torch_call(_torch_ce)),
        "ce-probability-targets": Target(ce, _torch_call(_torch_ce_probs), (NAN_MASKED_CE,)),
        "label-smoothing": Target(ce, _torch_call(_torch_smoothing)),
        "bce-logits": Target(f"{bce}_with_logits", _torch_call(_torch_bce_logits)),
        "bce-probabilities": Target(bce, _torch_call(_torch_bce), (TORCH_CLAMP,)),
        "kl-divergence": Target(
            "torch.nn.functional.kl_div", _torch_call(_torch_kl), (NAN_MASKED_KL,)
        ),
        "entropy": Target("torch.special.entr", _torch_call(_torch_entropy)),
    }


# --- SciPy ----------------------------------------------------------------------------------


def _sp_ce(logits, labels):
    picked = np.take_along_axis(logits, labels[..., None], axis=-1)[..., 0]
    return scipy.special.logsumexp(logits, axis=-1) - picked


def _sp_ce_probs(logits, probs):
    return -np.sum(probs * scipy.special.log_softmax(logits, axis=-1), axis=-1)


def _sp_bce_logits(logits, targets, pos_weight=1.0):
    log_expit = scipy.special.log_expit
    return -(pos_weight * targets * log_expit(logits) + (1 - targets) * log_expit(-logits))


def _sp_bce(probs, targets):
    return -(scipy.special.xlogy(targets, probs) + scipy.special.xlog1py(1 - targets, -probs))


def _sp_kl(log_q, p):
    return np.sum(scipy.special.rel_entr(p, np.exp(log_q)), axis=-1)


def _sp_entropy(p):
    return np.sum(scipy.special.entr(p), axis=-1)


def _scipy() -> dict[str, Target]:
    named = {
        "ce-loss-one-hot": ("scipy.special.logsumexp", _sp_ce),
        "ce-probability-targets": ("scipy.special.log_softmax", _sp_ce_probs),
        "bce-logits": ("scipy.special.log_expit", _sp_bce_logits),
        "bce-probabilities": ("scipy.special.xlogy/xlog1py", _sp_bce),
        "kl-divergence": ("scipy.special.rel_entr", _sp_kl),
        "entropy": ("scipy.special.entr", _sp_entropy),
    }
    return {loss: Target(name, quiet(fn)) for loss, (name, fn) in named.items()}


# --- textbook NumPy: the formulas as printed, no stabilisation ------------------------------


def _naive_softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits)
    return e / e.sum(axis=-1, keepdims=True)


def _naive_ce(logits, labels):
    q = _naive_softmax(logits)
    return -np.log(np.take_along_axis(q, labels[..., None], axis=-1)[..., 0])


def _naive_ce_probs(logits, probs):
    return -np.sum(probs * np.log(_naive_softmax(logits)), axis=-1)


def _naive_smoothing(logits, labels, label_smoothing=0.0):
    k = logits.shape[-1]
    t = (1 - label_smoothing) * np.eye(k, dtype=logits.dtype)[labels] + label_smoothing / k
    return -np.sum(t * np.log(_naive_softmax(logits)), axis=-1)


def _naive_bce_logits(logits, targets, pos_weight=1.0):
    s = 1 / (1 + np.exp(-logits))
    return -(pos_weight * targets * np.log(s) + (1 - targets) * np.log(1 - s))


def _naive_bce(probs, targets):
    return -(targets * np.log(probs) + (1 - targets) * np.log(1 - probs))


def _naive_kl(log_q, p):
    return np.sum(p * (np.log(p) - log_q), axis=-1)


def _naive_entropy(p):
    return -np.sum(p * np.log(p), axis=-1)


_NAIVE = {
    "ce-loss-one-hot": _naive_ce,
    "ce-probability-targets": _naive_ce_probs,
    "label-smoothing": _naive_smoothing,
    "bce-logits": _naive_bce_logits,
    "bce-probabilities": _naive_bce,
    "kl-divergence": _naive_kl,
    "entropy": _naive_entropy,
}


def _numpy_naive() -> dict[str, Target]:
    return {loss: Target(f"numpy-naive {loss}", quiet(fn)) for loss, fn in _NAIVE.items()}


# --- Keras (only if installed) --------------------------------------------------------------


def _keras() -> dict[str, Target]:
    keras = optional("keras", "pip install keras")
    losses = keras.losses

    def ce(logits, labels):
        return np.asarray(losses.sparse_categorical_crossentropy(labels, logits, from_logits=True))

    def ce_probs(logits, probs):
        return np.asarray(losses.categorical_crossentropy(probs, logits, from_logits=True))

    def bce(probs, targets):
        # Keras averages over the last axis: one probability per row keeps it elementwise.
        return np.asarray(losses.binary_crossentropy(targets[..., None], probs[..., None]))

    return {
        "ce-loss-one-hot": Target("keras.losses.sparse_categorical_crossentropy", ce),
        "ce-probability-targets": Target("keras.losses.categorical_crossentropy", ce_probs),
        "bce-probabilities": Target("keras.losses.binary_crossentropy", bce, (KERAS_CLIP,)),
    }


# --- symxent's own compiled losses (symxent.losses) -----------------------------------------


def _sx_ce(logits, labels, weight=None, ignore_index=IGNORE_INDEX, reduction="none"):
    from symxent import losses  # late: symxent.losses loads the catalogue

    return losses.softmax_cross_entropy(
        logits, labels, weight=weight, ignore_index=ignore_index, reduction=reduction
    )


def _sx_ce_probs(logits, probs, reduction="none"):
    from symxent import losses

    return losses.softmax_cross_entropy(logits, p=probs, reduction=reduction)


def _sx_smoothing(logits, labels, label_smoothing=0.0, weight=None, reduction="none"):
    from symxent import losses

    return losses.softmax_cross_entropy(
        logits, labels, weight=weight, label_smoothing=label_smoothing, reduction=reduction
    )


def _sx_bce_logits(logits, targets, pos_weight=None, reduction="none"):
    from symxent import losses

    return losses.bce_with_logits(logits, targets, pos_weight, reduction=reduction)


def _symxent() -> dict[str, Target]:
    ce, bce = "symxent.losses.softmax_cross_entropy", "symxent.losses.bce_with_logits"
    return {
        "ce-loss-one-hot": Target(ce, _sx_ce),
        "ce-probability-targets": Target(ce, _sx_ce_probs),
        "label-smoothing": Target(ce, _sx_smoothing),
        "bce-logits": Target(bce, _sx_bce_logits),
    }


BUILTINS: dict[str, Callable[[], dict[str, Target]]] = {
    "torch": _torch,
    "scipy": _scipy,
    "numpy-naive": _numpy_naive,
    "symxent": _symxent,
    "jax": jax_targets,
    "keras": _keras,
}


_TARGET = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*")


def resolve(target: str, loss_id: str) -> Target:
    """The callable ``target`` names for ``loss_id``: a built-in adapter or ``module:function``.

    Raises:
        InvalidInput: an unknown or malformed target, a module that does not import, or
            a built-in adapter without this loss.

    >>> resolve("scipy", "entropy").name
    'scipy.special.entr'
    """
    if target in BUILTINS:
        table = BUILTINS[target]()
        if loss_id not in table:
            raise InvalidInput(f"target {target!r} has no {loss_id}; it covers {', '.join(table)}")
        return table[loss_id]
    if ":" not in target:
        raise InvalidInput(
            f"unknown target {target!r}; use one of {', '.join(BUILTINS)} or module:function"
        )
    return Target(target, _user_function(target))


def _user_function(target: str) -> Callable[..., object]:
    if not _TARGET.fullmatch(target):
        raise InvalidInput(
            f"target {target!r} is not of the form module.path:function (dotted identifiers)"
        )
    module_name, attr = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InvalidInput(f"cannot import {module_name!r} for target {target!r}: {exc}") from None
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise InvalidInput(f"{module_name!r} has no function {attr!r} (target {target!r})")
    return fn
