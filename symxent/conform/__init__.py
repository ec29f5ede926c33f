"""Check any loss implementation against the verified reference, to the last ULP.

``conform(target, loss)`` runs the random and adversarial case families of ``loss``
(:mod:`symxent.conform.suites`) through ``target`` (a built-in adapter name, a
``module:function`` string or a callable, see :mod:`symxent.conform.adapters` for the
calling convention) and compares every output with the catalogue derivation's formula
evaluated at 50 digits (:mod:`symxent.conform.specs`). The :class:`Report` says, per
family, the max and median error in ULPs, the non-finite outputs where the truth is
finite, the worst input and the verdict against the tolerance.

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
from .runner import run_family
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
    results = [
        run_family(chosen, spec, family, DTYPES[dtype], tolerance)
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
    )
