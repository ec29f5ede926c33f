"""Data and drawing of each figure (see :mod:`symxent.docs.figures` for the list).

The data functions use symxent itself (the measures through the stable ``lambdify``, the
losses, the LLN simulation, the accuracy reports), so a figure shows what the library
computes. The drawing functions take a matplotlib ``Figure`` and the data; they never
import ``pyplot``, so no global state or GUI backend is involved.
"""

from __future__ import annotations

import numpy as np
import sympy
from sympy import Idx, IndexedBase, Sum, Symbol, exp, log

from ..accuracy import accuracy
from ..losses import softmax_cross_entropy_grad
from ..measures import cross_entropy, kl_divergence
from ..models import Bernoulli
from ..numeric import lambdify
from ..simulate import empirical_pmf_path, sup_distance
from ..sums import K

COIN_PS = np.array([0.1, 0.3, 0.5, 0.8])
ASYMMETRY_P = 0.2
DIE = np.array([0.35, 0.25, 0.2, 0.1, 0.06, 0.04])
BITS_CAP = 64.0  # a non-finite output where the truth is finite counts as all 64 bits wrong


def _coin(measure) -> object:
    """The coin's measure of (p, q) as a stable NumPy function of the arrays p and q."""
    return lambdify(measure(Bernoulli("p"), Bernoulli("q")), args=["p", "q"], validate=False)


def coin_data() -> dict[str, np.ndarray]:
    q = np.linspace(0.005, 0.995, 199)
    p = COIN_PS[:, None]
    return {
        "q": q,
        "p": COIN_PS,
        "ce": _coin(cross_entropy)(p, q),
        "kl": _coin(kl_divergence)(p, q),
    }


def coin_draw(fig, d: dict[str, np.ndarray]) -> None:
    left, right = fig.subplots(1, 2)
    for i, p in enumerate(d["p"]):
        left.plot(d["q"], d["ce"][i], label=f"p = {p:g}")
        right.plot(d["q"], d["kl"][i], label=f"p = {p:g}")
        left.axvline(p, color=f"C{i}", lw=0.6, ls=":")
        right.axvline(p, color=f"C{i}", lw=0.6, ls=":")
    left.set(xlabel="q", ylabel="nats", title="cross-entropy H(p, q)", ylim=(0, 3))
    right.set(xlabel="q", ylabel="nats", title="KL divergence KL(p || q)", ylim=(0, 3))
    left.legend()


def asymmetry_data() -> dict[str, np.ndarray]:
    ce = _coin(cross_entropy)
    q = np.linspace(0.01, 0.99, 99)
    grid = np.linspace(0.02, 0.98, 49)
    p, qq = np.meshgrid(grid, grid, indexing="ij")
    return {
        "q": q,
        "h_pq": ce(ASYMMETRY_P, q),
        "h_qp": ce(q, ASYMMETRY_P),
        "grid": grid,
        "difference": ce(p, qq) - ce(qq, p),
    }


def asymmetry_draw(fig, d: dict[str, np.ndarray]) -> None:
    left, right = fig.subplots(1, 2)
    left.plot(d["q"], d["h_pq"], label=f"H(p, q), p = {ASYMMETRY_P:g}")
    left.plot(d["q"], d["h_qp"], label=f"H(q, p), p = {ASYMMETRY_P:g}")
    left.set(xlabel="q", ylabel="nats", title="the two orders", ylim=(0, 3))
    left.legend()
    limit = float(np.max(np.abs(d["difference"])))
    image = right.pcolormesh(
        d["grid"],
        d["grid"],
        d["difference"].T,
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
        rasterized=True,  # one embedded image in the SVG rather than 2,400 paths
    )
    right.contour(d["grid"], d["grid"], d["difference"].T, levels=[0.0], colors="k")
    right.set(xlabel="p", ylabel="q", title="H(p, q) − H(q, p): zero only on the black lines")
    right.grid(False)
    fig.colorbar(image, ax=right, label="nats")


def gradient_data() -> dict[str, np.ndarray]:
    """Logits (t, 0, 0) with true class 0; t → −∞ sends its probability s_0 to 0."""
    t = np.linspace(-25, 6, 125)
    z = np.stack([t, np.zeros_like(t), np.zeros_like(t)], axis=-1)
    y = np.zeros(t.shape, dtype=int)
    ce_grad = softmax_cross_entropy_grad(z, y)
    s = np.exp(z - z.max(axis=-1, keepdims=True))
    s /= s.sum(axis=-1, keepdims=True)
    e = np.eye(3)[y]
    # ½‖s − e‖² through the softmax: the Jacobian diag(s) − s sᵀ (symmetric) times s − e.
    r = s - e
    mse_grad = s * r - s * np.sum(s * r, axis=-1, keepdims=True)
    return {
        "s_true": s[:, 0],
        "ce": np.linalg.norm(ce_grad, axis=-1),
        "mse": np.linalg.norm(mse_grad, axis=-1),
    }


def gradient_draw(fig, d: dict[str, np.ndarray]) -> None:
    ax = fig.subplots()
    ax.loglog(d["s_true"], d["ce"], label="cross-entropy  −log s_y:  ‖s − e_y‖")
    ax.loglog(
        d["s_true"], d["mse"], label="squared error  ½‖s − e_y‖²:  ‖(diag s − s sᵀ)(s − e_y)‖"
    )
    ax.set(
        xlabel="probability s_y of the true class (logits (t, 0, 0), y = first class)",
        ylabel="‖∂ loss / ∂z‖",
        title="a confidently wrong prediction: the squared-error gradient vanishes",
    )
    ax.invert_xaxis()
    ax.legend(loc="lower left")


def lln_data() -> dict[str, np.ndarray]:
    sizes = np.unique(np.logspace(1, 5, 49).astype(int))
    path = empirical_pmf_path(DIE, [int(n) for n in sizes], seed=0)
    return {"n": sizes, "q": DIE, "path": path, "sup": sup_distance(path, DIE)}


def lln_draw(fig, d: dict[str, np.ndarray]) -> None:
    left, right = fig.subplots(1, 2)
    for k, qk in enumerate(d["q"]):
        left.semilogx(d["n"], d["path"][:, k], color=f"C{k}", label=f"k = {k + 1}")
        left.axhline(qk, color=f"C{k}", lw=0.7, ls=":")
    left.set(xlabel="rolls N", ylabel="empirical p_N(k)", title="p_N(k) → q(k) (dotted)")
    left.legend(ncols=3, fontsize=7)
    right.loglog(d["n"], d["sup"], label="max_k |p_N(k) − q(k)|")
    right.loglog(d["n"], 1 / np.sqrt(d["n"]), ls="--", color="grey", label="1/√N")
    right.set(xlabel="rolls N", title="distance to q")
    right.legend()


def _bits(report) -> np.ndarray:
    """Herbie-style bits of error per point, log2(1 + ULPs), capped for non-finite outputs."""
    ulps = np.asarray(report.ulps, dtype=float).ravel()
    return np.where(np.isfinite(ulps), np.log2(1 + np.nan_to_num(ulps, posinf=0.0)), BITS_CAP)


def accuracy_data() -> dict[str, np.ndarray]:
    x = Symbol("x", real=True)
    grid = np.linspace(-800, 800, 321)
    softplus = log(1 + exp(x))
    naive = sympy.lambdify(x, softplus, "numpy")
    stable = lambdify(softplus)
    k, y, z = Idx("k", (1, K)), Idx("y", (1, K)), IndexedBase("z")
    ce = -log(exp(z[y]) / Sum(exp(z[k]), (k, 1, K)))
    # The same loss at logits (t, 0, 0), label 0, typed the naive way for sympy.lambdify.
    naive_ce = sympy.lambdify(x, -log(exp(x) / (exp(x) + 2)), "numpy")
    logits = np.stack([grid, np.zeros_like(grid), np.zeros_like(grid)], axis=-1)
    labels = np.zeros(grid.shape, dtype=int)
    with np.errstate(all="ignore"):
        reports = {
            "softplus_naive": accuracy(naive, softplus, (grid,)),
            "softplus_stable": accuracy(stable, softplus, (grid,)),
            "ce_naive": accuracy(lambda z, y: naive_ce(z[..., 0]), ce, (logits, labels)),
            "ce_stable": accuracy(lambdify(ce), ce, (logits, labels)),
        }
    return {"x": grid, **{name: _bits(r) for name, r in reports.items()}}


def accuracy_draw(fig, d: dict[str, np.ndarray]) -> None:
    left, right = fig.subplots(1, 2, sharey=True)
    for ax, key, title in (
        (left, "softplus", "log(1 + e^x)"),
        (right, "ce", "softmax CE, z = (x, 0, 0)"),
    ):
        ax.plot(d["x"], d[f"{key}_naive"], ".", ms=3, label="naive: sympy.lambdify")
        ax.plot(d["x"], d[f"{key}_stable"], ".", ms=3, label="stable: symxent lambdify")
        ax.set(xlabel="x", title=title, ylim=(-2, BITS_CAP + 2))
    left.set(ylabel="bits of error (64 = inf or NaN)")
    left.legend(loc="center left")
