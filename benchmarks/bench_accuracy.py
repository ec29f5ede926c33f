"""Accuracy of softmax cross-entropy on an adversarial set, against the mpmath reference.

Run by hand: ``python benchmarks/bench_accuracy.py [--points 2000]``. Every implementation
sees the same (logits, label) rows; the truth is ``symxent.reference`` at 50 digits (more
for doubtful points). Columns: max and median error in ULPs, max and mean bits (Herbie),
and outputs that are inf/NaN where the truth is finite.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import scipy.special
import sympy

import symxent
from symxent.accuracy import accuracy
from symxent.numeric import lambdify
from symxent.reference import reference

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # torch is optional: its row is left out
    torch = None

K = 4


def adversarial(n: int, dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """Moderate logits, huge spreads ([1000, 0, -1000]), ±1e4, confident rows, masked −inf."""
    rng = np.random.default_rng(0)
    parts = [
        rng.normal(0, 3, (n, K)),
        rng.choice([1000.0, 0.0, -1000.0], (n, K)),
        rng.choice([1e4, -1e4, 0.0], (n, K)) + rng.normal(0, 1, (n, K)),
        np.where(np.arange(K) == 0, rng.uniform(10, 800, (n, 1)), rng.normal(0, 1, (n, K))),
        np.where(rng.random((n, K)) < 0.3, -np.inf, rng.normal(0, 5, (n, K))),
    ]
    z = np.concatenate(parts).astype(dtype)
    z[np.isinf(z).all(axis=-1), 0] = 0.0  # keep one finite logit per row
    return z, rng.integers(0, K, len(z))


def naive_sympy():
    """Plain ``sympy.lambdify`` of −Σ_k p_k log(e^{z_k}/Σ_j e^{z_j}), one-hot p, explicit K."""
    zs, ps = sympy.symbols(f"z0:{K}"), sympy.symbols(f"p0:{K}")
    total = sum(map(sympy.exp, zs))
    loss = -sum(p * sympy.log(sympy.exp(z) / total) for p, z in zip(ps, zs, strict=True))
    f = sympy.lambdify((*zs, *ps), loss)
    return lambda z, y: f(*np.moveaxis(z, -1, 0), *np.moveaxis(np.eye(K, dtype=z.dtype)[y], -1, 0))


def implementations() -> dict:
    rows = {
        "symxent lambdify": lambdify(symxent.get("ce-loss-one-hot"), validate=False),
        "naive sympy.lambdify": naive_sympy(),
        "scipy logsumexp": lambda z, y: (
            scipy.special.logsumexp(z, axis=-1) - np.take_along_axis(z, y[:, None], axis=-1)[:, 0]
        ),
    }
    if torch is not None:
        rows["torch cross_entropy"] = lambda z, y: F.cross_entropy(
            torch.from_numpy(z), torch.from_numpy(y), reduction="none"
        ).numpy()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=400, help="rows per family (5 families)")
    n = parser.parse_args().points
    ref = reference(symxent.get("ce-loss-one-hot"))
    for dtype in (np.float64, np.float32):
        z, y = adversarial(n, dtype)
        print(f"\nsoftmax cross-entropy, {len(z)} adversarial rows, K={K}, {np.dtype(dtype).name}")
        print(
            f"{'implementation':<22} {'max ULP':>10} {'median':>7} {'max bits':>8} "
            f"{'mean bits':>9} {'non-finite':>10} {'seconds':>7}"
        )
        for name, fn in implementations().items():
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                r = accuracy(fn, ref, (z, y))
            print(
                f"{name:<22} {r.max_ulp:>10.3g} {r.median_ulp:>7.3g} {r.max_bits:>8.1f} "
                f"{r.mean_bits:>9.2f} {r.nonfinite:>10} {r.seconds:>7.1f}"
            )
            if r.max_ulp > 2:
                print(f"  worst: {r.worst}")


if __name__ == "__main__":
    main()
