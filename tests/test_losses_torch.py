"""symxent.losses against PyTorch (float64): values and gradients within 4 ULP.

A gradient entry σ_j·S − w_j·t_j (or a BCE value (1 − y)·z + softplus term) is a difference
of two terms; both libraries round those terms, so "4 ULP" is counted at the magnitude of
the larger term when they cancel. Where the two still differ by more, symxent must be the
one closer to the exact value (mpmath at 50 digits): PyTorch forms softmax as
exp(log_softmax), which loses relative accuracy on tiny probabilities.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import mpmath  # noqa: E402
import numpy as np  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from mpmath import mp  # noqa: E402

from symxent.losses import (  # noqa: E402
    bce_with_logits,
    bce_with_logits_grad,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
)

EXTREME = np.array([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0], [0.0, 0.0, 0.0]])


def exact_rows(z, t, w):
    """Per row: −Σ_k w_k t_k log softmax(z)_k and its gradient σ·Σ w t − w t, 50 digits."""
    losses, grads, scales = [], [], []
    with mp.workdps(50):
        for row, target in zip(z, t, strict=True):
            zs = [mpmath.mpf(float(v)) for v in row]
            lse = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in zs))
            wt = [
                mpmath.mpf(float(a)) * mpmath.mpf(float(b)) for a, b in zip(w, target, strict=True)
            ]
            losses.append(float(mpmath.fsum(c * (lse - v) for c, v in zip(wt, zs, strict=True))))
            total = mpmath.fsum(wt)
            terms = [(mpmath.exp(v - lse) * total, c) for c, v in zip(wt, zs, strict=True)]
            grads.append([float(a - b) for a, b in terms])
            scales.append([float(max(a, b)) for a, b in terms])
    return np.array(losses), np.array(grads), np.array(scales)


def assert_agrees(ours, theirs, truth, scale=0.0):
    ours, theirs, truth = (np.asarray(a, dtype=np.float64) for a in (ours, theirs, truth))
    close = np.abs(ours - theirs) <= 4 * np.spacing(np.maximum(np.abs(theirs), scale))
    better = np.abs(ours - truth) <= np.abs(theirs - truth)
    assert np.all(close | better), (ours[~(close | better)], theirs[~(close | better)])
    assert np.mean(close) > 0.9  # differences are the exception, not the rule


def cases(seed: int, n: int = 12):
    rng = np.random.default_rng(seed)
    for trial in range(n):
        k, rows = int(rng.integers(2, 7)), int(rng.integers(1, 5))
        z = rng.normal(0, [1, 10, 100][trial % 3], (rows, k))
        if trial % 4 == 0:
            z = np.concatenate([z[:, :3], EXTREME[:rows, : min(k, 3)]], axis=0)[:, :k]
            z = EXTREME[:, :3] if k == 3 else z
        yield rng, z, [0.0, 0.1, 0.3][trial % 3], rng.uniform(0.2, 3.0, z.shape[-1])


@pytest.mark.parametrize("weighted", [False, True])
def test_index_targets(weighted):
    for rng, z, eps, w in cases(1):
        k = z.shape[-1]
        y = rng.integers(0, k, z.shape[0])
        w = w if weighted else np.ones(k)
        kw = {"weight": w} if weighted else {}
        zt = torch.tensor(z, requires_grad=True)
        tkw = {"weight": torch.tensor(w)} if weighted else {}
        theirs = F.cross_entropy(zt, torch.tensor(y), label_smoothing=eps, reduction="none", **tkw)
        theirs.sum().backward()
        target = (1 - eps) * np.eye(k)[y] + eps / k
        loss, grad, scale = exact_rows(z, target, w)
        ours = softmax_cross_entropy(z, y, label_smoothing=eps, **kw)
        assert_agrees(ours, theirs.detach().numpy(), loss)
        g = softmax_cross_entropy_grad(z, y, label_smoothing=eps, **kw)
        assert_agrees(g, zt.grad.numpy(), grad, scale)


def test_probability_targets():
    for rng, z, eps, w in cases(2):
        p = rng.dirichlet(np.ones(z.shape[-1]), z.shape[0])
        zt = torch.tensor(z, requires_grad=True)
        theirs = F.cross_entropy(
            zt, torch.tensor(p), weight=torch.tensor(w), label_smoothing=eps, reduction="none"
        )
        theirs.sum().backward()
        loss, grad, scale = exact_rows(z, p * (1 - eps) + eps / z.shape[-1], w)
        ours = softmax_cross_entropy(z, p=p, weight=w, label_smoothing=eps)
        assert_agrees(ours, theirs.detach().numpy(), loss)
        g = softmax_cross_entropy_grad(z, p=p, weight=w, label_smoothing=eps)
        assert_agrees(g, zt.grad.numpy(), grad, scale)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_reductions_with_ignore_index_and_weight(reduction):
    rng = np.random.default_rng(5)
    z, w = rng.normal(0, 5, (6, 4)), np.array([0.5, 1.0, 2.0, 4.0])
    y = np.array([0, 3, -100, 2, 1, -100])
    zt = torch.tensor(z, requires_grad=True)
    kw = {"label_smoothing": 0.2, "ignore_index": -100, "reduction": reduction}
    theirs = F.cross_entropy(zt, torch.tensor(y), weight=torch.tensor(w), **kw)
    theirs.backward()
    ours = softmax_cross_entropy(z, y, weight=w, **kw)
    assert abs(ours - theirs.item()) <= 4 * np.spacing(abs(theirs.item()))
    g = softmax_cross_entropy_grad(z, y, weight=w, **kw)
    assert np.allclose(g, zt.grad.numpy(), rtol=8 * np.finfo(float).eps, atol=1e-300)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_bce_with_logits_and_pos_weight(reduction):
    rng = np.random.default_rng(7)
    z = np.concatenate([rng.normal(0, 10, 40), [1000.0, -1000.0, 0.0, 40.0, -40.0]])
    y = np.concatenate([rng.uniform(0, 1, 40), [0.0, 1.0, 0.5, 1.0, 0.0]])
    w = rng.uniform(0.2, 4.0, z.shape)
    zt = torch.tensor(z, requires_grad=True)
    theirs = F.binary_cross_entropy_with_logits(
        zt, torch.tensor(y), pos_weight=torch.tensor(w), reduction=reduction
    )
    theirs.sum().backward()
    ours = bce_with_logits(z, y, w, reduction=reduction)
    t = theirs.detach().numpy()
    lw = 1 + (w - 1) * y
    terms = np.maximum(np.abs((1 - y) * z), lw * np.logaddexp(0, -z))
    scale = {"none": terms, "mean": terms.sum() / z.size, "sum": terms.sum()}[reduction]
    assert np.all(np.abs(ours - t) <= 4 * np.spacing(np.maximum(np.abs(t), scale)))
    g, tg = bce_with_logits_grad(z, y, w, reduction=reduction), zt.grad.numpy()
    g_scale = np.maximum(lw, w * y) / (z.size if reduction == "mean" else 1)
    assert np.all(np.abs(g - tg) <= 4 * np.spacing(np.maximum(np.abs(tg), g_scale)))
