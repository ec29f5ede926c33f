"""symxent.losses: values and derived gradients vs mpmath (50 digits) and finite differences."""

from __future__ import annotations

import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from mpmath import mp
from sympy import Idx, IndexedBase

import symxent
from symxent.errors import InvalidInput
from symxent.functions import softmax
from symxent.losses import (
    bce_with_logits,
    bce_with_logits_grad,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
)
from symxent.numeric import lambdify
from symxent.sums import K

FAST = settings(max_examples=25, deadline=None)
logit = st.floats(-30, 30, allow_nan=False)
logits = st.lists(logit, min_size=2, max_size=6)


def mp_smoothed_ce(z, y, eps, w):
    """(1 − ε)·w_y·(−log σ_y) + (ε/K)·Σ_k w_k·(−log σ_k) and its gradient, at 50 digits."""
    with mp.workdps(50):
        zs = [mpmath.mpf(v) for v in z]
        lse = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in zs))
        nls = [lse - v for v in zs]
        k = len(zs)
        t = [(1 - mpmath.mpf(eps)) * (c == y) + mpmath.mpf(eps) / k for c in range(k)]
        loss = mpmath.fsum(w[c] * t[c] * nls[c] for c in range(k))
        sigma = [mpmath.exp(-v) for v in nls]
        total = mpmath.fsum(w[c] * t[c] for c in range(k))
        grad = [sigma[c] * total - w[c] * t[c] for c in range(k)]
        return float(loss), [float(g) for g in grad]


@FAST
@given(logits, st.data(), st.sampled_from([0.0, 0.1, 0.5]), st.booleans())
@example([1000.0, 0.0, -1000.0], None, 0.0, False)
@example([1000.0, 0.0, -1000.0], None, 0.1, True)
def test_cross_entropy_and_gradient_match_mpmath(z, data, eps, weighted):
    y = 2 if data is None else data.draw(st.integers(0, len(z) - 1))
    w = [0.5 + c for c in range(len(z))] if weighted else [1.0] * len(z)
    loss, grad = mp_smoothed_ce(z, y, eps, w)
    kw = {"label_smoothing": eps, "weight": np.array(w)}
    got = softmax_cross_entropy(np.array(z), np.array(y), **kw)
    assert got == pytest.approx(loss, rel=1e-14, abs=1e-300)
    g = softmax_cross_entropy_grad(np.array(z), np.array(y), **kw)
    assert np.allclose(g, grad, rtol=1e-12, atol=1e-15)


@FAST
@given(logits, st.data())
def test_probability_targets_gradient_matches_central_differences(z, data):
    k = len(z)
    raw = data.draw(st.lists(st.floats(0.01, 1.0), min_size=k, max_size=k))
    p = np.array(raw) / sum(raw)
    z = np.array(z)
    g = softmax_cross_entropy_grad(z, p=p)
    h = 1e-6
    for c in range(k):
        step = np.eye(k)[c] * h
        fd = (softmax_cross_entropy(z + step, p=p) - softmax_cross_entropy(z - step, p=p)) / (2 * h)
        assert fd == pytest.approx(g[c], abs=1e-6)
    assert abs(g.sum()) < 1e-12  # softmax and p both sum to one


@FAST
@given(st.floats(-800, 800), st.floats(0, 1), st.floats(0.1, 5))
@example(-800.0, 1.0, 1.0)
@example(800.0, 0.0, 1.0)
@example(40.0, 1.0, 3.0)
@example(-6.0, 0.0, 1.0)
def test_bce_matches_mpmath(z, y, w):
    with mp.workdps(50):
        zm = mpmath.mpf(z)
        log_sig = -mpmath.log1p(mpmath.exp(-zm)) if z > 0 else zm - mpmath.log1p(mpmath.exp(zm))
        log_one_minus = log_sig - zm
        truth = -(w * y * log_sig + (1 - y) * log_one_minus)
        grad = (1 + (w - 1) * y) * mpmath.exp(log_sig) - w * y
    # PyTorch's form (1 − y)·z + (1 + (w − 1)y)·softplus(−z) subtracts terms of size ~|z|:
    # the error is a few ULP of the larger term, not of the result.
    terms = max(abs((1 - y) * z), (1 + (w - 1) * y) * float(np.logaddexp(0, -z)))
    got = bce_with_logits(np.array([z]), np.array([y]), np.array([w]))[0]
    assert abs(got - float(truth)) <= 4 * np.spacing(max(terms, abs(float(truth))))
    got = bce_with_logits_grad(np.array([z]), np.array([y]), np.array([w]))[0]
    assert got == pytest.approx(float(grad), rel=1e-12, abs=1e-15)


def test_bce_gradient_matches_central_differences():
    rng = np.random.default_rng(3)
    z, y, w = rng.normal(0, 4, 20), rng.uniform(0, 1, 20), rng.uniform(0.2, 3, 20)
    h = 1e-6
    fd = (bce_with_logits(z + h, y, w) - bce_with_logits(z - h, y, w)) / (2 * h)
    assert np.allclose(bce_with_logits_grad(z, y, w), fd, atol=1e-7)


def test_reductions_follow_pytorch():
    z = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0], [1.0, 2.0, 3.0]])
    y, w = np.array([0, 2, -100]), np.array([1.0, 2.0, 3.0])
    per = softmax_cross_entropy(z, y, weight=w, ignore_index=-100)
    assert per[2] == 0.0
    mean = softmax_cross_entropy(z, y, weight=w, ignore_index=-100, reduction="mean")
    assert mean == pytest.approx(per.sum() / (w[0] + w[2]))
    grad = softmax_cross_entropy_grad(z, y, weight=w, ignore_index=-100, reduction="mean")
    assert np.all(grad[2] == 0) and grad.shape == z.shape


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: softmax_cross_entropy(np.zeros(3)), "exactly one of y"),
        (lambda: softmax_cross_entropy(np.zeros(3), np.array(1.5)), "integer labels"),
        (lambda: softmax_cross_entropy(np.zeros(3), np.array(3)), "y"),
        (lambda: softmax_cross_entropy(np.zeros(3), np.array(1), reduction="avg"), "reduction"),
        (lambda: softmax_cross_entropy(np.zeros(3), np.array(1), label_smoothing=2), "smoothing"),
        (lambda: softmax_cross_entropy(np.zeros(3), np.array(1), weight=np.ones(2)), "weight"),
        (lambda: bce_with_logits(np.zeros(3), np.zeros(2)), "broadcast"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(InvalidInput, match=message):
        call()


# --- masked classes: a logit of −inf, with xlogy's 0·log 0 = 0 ---------------------------

_i, _k = Idx("i", (1, K)), Idx("k", (1, K))
_z, _q = IndexedBase("z"), IndexedBase("q")
# kl-ce-categorical's final −Σ p_k log q_k with q = softmax(z), as `symxent conform` uses it.
SOFT_CE = lambdify(
    symxent.get("kl-ce-categorical").final.xreplace({_q[_k]: softmax(_z[_i], (_i, 1, K), _k)}),
    args=["z", "p"],
)
NLL = lambdify(symxent.get("ce-loss-one-hot"), args=["z", "y"])
MASKED = np.array([-np.inf, 0.0])


@pytest.mark.parametrize("fn", [lambda z, p: softmax_cross_entropy(z, p=p), SOFT_CE])
@pytest.mark.parametrize(
    ("p", "expected"), [([0.0, 1.0], 0.0), ([0.5, 0.5], np.inf), ([1.0, 0.0], np.inf)]
)
def test_masked_class_with_probability_targets(fn, p, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for dtype in (np.float64, np.float32):
            got = fn(MASKED.astype(dtype), np.array(p, dtype))
            assert got == expected and not np.signbit(got) and got.dtype == dtype


def test_masked_classes_in_a_batch_with_weights_and_smoothing():
    z = np.array([[-np.inf, 0.0, 1.0], [-np.inf, -np.inf, 2.0], [0.0, 0.0, 0.0]])
    p = np.array([[0.0, 0.5, 0.5], [0.0, 0.0, 1.0], [1 / 3, 1 / 3, 1 / 3]])
    w = np.array([2.0, 1.0, 0.5])
    got = softmax_cross_entropy(z, p=p, weight=w)
    lse = np.logaddexp(0.0, 1.0)
    assert got.tolist() == pytest.approx([0.5 * lse + 0.25 * (lse - 1), 0.0, 3.5 / 3 * np.log(3)])
    smoothed = softmax_cross_entropy(z, p=p, label_smoothing=0.1)  # ε/K > 0 on masked classes
    assert smoothed[:2].tolist() == [np.inf, np.inf] and np.isfinite(smoothed[2])
    grad = softmax_cross_entropy_grad(z, p=p)
    assert np.isfinite(grad).all() and grad[1].tolist() == [0.0, 0.0, 0.0]


def test_masked_class_with_index_targets():
    assert NLL(MASKED, np.array(1)) == 0.0 and NLL(MASKED, np.array(0)) == np.inf
    assert softmax_cross_entropy(MASKED, np.array(1)) == 0.0


# --- blocked kernels: block boundaries, broadcasting and dtypes ---------------------------


def test_cross_entropy_is_the_same_in_blocks_and_row_by_row():
    rng = np.random.default_rng(5)
    z, y = rng.normal(0, 10, (3001, 7)), rng.integers(0, 7, 3001)
    z[::97, 3] = 1e4  # some rows far from the others, some exactly at the max
    y[::89] = 3
    rows = [NLL(z[n], y[n]) for n in range(len(y))]
    assert NLL(z, y).tolist() == rows
    assert NLL(z[:, None, :], y[None, :5]).shape == (3001, 5)  # labels broadcast


def test_bce_is_the_same_in_blocks_and_point_by_point():
    rng = np.random.default_rng(6)
    n = 70_001  # more than one block of 2^16 elements
    z, y = rng.normal(0, 20, n), rng.uniform(0, 1, n)
    y[::3] = np.round(y[::3])
    w = rng.uniform(0.5, 2, n)
    whole = bce_with_logits(z, y, w)
    picks = rng.integers(0, n, 300)
    alone = [bce_with_logits(z[i : i + 1], y[i : i + 1], w[i])[0] for i in picks]
    assert whole[picks].tolist() == alone
    assert bce_with_logits(z, y).tolist() == bce_with_logits(z, y, np.ones(n)).tolist()
    assert bce_with_logits(z.astype(np.float32), y.astype(np.float32)).dtype == np.float32
    grid = bce_with_logits(z[:70_000].reshape(7, -1), y[:70_000].reshape(7, -1), w[:7, None])
    assert grid.shape == (7, 10_000)
    assert grid[3, 17] == bce_with_logits(z[30_017:30_018], y[30_017:30_018], w[3])[0]
