"""symxent.codegen: the orchestration, the catalogue, and NumPy code that equals lambdify."""

from __future__ import annotations

import numpy as np
import pytest

from symxent.codegen import TARGETS, catalogue, codegen
from symxent.errors import InvalidInput, NotSupported
from symxent.numeric import lambdify
from symxent.parse import parse

FORMULAS = [
    "-log(softmax(z)[y])",
    "-(1 - softmax(z)[y])**gamma * log(softmax(z)[y])",
    "logsumexp(z[k] / T, k)",
    "-sum(p[k] * log(q[k]), k)",
    "softplus(x) - x * w",
]


def _load(source: str, name: str = "f"):
    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    return namespace[name]


def _inputs(fn, rng):
    """Arguments by name: logits z, simplex vectors p/q, labels y, scalars."""
    values = {"z": rng.normal(0, 5, (6, 4)), "y": rng.integers(0, 4, 6), "T": 0.7}
    values |= {"gamma": 2.0, "x": rng.normal(0, 30, 6), "w": rng.uniform(0, 1, 6)}
    for v in ("p", "q"):
        raw = rng.uniform(0, 1, (6, 4))
        values[v] = raw / raw.sum(axis=-1, keepdims=True)
    values["z"][0] = [1000.0, 0.0, -1000.0, 0.0]
    return [values[name] for name in fn.__code__.co_varnames[: fn.__code__.co_argcount]]


@pytest.mark.parametrize("text", FORMULAS)
def test_numpy_code_equals_lambdify(text: str) -> None:
    source = codegen(parse(text), "numpy")
    assert "symxent" not in source.split('"""', 2)[2]  # standalone: no import of symxent
    generated = _load(source)
    args = _inputs(generated, np.random.default_rng(1))
    expected = lambdify(parse(text), validate=False)(*args)
    np.testing.assert_array_equal(generated(*args), expected)


def test_catalogue_is_computed_from_the_registry() -> None:
    ids = catalogue()
    assert "softmax-ce-gradient" in ids
    assert all(isinstance(i, str) for i in ids)


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_catalogue_entry_has_the_formula_in_its_header(target: str) -> None:
    source = codegen("softmax-ce-gradient", target)
    assert r"\operatorname{softmax}" in source
    assert "softmax_ce_gradient" in source


def test_bad_requests_are_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="unknown target 'fortran'"):
        codegen(parse("x"), "fortran")
    with pytest.raises(InvalidInput, match="unknown derivation ID"):
        codegen("no-such-id", "c")
    with pytest.raises(InvalidInput, match="SymPy expression or a derivation ID"):
        codegen(3.5, "c")
    with pytest.raises(InvalidInput, match="not an identifier"):
        codegen(parse("x"), "c", name="not valid")


def test_unsupported_formula_is_not_supported() -> None:
    with pytest.raises(NotSupported):
        codegen("categorical-likelihood", "c")  # two size symbols, N and K
