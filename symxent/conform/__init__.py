"""Check any loss implementation against the verified reference, to the last ULP.

``conform(target, loss)`` runs the random and adversarial case families of ``loss``
(:mod:`symxent.conform.suites`) through ``target`` (a built-in adapter name, a
``module:function`` string or a callable, see :mod:`symxent.conform.adapters` for the
calling convention) and compares every output with the catalogue derivation's formula
evaluated at 50 digits (:mod:`symxent.conform.specs`). The :class:`Report` says, per
family, the max and median error in ULPs, the non-finite outputs where the truth is
finite, the worst input and the verdict against the tolerance.

**Error measures** (:mod:`symxent.conform.report`). Every row shows the error in ULPs of
the output, the loss itself. For losses that are a difference of larger terms (softmax
cross-entropy, BCE with logits, KL) the verdict is by default on the error in ULPs of
that *cancelling scale*, e.g. Σ_k c_k(|logsumexp(z)| + |z_k| + 1): the accuracy that the
standard algorithm logsumexp(z) − z_y delivers. A confident, correct prediction (logits
[0, −40], label 0: loss 4.2e-18) comes out of PyTorch as −0, which is 1e16 ULPs of the
loss but 0 ULPs of the scale 1. ``strict=True`` judges the ULPs of the output instead;
then PyTorch and textbook NumPy fail the "confident & correct (tiny loss)" family, and
``symxent.losses.softmax_cross_entropy``, which computes log1p of the other classes'
mass, passes it. The report's ``error_measure`` names the basis.

>>> report = conform("scipy", "entropy", points=10)
>>> report.ok, [r.verdict for r in report.results]
(True, ['pass', 'pass', 'pass', 'pass'])
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from symxent.errors import InvalidInput

from .adapters import BUILTINS, Difference, Target, resolve
from .report import FamilyResult, Report
from .runner import Judging, error_measure, run_family
from .specs import LOSSES, get_loss
from .suites import families

__all__ = [
    "BUILTINS",
    "LOSSES",
    "Difference",
    "FamilyResult",
    "Report",
    "Target",
    "conform",
]

DTYPES = {"float32": np.dtype(np.float32), "float64": np.dtype(np.float64)}


def _target(target: str | Callable[..., object] | Target, loss_id: str) -> Target:
    if isinstance(target, Target):
        return target
    if callable(target):
        return Target(getattr(target, "__qualname__", repr(target)), target)
    if isinstance(target, str):
        return resolve(target, loss_id)
    raise InvalidInput(f"a target is a name, module:function or callable, got {target!r}")


def conform(
    target: str | Callable[..., object] | Target,
    loss: str,
    *,
    dtype: str = "float64",
    points: int = 200,
    seed: int = 0,
    tolerance: float = 4.0,
    strict: bool = False,
) -> Report:
    """Run ``loss``'s case families through ``target`` and judge them in ULPs.

    Args:
        target: ``"torch"``, ``"scipy"``, ``"numpy-naive"``, ``"keras"`` (if installed),
            ``"module:function"``, or a callable with the documented calling convention.
        loss: a loss ID of :data:`LOSSES` (e.g. ``"ce-loss-one-hot"``).
        dtype: ``"float64"`` or ``"float32"``; the reference is rounded to it.
        points: examples per case family (at least 1).
        seed: fixes every family's inputs.
        tolerance: the largest admissible error in ULPs.
        strict: judge the error in ULPs of the output (the loss itself), also for losses
            that are by default judged in ULPs of their cancelling scale.

    Returns:
        A :class:`Report`; ``report.ok`` is the verdict, ``report.table()`` the text.

    >>> conform("numpy-naive", "ce-loss-one-hot", points=10).ok
    False
    """
    spec = get_loss(loss)
    if dtype not in DTYPES:
        raise InvalidInput(f"dtype {dtype!r} is not one of {', '.join(DTYPES)}")
    if points < 1 or tolerance < 0:
        raise InvalidInput(f"points must be >= 1 and tolerance >= 0, got {points}, {tolerance}")
    chosen = _target(target, spec.id)
    how = Judging(DTYPES[dtype], tolerance, strict)
    results = [
        run_family(chosen, spec, family, how)
        for family in families(spec.id, points=points, seed=seed)
    ]
    notes = [spec.note] if spec.note else []
    return Report(
        chosen.name,
        spec.id,
        spec.title,
        f"{spec.derivation} at {spec.dps} digits",
        dtype,
        tolerance,
        results,
        notes,
        error_measure(spec, strict),
    )
