"""The six classification-loss theorems: they verify symbolically, render, and fail when wrong."""

from __future__ import annotations

import pytest
from sympy import Derivative

from symxent.derivation import Derivation, Step
from symxent.registry import get

IDS = [
    "ce-loss-one-hot",
    "softmax-ce-gradient",
    "softmax-ce-hessian",
    "mse-vs-ce-gradient",
    "bce-logits",
    "label-smoothing",
]


@pytest.mark.parametrize("derivation_id", IDS)
def test_every_step_verifies_symbolically(derivation_id):
    cert = get(derivation_id).verify(samples=3)
    assert cert.ok, [s.detail for s in cert.steps if not s.ok]
    assert [s.method for s in cert.steps] == ["symbolic"] * len(cert.steps)


@pytest.mark.parametrize("derivation_id", IDS)
def test_renders_in_three_formats(derivation_id):
    d = get(derivation_id)
    latex, markdown, text = d.to_latex(), d.to_markdown(), d.to_text()
    assert latex.startswith("\\begin{align*}") and len(latex.splitlines()) == len(d.steps) + 2
    assert d.title in markdown and d.title in text
    assert all(s.justification in text for s in d.steps)


def _with_wrong_rhs(derivation_id: str, number: int, wrong) -> Derivation:
    d = get(derivation_id)
    steps = list(d.steps)
    s = steps[number - 1]
    steps[number - 1] = Step(s.lhs, s.relation, wrong(s.rhs), s.justification)
    return Derivation(d.id, d.title, steps, assumptions=d.assumptions, final=d.final)


@pytest.mark.parametrize(
    ("derivation_id", "number"),
    [
        ("softmax-ce-gradient", 9),  # σ_j − p_j
        ("bce-logits", 4),  # the stable form
        ("label-smoothing", 4),  # softmax − smoothed target
        ("ce-loss-one-hot", 5),  # the one-hot pick over the data set
        ("mse-vs-ce-gradient", 12),  # a limit
    ],
)
def test_a_wrong_step_fails_with_a_counterexample(derivation_id, number):
    wrong = _with_wrong_rhs(derivation_id, number, lambda e: -e + 1).verify(samples=4)
    step = wrong.steps[number - 1]
    assert not step.ok and step.counterexample


def test_gradient_steps_derive_from_a_derivative():
    d = get("softmax-ce-gradient")
    assert isinstance(d.steps[5].lhs, Derivative)
    assert not any(isinstance(s.rhs, Derivative) for s in d.steps[6:9])
