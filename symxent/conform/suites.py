"""Case families for ``symxent conform``: random and adversarial inputs, reproducible by seed.

A family is a named list of :class:`~symxent.conform.specs.Batch` objects (one target call
each). Generators are deterministic NumPy code seeded from ``(seed, loss, family)``, so a
family's inputs do not change when another family is added. The adversarial families
follow the traps of the numeric layer: huge logits that overflow a naive ``exp``, ``−inf``
logits of masked classes, zeros in probability vectors, tiny losses of confident models.
The "confident & correct (tiny loss)" families hold losses 17 to 60 orders of magnitude
below the logits, where ULPs of the loss and ULPs of the cancelling scale part ways (see
:mod:`symxent.conform.report`).

These are NumPy generators, not the Hypothesis strategies of :mod:`symxent.strategies`:
a CLI run must give the same inputs for the same ``--seed`` every time, and Hypothesis
draws depend on its example database and shrinking.

>>> fams = families("ce-loss-one-hot", points=20, seed=0)
>>> [f.name for f in fams][:4]
['random', 'confident', 'confident & correct (tiny loss)', 'huge logits (overflow)']
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.special

from .specs import IGNORE_INDEX, Batch

__all__ = ["TINY", "Family", "families"]

_KS = (2, 3, 5, 10, 32)
TINY = "confident & correct (tiny loss)"
_REDUCTION_ROWS = 8
Generator = Callable[[np.random.Generator, int], list[Batch]]


@dataclass(frozen=True)
class Family:
    """A named set of batches, all testing one kind of input."""

    name: str
    batches: tuple[Batch, ...]


def _per_k(points: int, make: Callable[[int, int], Batch | list[Batch]]) -> list[Batch]:
    """``points`` rows spread over the class counts in ``_KS``: make(rows, K) per count."""
    out: list[Batch] = []
    for i, k in enumerate(_KS):
        rows = points // len(_KS) + (i < points % len(_KS))
        if rows:
            made = make(rows, k)
            out.extend(made if isinstance(made, list) else [made])
    return out


def _logits(rng: np.random.Generator, rows: int, k: int, scale: float = 3.0) -> np.ndarray:
    return rng.normal(0.0, scale, (rows, k))


def _huge(rng: np.random.Generator, rows: int, k: int) -> np.ndarray:
    """Half the rows near ±1e2..1e4 (all classes), half spread over [−1e4, 1e4]."""
    offset = rng.choice([-1e4, -1e3, 1e2, 1e3, 1e4], (rows, 1))
    shifted = offset + _logits(rng, rows, k)
    spread = rng.uniform(-1e4, 1e4, (rows, k))
    return np.where(np.arange(rows)[:, None] % 2 == 0, shifted, spread)


def _labels(rng: np.random.Generator, rows: int, k: int) -> np.ndarray:
    return rng.integers(0, k, rows)


def _confident(rng: np.random.Generator, rows: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The label's logit 5..40 above all others: losses from 1e-2 down to 1e-17."""
    z, y = _logits(rng, rows, k, 1.0), _labels(rng, rows, k)
    z[np.arange(rows), y] = z.max(axis=-1) + rng.uniform(5, 40, rows)
    return z, y


def _tiny_loss(rng: np.random.Generator, rows: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The label's logit 17..60 above all others: losses from 4e-8 down to 1e-26, below what
    logsumexp(z) − z_y resolves in float32 (past 17) and float64 (past 37). 60 keeps the
    loss within 30 digits of the logits, so the 50-digit reference resolves it too.
    With K = 2 the first row is logits [0, −40], label 0 (loss 4.2e-18)."""
    z, y = _logits(rng, rows, k, 1.0), _labels(rng, rows, k)
    z[np.arange(rows), y] = z.max(axis=-1) + rng.uniform(17, 60, rows)
    if k == 2:
        z[0], y[0] = (0.0, -40.0), 0
    return z, y


def _masked(rng: np.random.Generator, rows: int, k: int, keep: np.ndarray) -> np.ndarray:
    """Random logits with −inf on about half of the classes not marked in ``keep``."""
    z = _logits(rng, rows, k)
    off = (rng.random((rows, k)) < 0.5) & ~keep
    z[off] = -np.inf
    return z


def _simplex(rng: np.random.Generator, rows: int, k: int, zeros: float = 0.0) -> np.ndarray:
    """Dirichlet(1) points with about a fraction ``zeros`` of exact zeros per row."""
    p = rng.gamma(1.0, 1.0, (rows, k))
    p[rng.random((rows, k)) < zeros] = 0.0
    p[np.arange(rows), rng.integers(0, k, rows)] += 1e-3  # never an all-zero row
    return p / p.sum(axis=-1, keepdims=True)


def _one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    return np.eye(k)[labels]


def _reduced(rng: np.random.Generator, points: int, make: Callable[..., Batch]) -> list[Batch]:
    """Batches of a few rows (one scalar output each), at least four of them."""
    count = max(points // _REDUCTION_ROWS, 4)
    return [make(_REDUCTION_ROWS, int(rng.choice(_KS[:4]))) for _ in range(count)]


def _spread(
    rng: np.random.Generator, points: int, name: str, make: Callable[..., Batch]
) -> list[Batch]:
    """A ``reduction=…`` family gets batches of a few rows; any other, rows per class count."""
    return _reduced(rng, points, make) if name.startswith("reduction") else _per_k(points, make)


def _weights(rng: np.random.Generator, k: int) -> np.ndarray:
    return rng.uniform(0.2, 3.0, k)


# --- softmax cross-entropy, integer labels --------------------------------------------------


def _ce_index(name: str) -> Generator:
    def gen(rng: np.random.Generator, points: int) -> list[Batch]:
        def make(rows: int, k: int) -> Batch:
            y = _labels(rng, rows, k)
            if name == "confident":
                return Batch(_confident(rng, rows, k))
            if name == TINY:
                return Batch(_tiny_loss(rng, rows, k))
            if name == "huge logits (overflow)":
                return Batch((_huge(rng, rows, k), y))
            if name == "masked classes (-inf)":
                return Batch((_masked(rng, rows, k, _one_hot(y, k) > 0), y))
            if name == "class weights":
                return Batch((_logits(rng, rows, k), y), {"weight": _weights(rng, k)})
            if name == "ignore_index":
                y = np.where(rng.random(rows) < 0.3, IGNORE_INDEX, y)
                return Batch((_logits(rng, rows, k), y), {"ignore_index": IGNORE_INDEX})
            return Batch((_logits(rng, rows, k), y))

        if name.startswith("reduction"):
            return _reduced(rng, points, _ce_reduced(rng, name.split("=")[1]))
        return _per_k(points, make)

    return gen


def _ce_reduced(rng: np.random.Generator, how: str) -> Callable[[int, int], Batch]:
    def make(rows: int, k: int) -> Batch:
        y = np.where(rng.random(rows) < 0.25, IGNORE_INDEX, _labels(rng, rows, k))
        y[0] = 0  # at least one example counts
        options = {"weight": _weights(rng, k), "ignore_index": IGNORE_INDEX, "reduction": how}
        return Batch((_logits(rng, rows, k), y), options)

    return make


# --- probability targets, label smoothing ----------------------------------------------------


def _ce_probs(name: str) -> Generator:
    def make_with(rng: np.random.Generator) -> Callable[[int, int], Batch]:
        def make(rows: int, k: int) -> Batch:
            if name == TINY:
                z, y = _tiny_loss(rng, rows, k)
                return Batch((z, _one_hot(y, k)))
            if name == "sparse targets (zeros)":
                return Batch((_logits(rng, rows, k), _simplex(rng, rows, k, 0.6)))
            if name == "huge logits (overflow)":
                return Batch((_huge(rng, rows, k), _simplex(rng, rows, k)))
            if name == "masked classes (-inf)":
                p = _simplex(rng, rows, k, 0.5)
                return Batch((_masked(rng, rows, k, p > 0), p))
            options = {"reduction": "mean"} if name == "reduction=mean" else {}
            return Batch((_logits(rng, rows, k), _simplex(rng, rows, k)), options)

        return make

    def gen(rng: np.random.Generator, points: int) -> list[Batch]:
        return _spread(rng, points, name, make_with(rng))

    return gen


def _smoothing(name: str) -> Generator:
    def gen(rng: np.random.Generator, points: int) -> list[Batch]:
        def make(rows: int, k: int) -> Batch:
            options: dict[str, object] = {"label_smoothing": float(rng.choice([0.05, 0.1, 0.3]))}
            z, y = _logits(rng, rows, k), _labels(rng, rows, k)
            if name == "huge logits (overflow)":
                z = _huge(rng, rows, k)
            elif name == "confident":
                z, y = _confident(rng, rows, k)
            elif name in ("class weights", "reduction=mean"):
                options["weight"] = _weights(rng, k)
            if name == "reduction=mean":
                options["reduction"] = "mean"
            return Batch((z, y), options)

        return _spread(rng, points, name, make)

    return gen


# --- binary cross-entropy ---------------------------------------------------------------------


def _bce_logits(name: str) -> Generator:
    def gen(rng: np.random.Generator, points: int) -> list[Batch]:
        def make(rows: int, k: int) -> Batch:
            cols = k % 4 + 1
            z = _logits(rng, rows, cols)
            y = rng.integers(0, 2, (rows, cols)).astype(np.float64)
            options: dict[str, object] = {}
            if name == "huge logits (overflow)":
                z = rng.choice([-1.0, 1.0], z.shape) * 10 ** rng.uniform(1, 4, z.shape)
            elif name == TINY:  # hard targets, logits 17..60 on the right side
                z = (2 * y - 1) * rng.uniform(17, 60, z.shape)
            elif name == "soft targets":
                y = rng.random((rows, cols))
            elif name in ("pos_weight", "reduction=mean"):
                options["pos_weight"] = rng.uniform(0.2, 5.0, cols)
            if name == "reduction=mean":
                options["reduction"] = "mean"
            return Batch((z, y), options)

        return _spread(rng, points, name, make)

    return gen


def _bce_probs(name: str) -> Generator:
    def gen(rng: np.random.Generator, points: int) -> list[Batch]:
        q = rng.uniform(0.0, 1.0, points)
        if name == "extreme probabilities":
            tiny, gap = 10 ** rng.uniform(-300, -2, points), 10 ** rng.uniform(-16, -2, points)
            q = np.where(rng.random(points) < 0.5, tiny, 1.0 - gap)
        y = rng.integers(0, 2, points).astype(np.float64)
        if name == "soft targets":
            y = rng.random(points)
        return [Batch((q, y))]

    return gen


# --- KL divergence and entropy -----------------------------------------------------------------


def _log_softmax(z: np.ndarray) -> np.ndarray:
    return scipy.special.log_softmax(z, axis=-1)


def _kl(name: str) -> Generator:
    def gen(rng: np.random.Generator, points: int) -> list[Batch]:
        def make(rows: int, k: int) -> Batch:
            p = _simplex(rng, rows, k, 0.5 if name == "zeros in p" else 0.0)
            log_q = _log_softmax(_logits(rng, rows, k))
            if name == "tiny q":
                log_q = _log_softmax(_logits(rng, rows, k, 200.0))
            elif name == "q ≈ p (tiny loss)":  # KL ≈ δ²/2: 1e-22..1e-12 next to terms ~1
                delta = 10 ** rng.uniform(-11, -6, (rows, 1))
                log_q = _log_softmax(np.log(p) + delta * rng.normal(0.0, 1.0, (rows, k)))
            elif name == "q = 0 where p = 0":
                p = _simplex(rng, rows, k, 0.5)
                log_q = _log_softmax(_masked(rng, rows, k, p > 0))
            if name.startswith("reduction"):
                return Batch((log_q, p), {"reduction": name.split("=")[1]})
            return Batch((log_q, p))

        return _spread(rng, points, name, make)

    return gen


def _entropy(name: str) -> Generator:
    def gen(rng: np.random.Generator, points: int) -> list[Batch]:
        def make(rows: int, k: int) -> Batch:
            if name == "zeros":
                return Batch((_simplex(rng, rows, k, 0.6),))
            if name == "tiny entries (1e-300)":
                p = _simplex(rng, rows, k)
                p[rng.random((rows, k)) < 0.5] = 1e-300
                return Batch((p / p.sum(axis=-1, keepdims=True),))
            if name == "near-degenerate":
                p = _simplex(rng, rows, k) * 10 ** rng.uniform(-12, -3, (rows, 1))
                p[np.arange(rows), rng.integers(0, k, rows)] += 1.0
                return Batch((p / p.sum(axis=-1, keepdims=True),))
            return Batch((_simplex(rng, rows, k),))

        return _per_k(points, make)

    return gen


_FAMILIES: dict[str, tuple[tuple[str, Callable[[str], Generator]], ...]] = {
    "ce-loss-one-hot": tuple(
        (n, _ce_index)
        for n in (
            "random",
            "confident",
            TINY,
            "huge logits (overflow)",
            "masked classes (-inf)",
            "class weights",
            "ignore_index",
            "reduction=mean",
            "reduction=sum",
        )
    ),
    "ce-probability-targets": tuple(
        (n, _ce_probs)
        for n in (
            "random",
            TINY,
            "sparse targets (zeros)",
            "huge logits (overflow)",
            "masked classes (-inf)",
            "reduction=mean",
        )
    ),
    "label-smoothing": tuple(
        (n, _smoothing)
        for n in (
            "random",
            "confident",
            "huge logits (overflow)",
            "class weights",
            "reduction=mean",
        )
    ),
    "bce-logits": tuple(
        (n, _bce_logits)
        for n in (
            "random",
            "soft targets",
            TINY,
            "huge logits (overflow)",
            "pos_weight",
            "reduction=mean",
        )
    ),
    "bce-probabilities": tuple(
        (n, _bce_probs) for n in ("random", "soft targets", "extreme probabilities")
    ),
    "kl-divergence": tuple(
        (n, _kl)
        for n in (
            "random",
            "zeros in p",
            "q ≈ p (tiny loss)",
            "tiny q",
            "q = 0 where p = 0",
            "reduction=batchmean",
            "reduction=mean",
            "reduction=sum",
        )
    ),
    "entropy": tuple(
        (n, _entropy) for n in ("random", "zeros", "tiny entries (1e-300)", "near-degenerate")
    ),
}


def families(loss_id: str, points: int = 200, seed: int = 0) -> list[Family]:
    """The case families of ``loss_id``: about ``points`` examples each, fixed by ``seed``.

    >>> [len(b.inputs[0]) for b in families("entropy", points=10)[0].batches]
    [2, 2, 2, 2, 2]
    """
    out = []
    for name, factory in _FAMILIES[loss_id]:
        rng = np.random.default_rng([seed, zlib.crc32(f"{loss_id}/{name}".encode())])
        out.append(Family(name, tuple(factory(name)(rng, points))))
    return out
