"""The law of large numbers for a die: the empirical PMF of simulated rolls converges to q.

Source 000 defines the empirical PMF p(k) = (1/N) Σₙ [Xₙ = k] of IID rolls X₁…X_N ~
Categorical(q) and notes that p(k) → q(k) almost surely. These functions simulate it with a
NumPy ``Generator`` seeded explicitly, so every run (and every plot in the docs) is the same.
Classes are 0-based here, as everywhere in symxent's numeric code.

>>> p = empirical_pmf([0.5, 0.25, 0.25], 8, seed=1)
>>> p.shape, float(p.sum())
((3,), 1.0)
>>> path = empirical_pmf_path([0.5, 0.5], [10, 100, 10_000], seed=0)
>>> path.shape
(3, 2)
>>> bool(abs(path[-1, 0] - 0.5) < 0.02)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from .errors import InvalidInput
from .models import FLOAT_SUM_TOLERANCE

__all__ = ["empirical_pmf", "empirical_pmf_path", "sup_distance"]


def _probabilities(q: Sequence[float] | np.ndarray) -> np.ndarray:
    """``q`` as a float vector on the simplex, or ``InvalidInput`` saying what is wrong."""
    try:
        arr = np.asarray(q, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"q must be a sequence of probabilities, got {q!r}") from exc
    if arr.ndim != 1 or arr.size == 0:
        raise InvalidInput(
            f"q must be a non-empty 1-D vector of probabilities, got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise InvalidInput("q contains NaN or infinity; every entry must be a number in [0, 1]")
    if np.any(arr < 0):
        raise InvalidInput(f"q has a negative entry ({arr.min():g}); probabilities lie in [0, 1]")
    if abs(arr.sum() - 1) > FLOAT_SUM_TOLERANCE:
        raise InvalidInput(
            f"q sums to {arr.sum():.12g}, not 1 (checked to within {FLOAT_SUM_TOLERANCE:g})"
        )
    return arr / arr.sum()  # remove the rounding slack so the generator accepts it


def _count(n: object, what: str) -> int:
    """A positive integer number of rolls, or ``InvalidInput``."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise InvalidInput(f"{what} must be a positive integer, got {n!r}")
    return int(n)


def empirical_pmf(q: Sequence[float] | np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """The empirical PMF of ``n`` simulated rolls of a die with face probabilities ``q``.

    Args:
        q: face probabilities (non-negative, summing to 1).
        n: number of rolls N.
        seed: seed of the NumPy generator.

    Returns:
        ``counts / n``, a vector of the same length as ``q``.

    >>> empirical_pmf([1.0, 0.0], 5).tolist()
    [1.0, 0.0]
    """
    return empirical_pmf_path(q, [n], seed=seed)[0]


def empirical_pmf_path(
    q: Sequence[float] | np.ndarray, sizes: Sequence[int], seed: int = 0
) -> np.ndarray:
    """The empirical PMF after the first N rolls of one long run, for each N in ``sizes``.

    One sample path: the rolls for a larger N extend those for a smaller one, which is the
    sequence whose almost-sure convergence the law of large numbers asserts.

    Args:
        q: face probabilities (non-negative, summing to 1).
        sizes: increasing positive numbers of rolls.
        seed: seed of the NumPy generator.

    Returns:
        An array of shape ``(len(sizes), len(q))``; row i is the PMF after ``sizes[i]`` rolls.
    """
    probs = _probabilities(q)
    ns = [_count(n, "every N in sizes") for n in sizes]
    if not ns:
        raise InvalidInput("sizes is empty; give at least one number of rolls")
    if any(b <= a for a, b in pairwise(ns)):
        raise InvalidInput(f"sizes must be strictly increasing, got {ns}")
    rolls = np.random.default_rng(seed).choice(probs.size, size=ns[-1], p=probs)
    # Count each stretch of rolls once and accumulate: memory O(N + K), not O(N K).
    counts = np.zeros(probs.size, dtype=np.int64)
    rows, start = [], 0
    for n in ns:
        counts += np.bincount(rolls[start:n], minlength=probs.size)
        rows.append(counts / n)
        start = n
    return np.array(rows)


def sup_distance(path: np.ndarray, q: Sequence[float] | np.ndarray) -> np.ndarray:
    """max_k |p_N(k) − q(k)| for each row of ``path``: how far the estimate still is from q."""
    probs = _probabilities(q)
    path = np.asarray(path, dtype=float)
    if path.ndim != 2 or path.shape[1] != probs.size:
        raise InvalidInput(f"path must have shape (m, {probs.size}), got {path.shape}")
    return np.max(np.abs(path - probs), axis=1)
