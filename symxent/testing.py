"""One-line conformance checks for your own pytest suite.

``assert_conforms(fn, loss=ID)`` runs the case families of ``symxent conform`` through
``fn`` and raises ``AssertionError`` carrying the whole report table when any family
fails. ``fn`` follows the calling convention of :mod:`symxent.conform.adapters`: NumPy
arrays in, classes on the last axis, 0-based integer labels, one value per example.

>>> import numpy as np, scipy.special
>>> def my_entropy(p):
...     return np.sum(scipy.special.entr(p), axis=-1)
>>> assert_conforms(my_entropy, loss="entropy", points=10).ok
True
"""

from __future__ import annotations

from collections.abc import Callable

from symxent.conform import Report, conform

__all__ = ["assert_conforms"]


def assert_conforms(
    fn: Callable[..., object] | str,
    loss: str,
    *,
    dtype: str = "float64",
    points: int = 50,
    seed: int = 0,
    tolerance: float = 4.0,
    strict: bool = False,
) -> Report:
    """Assert that ``fn`` computes ``loss`` to within ``tolerance`` ULPs on every family.

    Args:
        fn: your implementation (or a target name such as ``"torch"``, or
            ``"module:function"``).
        loss: a loss ID of ``symxent.conform.LOSSES``, e.g. ``"label-smoothing"``.
        dtype: ``"float64"`` or ``"float32"``.
        points: examples per case family; the default keeps a test under a few seconds.
        seed: fixes the inputs, so a failure reproduces.
        tolerance: admissible error in ULPs (of the cancelling scale for softmax
            cross-entropy, BCE with logits and KL, unless ``strict``).
        strict: judge every loss in ULPs of its output, so tiny losses of confident,
            correct predictions must be accurate too (see :mod:`symxent.conform`).

    Returns:
        The :class:`~symxent.conform.Report` (for further assertions).

    Raises:
        AssertionError: some family failed; the message is the report table, naming the
            families, the worst input and any known convention the outputs match.
        symxent.InvalidInput: an unknown loss or dtype, or a bad target string.

    >>> import numpy as np
    >>> def naive(logits, labels):
    ...     e = np.exp(logits)
    ...     q = e / e.sum(axis=-1, keepdims=True)
    ...     return -np.log(np.take_along_axis(q, labels[..., None], axis=-1)[..., 0])
    >>> with np.errstate(all="ignore"):
    ...     assert_conforms(naive, loss="ce-loss-one-hot", points=10)
    Traceback (most recent call last):
    ...
    AssertionError: naive does not conform to ce-loss-one-hot:...
    """
    report = conform(
        fn, loss, dtype=dtype, points=points, seed=seed, tolerance=tolerance, strict=strict
    )
    if not report.ok:
        raise AssertionError(f"{report.target} does not conform to {loss}:\n{report.table()}")
    return report
