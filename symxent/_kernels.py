"""NumPy kernels that ``StablePrinter`` calls: shifted reductions and cancellation-free terms.

Each kernel keeps the input dtype (float32 stays float32) and handles the special values of
its convention (±inf logits, 0·log 0 = 0, p > 0 = q). They are looked up by name from the
code ``symxent.numeric.lambdify`` generates.
"""

from __future__ import annotations

import math

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


def _shifted_sums(
    rows: np.ndarray, labels: np.ndarray, block_bytes: int = 1 << 19
) -> tuple[np.ndarray, ...]:
    """(shift, Σ_k e^{a_k − shift}, a_y − shift) per row of ``rows`` (n, K), block by block.

    Blocks of about ``block_bytes``: the subtract, exp and sum find the block still in
    cache, and one block buffer is reused, where a fresh (n, K) temporary costs as much
    again in page faults as the exp itself. a_y is gathered while its block is in cache.
    ±inf and NaN maxima shift by 0. (A default argument, not a module constant: the NumPy
    code generator copies a kernel's source, not its module's globals.)
    """
    n, k = rows.shape
    shift, sums, picked = (np.empty(n, rows.dtype) for _ in range(3))
    step = max(1, block_bytes // (max(k, 1) * rows.itemsize))
    buf = np.empty((min(step, n), k), rows.dtype)
    for start in range(0, n, step):
        part = slice(start, start + step)
        block, m, at = rows[part], shift[part], np.arange(min(step, n - start))
        # argmax and a gather: twice as fast as max(axis=-1), and NaN wins in both.
        np.take(block.reshape(-1), at * k + np.argmax(block, axis=-1), out=m)
        if not np.isfinite(m).all():
            m[~np.isfinite(m)] = 0
        np.subtract(block[at, labels[part]], m, out=picked[part])
        e = np.subtract(block, m[:, None], out=buf[: len(block)])
        np.exp(e, out=e)
        # einsum's row sum is SIMD across the row, twice as fast as sum(axis=-1) for
        # K ~ 100, and as accurate for these terms in (0, 1].
        np.einsum("ij->i", e, out=sums[part])
    return shift, sums, picked


def _picked_parts(a: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a_y − shift, log Σ e^{a − shift}) per row; a_y − shift is exact near the max.

    One max, one subtract, one exp and one sum, as hand-written code does, blocked for the
    cache. The max term e^0 = 1 is summed with the rest, so log(1 + r) rounds a small r;
    that only matters when y attains the max (else the loss is at least −log r), and those
    rows are redone: r summed without the label's term, with the rounding of a_k − m put
    back (``_tail``).
    """
    shape = np.broadcast_shapes(a.shape[:-1], np.shape(labels))
    rows = np.broadcast_to(a, (*shape, a.shape[-1])).reshape(-1, a.shape[-1])
    labels = np.broadcast_to(labels, shape).reshape(-1)
    shift, sums, picked = _shifted_sums(rows, labels)
    log_s = np.log(sums, out=sums)
    redo = (picked == 0) & (log_s < 0.5) & np.isfinite(shift)
    if redo.any():
        log_s[redo] = np.log1p(_tail(rows[redo], labels[redo]))
    return picked.reshape(shape), log_s.reshape(shape)


def _logsumexp(a: np.ndarray) -> np.ndarray:
    shift, log_s, _ = _lse_parts(a)
    return shift + log_s


def _log_softmax(a: np.ndarray) -> np.ndarray:
    """The max class's entry is −log1p(r): where r is small its terms e^{a_k − m} need the
    rounding of a_k − m put back (``_tail``), as in ``_picked_parts``."""
    shift, log_s, top = _lse_parts(a)
    redo = (log_s < 0.5) & np.isfinite(shift)
    if redo.any():
        log_s = np.array(log_s)
        log_s[redo] = np.log1p(_tail(a[redo], top[redo]))
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
    """a·softplus(u) + b·softplus(−u) = a·max(u, 0) + b·max(−u, 0) + (a + b)·log1p(e^{−|u|}).

    For a, b ≥ 0 every term is ≥ 0 (nothing cancels) and the exponent is ≤ 0. The linear
    part is two products, not a select: ``where`` costs more than the exp here.
    """
    u, a, b = np.asarray(u), np.asarray(a), np.asarray(b)
    shape, dtype = np.broadcast_shapes(u.shape, a.shape, b.shape), np.result_type(u, 0.0)
    a, b = (c.astype(dtype, copy=False) for c in (a, b))  # int8 weights keep float32
    sp, lin = np.empty(shape, dtype), np.empty(shape, dtype)  # in place: 0-d stays an array
    np.abs(u, out=sp)
    np.negative(sp, out=sp)
    np.exp(sp, out=sp)
    np.log1p(sp, out=sp)
    sp *= a + b
    np.maximum(u, 0, out=lin)
    lin *= a
    sp += lin
    np.maximum(np.negative(u, out=lin), 0, out=lin)
    lin *= b
    return np.add(sp, lin, out=sp)


def _xlogy_from_log(x: np.ndarray, log_y: np.ndarray) -> np.ndarray:
    """x·log y from log y, with SciPy's ``xlogy`` semantics: 0 where x = 0 and log y = −inf.

    The product is taken first and mended only where it is NaN, so the common case (no
    masked class) costs one multiply and one ``isnan`` scan.
    """
    out = np.multiply(x, log_y)
    bad = np.isnan(out)
    if bad.any():
        out = np.where(bad & (np.equal(x, 0) & np.isinf(log_y)), 0, out)
    return out


# --- log(1 + u) − u and e^t − 1 − t: the cancelling cores of the continuous KL divergences ---

# Σ_{j≥0} w^j/(2j+3) for w ≤ 1/4 (|v| ≤ 1/2), truncated below the dtype's eps/16.
_LOG1PMX_SERIES = {
    np.dtype(np.float64): tuple(1 / (2 * j + 3) for j in range(26)),
    np.dtype(np.float32): tuple(1 / (2 * j + 3) for j in range(12)),
}
# Σ_{j≥0} t^j/(j+2)! for |t| ≤ 1, truncated below the dtype's eps/16.
_EXPM1MX_SERIES = {
    np.dtype(np.float64): tuple(1 / math.factorial(j + 2) for j in range(17)),
    np.dtype(np.float32): tuple(1 / math.factorial(j + 2) for j in range(10)),
}
# ln 2 = _LN2_HI + _LN2_LO (fdlibm's split): ln 2 − x then keeps the bits x cancels.
_LN2_HI, _LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10


def _horner(z: np.ndarray, table: tuple[float, ...]) -> np.ndarray:
    s = np.full_like(z, table[-1])
    for c in table[-2::-1]:
        s *= z
        s += c
    return s


def _log1pmx_series(u: np.ndarray) -> np.ndarray:
    """log(1 + u) − u for −1/2 ≤ u ≤ 2, as 2(atanh v − v) − u·v with v = u/(2 + u).

    The two terms have one sign for u < 0, and for u > 0 the first is below a tenth of the
    second: nothing cancels. atanh v − v = v³·Σ v^{2j}/(2j + 3).
    """
    v = u / (2 + u)
    w = v * v
    return 2 * (v * w * _horner(w, _LOG1PMX_SERIES[np.result_type(u, np.float32)])) - u * v


def _log1pmx_core(u: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log(1 + u) − u from u and x = 1 + u, each used where it carries the accuracy.

    For x ≥ 1/2 that is u (the series, or log1p(u) − u for u > 2, which cancels by less
    than a factor 2); below, x: log x = log 2x − ln 2 turns x in [1/4, 1/2) into the series
    at 2x − 1 (exact) plus x − ln 2 < 0, and below 1/4 log x + (1 − x) cancels by at most
    a factor 2.2.
    """
    out = np.asarray(np.log1p(u) - u)
    low = x < 0.5
    out[low] = np.log(x[low]) + (1 - x[low])
    mid = low & (x >= 0.25)
    xm = x[mid]
    out[mid] = _log1pmx_series(2 * xm - 1) - ((_LN2_HI - xm) + _LN2_LO)
    near = ~low & (u <= 2)
    out[near] = _log1pmx_series(u[near])
    out[u == np.inf] = -np.inf
    return out


def _log1pmx(u: np.ndarray) -> np.ndarray:
    """log(1 + u) − u ≤ 0 for u ≥ −1, to a few ULP of the given u (log1p(u) − u cancels)."""
    u = _floats(u)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _log1pmx_core(u, 1 + u)  # 1 + u is exact where the core uses it (u < −1/2)


def _quotient_error(q: np.ndarray, num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num/den − q for q = fl(num/den): the residual num − q·den is exact (Dekker's product).

    Veltkamp's split overflows for |q|, |den| near the dtype's max: those residuals are 0.
    """
    split = 2.0 ** ((np.finfo(q.dtype).nmant + 2) // 2) + 1
    hi = [split * t - (split * t - t) for t in (q, den)]
    (qh, dh), (ql, dl) = hi, (q - hi[0], den - hi[1])
    p = q * den
    err = ((qh * dh - p) + qh * dl + ql * dh) + ql * dl  # q·den − p exactly
    out = ((num - p) - err) / den
    return np.where(np.isfinite(out), out, 0)


def _log1pmx_ratio(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """log(b/a) − (b − a)/a = log1pmx(u) for u = (b − a)/a, from the pair (b, a).

    A formula's u = (b − a)/a is exact near b = a but has lost b/a where b ≪ a, which
    log needs; the core takes u where b ≥ a/2 and x = b/a below, and the first-order
    effect of that one division's rounding is added back: d/du log1pmx(u) = −u/x.
    """
    b, a = np.broadcast_arrays(_floats(b), _floats(a))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x, d = b / a, b - a
        u = d / a
        low = x < 0.5
        err = np.where(low, _quotient_error(x, b, a), _quotient_error(u, d, a))
        fix = np.where(err == 0, 0, -u / x * err)
        return _log1pmx_core(u, x) + fix


def _expm1mx(t: np.ndarray) -> np.ndarray:
    """e^t − 1 − t ≥ 0 to a few ULP: t²·Σ t^j/(j + 2)! for |t| ≤ 1, expm1(t) − t beyond.

    Beyond |t| = 1, expm1(t) − t cancels by less than a factor 2.4.
    """
    t = _floats(t)
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.asarray(np.expm1(t) - t)
    near = np.abs(t) <= 1
    tn = t[near]
    out[near] = tn * _horner(tn, _EXPM1MX_SERIES[np.result_type(t, np.float32)]) * tn
    out[t == np.inf] = np.inf
    return out


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
        _xlogy_from_log,
        _log1pmx,
        _log1pmx_ratio,
        _expm1mx,
        _floats,
    )
}
