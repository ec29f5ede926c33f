"""Generated PyTorch (and JAX) code runs, and autograd agrees with symxent's derived gradient."""

from __future__ import annotations

import numpy as np
import pytest

from symxent.codegen import codegen
from symxent.gradient import gradient
from symxent.parse import parse

FOCAL = "-(1 - softmax(z)[y])**gamma * log(softmax(z)[y])"
LOSSES = [FOCAL, "-log(softmax(z)[y])", "logsumexp(z[k] / T, k) - z[y] / T"]
Z = np.array([[1.5, -0.3, 0.2, 2.0], [30.0, 0.0, -30.0, 1.0], [0.1, 0.2, 0.3, 0.4]])
Y = np.array([0, 0, 3])


def _load(source: str, name: str):
    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    return namespace[name]


def _scalars(names) -> dict:
    return {n: {"gamma": 2.0, "T": 0.7}[n] for n in names if n in ("gamma", "T")}


@pytest.mark.parametrize("text", LOSSES)
def test_torch_autograd_agrees_with_the_derived_gradient(text: str) -> None:
    torch = pytest.importorskip("torch")
    loss = _load(codegen(parse(text), "torch", name="loss"), "loss")
    derived = gradient(text, ["z"])
    grad = _load(codegen(derived.final, "torch", name="grad"), "grad")
    z = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    scalars = _scalars(loss.__code__.co_varnames)
    loss(z, *scalars.values(), torch.tensor(Y)).sum().backward()
    columns = [
        grad(z.detach(), *scalars.values(), torch.full((3,), j), torch.tensor(Y)) for j in range(4)
    ]
    np.testing.assert_allclose(
        torch.stack(columns, -1).numpy(), z.grad.numpy(), rtol=1e-12, atol=1e-15
    )


def test_torch_focal_gradient_with_respect_to_gamma() -> None:
    torch = pytest.importorskip("torch")
    loss = _load(codegen(parse(FOCAL), "torch", name="loss"), "loss")
    grad = _load(codegen(gradient(FOCAL, ["gamma"]).final, "torch", name="g"), "g")
    gamma = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    loss(torch.tensor(Z), gamma, torch.tensor(Y)).sum().backward()
    expected = grad(torch.tensor(Z), torch.tensor(2.0, dtype=torch.float64), torch.tensor(Y))
    assert gamma.grad.item() == pytest.approx(expected.sum().item(), rel=1e-12)


def test_jax_grad_agrees_with_the_derived_gradient() -> None:
    jax = pytest.importorskip("jax")
    previous = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)  # restored below: other tests expect the default
    try:
        loss = _load(codegen(parse(FOCAL), "jax", name="loss"), "loss")
        grad = _load(codegen(gradient(FOCAL, ["z"]).final, "jax", name="grad"), "grad")
        auto = jax.grad(lambda z: loss(z, 2.0, Y).sum())(Z)
        columns = [np.asarray(grad(Z, 2.0, np.full(3, j), Y)) for j in range(4)]
    finally:
        jax.config.update("jax_enable_x64", previous)
    np.testing.assert_allclose(np.stack(columns, -1), np.asarray(auto), rtol=1e-12, atol=1e-15)
