"""Speed of softmax cross-entropy (index targets), KL/entropy with zeros and BCE with logits.

Run by hand: ``python benchmarks/bench_losses.py [--n 100000] [--k 100] [--repeat 7]``.
Every implementation runs in this one process on the same arrays; the table gives the
median time of ``--repeat`` runs and the ratio to the fastest row of its block.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import scipy.special

import symxent
from symxent.numeric import lambdify

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # torch is optional: its rows are left out
    torch = None


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up: first-call allocations and lazy imports are not what we measure
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def one_thread(fn: Callable[[], object]) -> Callable[[], object]:
    """``fn`` with PyTorch on one thread, as NumPy runs: the like-for-like comparison."""

    def run() -> object:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return fn()
        finally:
            torch.set_num_threads(threads)

    return run


def with_torch(rows: dict[str, Callable[[], object]], name: str, fn: Callable[[], object]) -> None:
    """Add PyTorch's row at its default threads, and again on one thread."""
    rows[name] = fn
    rows[f"{name} (1 thread)"] = one_thread(fn)


def numpy_ce(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    m = z.max(axis=-1, keepdims=True)
    lse = np.log(np.exp(z - m).sum(axis=-1)) + m[..., 0]
    return lse - np.take_along_axis(z, y[:, None], axis=-1)[:, 0]


def scipy_ce(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    return scipy.special.logsumexp(z, axis=-1) - np.take_along_axis(z, y[:, None], axis=-1)[:, 0]


def ce_block(n: int, k: int, dtype: type, repeat: int) -> dict[str, float]:
    rng = np.random.default_rng(0)
    z = rng.normal(0, 3, (n, k)).astype(dtype)
    y = rng.integers(0, k, n)
    sx = lambdify(symxent.get("ce-loss-one-hot"), validate=False)
    rows = {
        "symxent lambdify": lambda: sx(z, y),
        "numpy max-shift": lambda: numpy_ce(z, y),
        "scipy logsumexp": lambda: scipy_ce(z, y),
        "floor: z.sum(axis=1)": lambda: z.sum(axis=1),
    }
    if torch is not None:
        tz, ty = torch.from_numpy(z), torch.from_numpy(y)
        with_torch(rows, "torch cross_entropy", lambda: F.cross_entropy(tz, ty, reduction="none"))
    return {name: median_ms(fn, repeat) for name, fn in rows.items()}


def kl_block(n: int, k: int, repeat: int) -> dict[str, float]:
    rng = np.random.default_rng(1)
    p, q = (rng.dirichlet(np.full(k, 0.3), n) for _ in range(2))
    p[p < 1e-3] = 0.0  # exact zeros: the 0·log 0 path
    p /= p.sum(axis=-1, keepdims=True)
    sx = lambdify(symxent.get("gibbs-inequality"), validate=False)
    rows = {
        "symxent lambdify": lambda: sx(p, q),
        "scipy rel_entr": lambda: scipy.special.rel_entr(p, q).sum(axis=-1),
    }
    if torch is not None:
        tp, tlq = torch.from_numpy(p), torch.from_numpy(np.log(q))
        with_torch(rows, "torch kl_div", lambda: F.kl_div(tlq, tp, reduction="none").sum(-1))
    return {name: median_ms(fn, repeat) for name, fn in rows.items()}


def bce_block(n: int, repeat: int) -> dict[str, float]:
    rng = np.random.default_rng(2)
    z = rng.normal(0, 5, n * 10)
    y = rng.integers(0, 2, n * 10).astype(np.float64)
    w = np.ones_like(z)
    sx = lambdify(symxent.get("bce-logits"), validate=False)
    rows = {
        "symxent lambdify": lambda: sx(w, y, z),
        "numpy max/log1p": lambda: np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))),
    }
    if torch is not None:
        tz, ty = torch.from_numpy(z), torch.from_numpy(y)
        with_torch(
            rows,
            "torch bce_with_logits",
            lambda: F.binary_cross_entropy_with_logits(tz, ty, reduction="none"),
        )
    return {name: median_ms(fn, repeat) for name, fn in rows.items()}


def bce_weighted_block(n: int, repeat: int) -> dict[str, float]:
    """The same function everywhere: BCE with PyTorch's pos_weight w (here random in [0.5, 2])."""
    rng = np.random.default_rng(3)
    z = rng.normal(0, 5, n * 10)
    y = rng.integers(0, 2, n * 10).astype(np.float64)
    w = rng.uniform(0.5, 2.0, n * 10)
    sx = lambdify(symxent.get("bce-logits"), validate=False)

    def numpy_weighted() -> np.ndarray:  # PyTorch's formula, written out in NumPy
        return (1 - y) * z + (1 + (w - 1) * y) * (np.log1p(np.exp(-np.abs(z))) + np.maximum(-z, 0))

    rows = {"symxent lambdify": lambda: sx(w, y, z), "numpy pos_weight": numpy_weighted}
    if torch is not None:
        tz, ty, tw = torch.from_numpy(z), torch.from_numpy(y), torch.from_numpy(w)
        with_torch(
            rows,
            "torch pos_weight",
            lambda: F.binary_cross_entropy_with_logits(tz, ty, pos_weight=tw, reduction="none"),
        )
    return {name: median_ms(fn, repeat) for name, fn in rows.items()}


def show(title: str, rows: dict[str, float], exclude: str = "floor") -> None:
    """The table, with two ratios: to the fastest row, and to the fastest single-threaded row
    (PyTorch's default rows use several threads; NumPy's and symxent's use one)."""
    timed = {name: ms for name, ms in rows.items() if not name.startswith(exclude)}
    fastest = min(timed.values())
    single = min(ms for name, ms in timed.items() if not _threaded(name))
    print(f"\n{title}\n{'implementation':<32} {'median ms':>10} {'ratio':>7} {'1-thread':>9}")
    for name, ms in rows.items():
        ratio = "" if _threaded(name) else f"{ms / single:.2f}"
        print(f"{name:<32} {ms:>10.2f} {ms / fastest:>7.2f} {ratio:>9}")


def _threaded(name: str) -> bool:
    return name.startswith("torch") and not name.endswith("(1 thread)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=7)
    a = parser.parse_args()
    threads = f" ({torch.get_num_threads()} threads by default)" if torch else ""
    print(
        f"torch {torch.__version__ if torch else 'not installed'}{threads}, numpy {np.__version__}"
    )
    print("ratio: to the fastest row of its block; 1-thread: to the fastest single-threaded row")
    for dtype in (np.float64, np.float32):
        rows = ce_block(a.n, a.k, dtype, a.repeat)
        show(f"softmax cross-entropy, N={a.n}, K={a.k}, {np.dtype(dtype).name}", rows)
    show(f"KL divergence with zeros, N={a.n}, K={a.k}, float64", kl_block(a.n, a.k, a.repeat))
    show(f"BCE with logits, {a.n * 10} points, float64", bce_block(a.n, a.repeat))
    show(
        f"BCE with logits and pos_weight, {a.n * 10} points, float64",
        bce_weighted_block(a.n, a.repeat),
    )


if __name__ == "__main__":
    main()
