"""Generated C compiles with -Werror, runs through ctypes and agrees with mpmath to 4 ULP."""

from __future__ import annotations

import ctypes
import math
import shutil
import subprocess

import mpmath
import numpy as np
import pytest
from sympy import Float, Idx, IndexedBase, Rational, Symbol

from symxent.codegen import catalogue, codegen
from symxent.errors import NotSupported
from symxent.notation import unfold
from symxent.parse import K_CLASSES, parse

CC = shutil.which("cc") or "gcc"  # every machine of this kind has gcc; fail loudly if not
FLAGS = ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror"]
ULPS = 4

LOSSES = {
    "nll": ("-log(softmax(z)[y])", [0.0]),
    "lse": ("logsumexp(z)", [0.0]),
    "focal": ("-(1 - softmax(z)[y])**gamma * log(softmax(z)[y])", [0.0, 0.5, 1.0, 2.0]),
    "smooth": ("-(1 - eps) * log(softmax(z)[y]) - eps / K * sum(log_softmax(z)[j], j)", [0.1]),
}


def build(source: str, tmp_path, name: str) -> ctypes.CDLL:
    path = tmp_path / f"{name}.c"
    path.write_text(source)
    library = tmp_path / f"lib{name}.so"
    command = [CC, *FLAGS, "-shared", "-fPIC", str(path), "-o", str(library), "-lm"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return ctypes.CDLL(str(library))


def _pointer(a: np.ndarray) -> ctypes.c_void_p:
    return a.ctypes.data_as(ctypes.c_void_p)


def call(fn, z: np.ndarray, scalar: float | None, y: np.ndarray | None) -> np.ndarray:
    out = np.empty(len(z))
    args = [ctypes.c_size_t(z.shape[0]), ctypes.c_size_t(z.shape[1]), _pointer(z)]
    args += [] if scalar is None else [ctypes.c_double(scalar)]
    args += [] if y is None else [_pointer(y)]
    fn.restype = ctypes.c_int
    status = fn(*args, _pointer(out))
    assert status == 0
    return out


def reference(expr, row: np.ndarray, scalars: dict, label: int | None) -> mpmath.mpf:
    """The formula at the exact double inputs, at 60 digits."""
    k = len(row)
    e = unfold(expr)
    if label is not None:
        e = e.xreplace({Idx("y", (1, K_CLASSES)): label + 1})
    e = e.xreplace({i: Symbol(i.name, integer=True) for i in e.atoms(Idx)})
    # Exact binary values at 60 digits: a 15-digit Float would cap evalf's precision.
    e = e.subs(K_CLASSES, k).subs({s: Rational(v) for s, v in scalars.items()}).doit()
    e = e.xreplace({IndexedBase("z")[i + 1]: Float(float(row[i]), 60) for i in range(k)})
    with mpmath.workdps(60):
        return mpmath.mpf(str(e.evalf(60)))


def ulps(got: float, exact: mpmath.mpf) -> float:
    nearest = float(exact)
    if nearest == got:
        return 0.0
    return float(abs(mpmath.mpf(got) - exact) / math.ulp(nearest))


def _rows(rng: np.random.Generator, k: int) -> np.ndarray:
    rows = rng.normal(0, 4, (12, k))
    rows[1] *= 25  # confident predictions: losses of order e^{-50}
    rows[2, :] = 0.0  # ties
    if k >= 3:
        rows[0, :3] = [1000.0, 0.0, -1000.0]
    return rows


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_generated_c_agrees_with_mpmath(name: str, tmp_path) -> None:
    text, scalars = LOSSES[name]
    expr = parse(text)
    fn = getattr(build(codegen(expr, "c", name=name), tmp_path, name), name)
    symbol = next((s for s in expr.free_symbols if s.name in ("gamma", "eps")), None)
    rng, worst = np.random.default_rng(7), 0.0
    for k in (2, 3, 5, 10):
        z = np.ascontiguousarray(_rows(rng, k))
        y = rng.integers(0, k, len(z)).astype(np.int64) if "[y]" in text else None
        for scalar in scalars:
            got = call(fn, z, scalar if symbol is not None else None, y)
            for r in range(len(z)):
                label = None if y is None else int(y[r])
                exact = reference(expr, z[r], {symbol: scalar} if symbol else {}, label)
                worst = max(worst, ulps(got[r], exact))
    print(f"{name}: worst {worst:.2f} ULP")
    assert worst <= ULPS, f"{name}: {worst:.2f} ULP"


def test_every_catalogue_entry_compiles_with_werror(tmp_path) -> None:
    compiled = 0
    for i in catalogue():
        try:
            source = codegen(i, "c")
        except NotSupported:
            continue
        build(source, tmp_path, i.replace("-", "_"))
        compiled += 1
    assert compiled >= 2


def test_label_out_of_range_gives_nan_and_status(tmp_path) -> None:
    fn = build(codegen(parse("-log(softmax(z)[y])"), "c", name="nll"), tmp_path, "nll").nll
    z, y, out = np.zeros((2, 3)), np.array([1, 3], dtype=np.int64), np.zeros(2)
    fn.restype = ctypes.c_int
    status = fn(ctypes.c_size_t(2), ctypes.c_size_t(3), _pointer(z), _pointer(y), _pointer(out))
    assert status == -1
    assert out[0] == pytest.approx(math.log(3)) and math.isnan(out[1])


def test_c_uses_the_stable_forms() -> None:
    source = codegen(parse("-(1 - softmax(z)[y])**gamma * log(softmax(z)[y])"), "c")
    assert "log1p(" in source and "expm1(" in source and "-INFINITY" in source
