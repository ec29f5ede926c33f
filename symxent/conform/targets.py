"""What a conformance target is: a callable, its name, and its documented differences.

A :class:`Difference` marks outputs where a framework follows another convention on
purpose (PyTorch's NaN for 0·log 0 at a masked class, Keras' clipping, PyTorch's log
clamp at −100); :mod:`symxent.conform.runner` reports them as notes, not failures.

>>> Target("mine", abs).differences
()
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from symxent.errors import InvalidInput

from .specs import Batch

__all__ = [
    "KERAS_CLIP",
    "NAN_MASKED_CE",
    "NAN_MASKED_KL",
    "TORCH_CLAMP",
    "Difference",
    "Target",
    "optional",
    "quiet",
]


@dataclass(frozen=True)
class Difference:
    """A documented semantic difference: where it applies, outputs are a note, not a failure.

    ``where(batch)`` marks the outputs concerned (the shape of the output, or a scalar).
    """

    note: str
    where: Callable[[Batch], np.ndarray]


@dataclass(frozen=True)
class Target:
    """A callable under test with the documented calling convention."""

    name: str
    fn: Callable[..., object]
    differences: tuple[Difference, ...] = ()


def _rows_any(mask: Callable[[Batch], np.ndarray]) -> Callable[[Batch], np.ndarray]:
    """Per-example mask from an elementwise one; a reduced batch is marked if any row is."""

    def where(b: Batch) -> np.ndarray:
        rows = mask(b).any(axis=-1)
        return rows if b.options.get("reduction", "none") == "none" else rows.any()

    return where


NAN_MASKED_CE = Difference(
    "the target gives NaN for 0·log 0 when a logit is −inf and its target probability is 0 "
    "(a masked class), as PyTorch does; symxent's convention is 0·log 0 = 0",
    _rows_any(lambda b: np.isneginf(b.inputs[0]) & (b.inputs[1] == 0)),
)
NAN_MASKED_KL = Difference(
    "the target gives NaN where p is 0 and the input log q is −inf, as PyTorch kl_div "
    "does; the convention 0·log(0/0) = 0 gives 0",
    _rows_any(lambda b: np.isneginf(b.inputs[0]) & (b.inputs[1] == 0)),
)


def _clamped_log(floor: float, note: str) -> Difference:
    def where(b: Batch) -> np.ndarray:
        q, y = (np.asarray(a, np.float64) for a in b.inputs)
        with np.errstate(divide="ignore"):
            low = ((y > 0) & (np.log(q) < floor)) | ((y < 1) & (np.log1p(-q) < floor))
        return low if b.options.get("reduction", "none") == "none" else low.any()

    return Difference(note, where)


TORCH_CLAMP = _clamped_log(
    -100.0, "PyTorch binary_cross_entropy clamps log(q) and log(1 − q) at −100"
)
KERAS_CLIP = _clamped_log(
    float(np.log(1e-7)), "Keras clips probabilities to [1e-7, 1 − 1e-7] before the log"
)


def quiet(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """``fn`` without NumPy's floating-point warnings: the report counts non-finite values."""

    def call(*args: object, **kw: object) -> np.ndarray:
        with np.errstate(all="ignore"):
            return fn(*args, **kw)

    call.__signature__ = inspect.signature(fn)
    call.__doc__ = fn.__doc__
    return call


def optional(module: str, how: str) -> object:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise InvalidInput(
            f"target {module!r} needs {module}, which is not installed ({how})"
        ) from None
