"""symxent.gradient: checked gradient derivations of typed formulas."""

from __future__ import annotations

import numpy as np
import pytest
from sympy import Idx, IndexedBase, KroneckerDelta

from symxent.domains import ClassIndex, Positive, Real, RealVector, Simplex
from symxent.errors import InvalidInput
from symxent.functions import softmax
from symxent.gradient import domains, gradient
from symxent.numeric import lambdify
from symxent.parse import K_CLASSES, parse

FOCAL = "-(1 - softmax(z)[y])**gamma * log(softmax(z)[y])"
k, j, i = (Idx(n, (1, K_CLASSES)) for n in "kji")
z, p = IndexedBase("z"), IndexedBase("p")


def test_softmax_cross_entropy_gradient_is_softmax_minus_p() -> None:
    d = gradient("-sum(p[k] * log(softmax(z)[k]), k)", ["z"])
    assert d.final == softmax(z[j], (j, 1, K_CLASSES), i) - p[i]  # j is bound: ∂/∂z_i
    certificate = d.verify(samples=4, dps=30)
    assert certificate.ok and all(s.method == "symbolic" for s in certificate.steps)


def test_one_hot_gradient() -> None:
    d = gradient("-log(softmax(z)[y])", ["z"])
    y = Idx("y", (1, K_CLASSES))
    assert d.final == softmax(z[k], (k, 1, K_CLASSES), j) - KroneckerDelta(j, y)


def test_domains_follow_usage() -> None:
    expr = parse("-sum(p[k] * log(softmax(z[k] / T, k)[k]), k) + w * (1 - a)**gamma")
    kinds = {str(getattr(d, "base", getattr(d, "symbol", None))): type(d) for d in domains(expr)}
    assert kinds == {
        "p": Simplex,
        "z": RealVector,
        "T": Positive,
        "gamma": Positive,
        "w": Real,
        "a": Real,
    }
    with_index = domains(parse("z[y]"))
    assert any(isinstance(d, ClassIndex) for d in with_index)


def test_focal_gradient_agrees_with_finite_differences() -> None:
    d = gradient(FOCAL, ["z"])
    assert d.verify(samples=6, dps=30).ok
    loss, grad = lambdify(parse(FOCAL), validate=False), lambdify(d.final, validate=False)
    rng = np.random.default_rng(3)
    zs, y, h = rng.normal(0, 2, (5, 4)), rng.integers(0, 4, 5), 1e-6
    for jj in range(4):
        step = np.zeros(4)
        step[jj] = h
        numeric = (loss(zs + step, 2.0, y) - loss(zs - step, 2.0, y)) / (2 * h)
        derived = grad(zs, 2.0, np.full(5, jj), y)
        np.testing.assert_allclose(derived, numeric, rtol=1e-6, atol=1e-9)


def test_wrong_variable_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="not a variable of the formula"):
        gradient(FOCAL, ["x"])
    with pytest.raises(InvalidInput, match="not a variable"):
        gradient(FOCAL, ["y"])  # a class index
    with pytest.raises(InvalidInput, match="at least one variable"):
        gradient(FOCAL, [])


def test_fresh_index_avoids_the_formula_indices() -> None:
    d = gradient("sum(log_softmax(z)[j], j)", ["z"])
    (x,) = d.steps[0].lhs.variables
    assert x.indices[0].name not in ("j", "k")
