"""NumPy kernels that ``StablePrinter`` calls: shifted reductions and cancellation-free terms.

Each kernel keeps the input dtype (float32 stays float32) and handles the special values of
its convention (±inf logits, 0·log 0 = 0, p > 0 = q). They are looked up by name from the
code ``symxent.numeric.lambdify`` generates.
"""

from __future__ import annotations

import numpy as np
import scipy.special

# --- reductions: one argmax, one subtract, exp, sum, log1p; ±inf rows are shifted by 0 ---


def _take(a: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """a[..., labels] row by row (labels are 0-based, broadcast against a's batch axes)."""
    shape = np.broadcast_shapes(a.shape[:-1], np.shape(labels))
    a = np.broadcast_to(a, (*shape, a.shape[-1]))
    index = np.broadcast_to(labels, shape)[..., None]
    return np.take_along_axis(a, index, axis=-1)[..., 0]


def _lse_parts(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(shift, log Σ e^{a − shift}, argmax) per row, with the max term kept out of the sum.

    log Σ e^{a−m} = log1p(r) where r sums the other terms: log(1 + r) would round r away
    and lose all relative accuracy of a small cross-entropy. Rows whose max is ±inf or NaN
    are shifted by 0 and use log.
    """
    top = np.argmax(a, axis=-1)[..., None]
    m = np.take_along_axis(a, top, axis=-1)
    finite = np.isfinite(m)
    shift = m if finite.all() else np.where(finite, m, 0)
    e = np.subtract(a, shift)
    np.exp(e, out=e)
    np.put_along_axis(e, top, np.where(finite, 0, np.take_along_axis(e, top, axis=-1)), axis=-1)
    r, finite = np.sum(e, axis=-1), finite[..., 0]
    log_s = np.log1p(r) if finite.all() else np.where(finite, np.log1p(r), np.log(r))
    return shift[..., 0], log_s, top[..., 0]


def _tail(rows: np.ndarray, top: np.ndarray) -> np.ndarray:
    """Σ_{k≠top} e^{a_k − m} with a_k − m taken exactly (TwoSum), for rows (n, K)."""
    m = np.take_along_axis(rows, top[:, None], axis=-1)
    d = rows - m
    back = d - rows
    err = (rows - (d - back)) + (-m - back)  # d + err == a − m exactly
    err[~np.isfinite(err)] = 0  # −inf entries (e = 0) and overflowing differences
    e = np.exp(d)
    e += e * err
    np.put_along_axis(e, top[:, None], 0, axis=-1)
    return np.sum(e, axis=-1)


def _picked_parts(a: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a_y − shift, log Σ e^{a − shift}) per row; a_y − shift is exact near the max.

    One max, one subtract, one exp and one sum, as hand-written code does. The max term
    e^0 = 1 is summed with the rest, so log(1 + r) rounds a small r; that only matters when
    y attains the max (else the loss is at least −log r), and those rows are redone: r
    summed without the label's term, with the rounding of a_k − m put back (``_tail``).
    """
    shape = np.broadcast_shapes(a.shape[:-1], np.shape(labels))
    a, labels = np.broadcast_to(a, (*shape, a.shape[-1])), np.broadcast_to(labels, shape)
    m = np.max(a, axis=-1, keepdims=True)
    finite = np.isfinite(m)
    shift = m if finite.all() else np.where(finite, m, 0)
    e = np.subtract(a, shift)
    np.exp(e, out=e)
    log_s = np.log(np.sum(e, axis=-1))
    shift = shift[..., 0]
    picked = np.take_along_axis(a, labels[..., None], axis=-1)[..., 0] - shift
    redo = (picked == 0) & (log_s < 0.5) & np.isfinite(shift)
    if redo.any():
        log_s = np.array(log_s)
        log_s[redo] = np.log1p(_tail(a[redo], labels[redo]))
    return picked, log_s


def _logsumexp(a: np.ndarray) -> np.ndarray:
    shift, log_s, _ = _lse_parts(a)
    return shift + log_s


def _log_softmax(a: np.ndarray) -> np.ndarray:
    shift, log_s, _ = _lse_parts(a)
    return (a - shift[..., None]) - log_s[..., None]


def _log_softmax_at(a: np.ndarray, labels: np.ndarray) -> np.ndarray:
    picked, log_s = _picked_parts(a, labels)
    return picked - log_s


def _nll_at(a: np.ndarray, labels: np.ndarray) -> np.ndarray:
    picked, log_s = _picked_parts(a, labels)
    return log_s - picked  # +0.0 (not −0.0) when the loss underflows


def _exp_shifted(a: np.ndarray) -> np.ndarray:
    m = np.max(a, axis=-1, keepdims=True)
    e = np.subtract(a, np.where(np.isfinite(m), m, 0))
    return np.exp(e, out=e)


def _softmax(a: np.ndarray) -> np.ndarray:
    e = _exp_shifted(a)
    return e / np.sum(e, axis=-1, keepdims=True)


def _softmax_at(a: np.ndarray, labels: np.ndarray) -> np.ndarray:
    e = _exp_shifted(a)
    return _take(e, labels) / np.sum(e, axis=-1)


# --- elementwise terms that cancel when written naively ------------------------------------

# Σ_{j≥0} w^j/(2j+3), truncated where the next term is below the dtype's eps/3 for w ≤ 1/9.
_ATANH_SERIES = {
    np.dtype(np.float64): tuple(1 / (2 * j + 3) for j in range(17)),
    np.dtype(np.float32): tuple(1 / (2 * j + 3) for j in range(8)),
}


def _kl_div(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x·log(x/y) − x + y ≥ 0 to a few ULP (SciPy's ``kl_div`` cancels near x = y).

    For y/2 ≤ x ≤ 2y, with v = (x − y)/(x + y) (x − y is exact there) the term is
    (x − y)·v + 2x·(atanh(v) − v), two terms of one sign up to a quarter of the first
    (Loader's ``bd0``); atanh(v) − v = v³·Σ v^{2j}/(2j + 3) is summed as a series.
    Elsewhere x·log(x/y) and y − x cancel by at most a factor 3.6. (SciPy's ``rel_entr``,
    unlike its ``kl_div``, does not overflow in x/y.)
    """
    x, y = np.broadcast_arrays(x, y)
    out = scipy.special.rel_entr(x, y)
    out -= x
    out += y
    near = (x <= 2 * y) & (y <= 2 * x) & (x > 0)
    if near.any():
        xs, ys = x[near], y[near]
        d = xs - ys
        v = d / (xs + ys)
        w = v * v
        series = _ATANH_SERIES[np.result_type(xs.dtype, np.float32)]
        s = np.full_like(w, series[-1])
        for c in series[-2::-1]:
            s *= w
            s += c
        out[near] = d * v + 2 * xs * (v * w * s)
    return out


def _softplus_mix(u: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a·softplus(u) + b·softplus(−u) = (a·[u ≥ 0] + b·[u < 0])·|u| + (a + b)·log1p(e^{−|u|}).

    For a, b ≥ 0 both terms are ≥ 0 (nothing cancels) and the exponent is ≤ 0.
    """
    t = np.abs(u)
    sp = np.log1p(np.exp(-t))
    lin = np.where(u >= 0, a, b)
    lin = lin * t if lin.dtype.kind == "f" else t * lin.astype(t.dtype)
    return lin + sp * np.add(a, b)


def _floats(x: object) -> np.ndarray:
    a = np.asarray(x)
    return a if a.dtype.kind == "f" else a.astype(np.float64)


KERNELS = {
    f.__name__: f
    for f in (
        _take,
        _logsumexp,
        _log_softmax,
        _log_softmax_at,
        _nll_at,
        _softmax,
        _softmax_at,
        _kl_div,
        _softplus_mix,
        _floats,
    )
}
