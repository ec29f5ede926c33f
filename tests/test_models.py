"""Models: construction, constraints, validation of given probabilities."""

import math

import pytest
from sympy import Float, IndexedBase, Rational, Sum, Symbol

from symxent import Bernoulli, Categorical, InvalidInput
from symxent.sums import K

half = Rational(1, 2)


def test_bernoulli_default_symbol_and_probs():
    coin = Bernoulli()
    assert coin.p == Symbol("p", positive=True)
    assert coin.probs == (coin.p, 1 - coin.p)
    assert len(coin.constraints()) == 2


def test_bernoulli_number_has_no_free_constraints():
    assert Bernoulli(Rational(1, 3)).constraints() == []
    assert Bernoulli(Rational(1, 3)).domains() == []


@pytest.mark.parametrize(
    ("value", "message"),
    [(-0.1, "negative"), (1.5, "above 1"), (float("nan"), "NaN"), ("0.3", "string")],
)
def test_bernoulli_rejects_bad_numbers(value, message):
    with pytest.raises(InvalidInput, match=message):
        Bernoulli(value)


def test_categorical_fixed_k_uses_indexed_entries():
    die = Categorical(3, name="q")
    q = IndexedBase("q")
    assert die.probs == (q[1], q[2], q[3])
    assert die.size == 3 and not die.is_symbolic_size


def test_categorical_symbolic_k_constraints_are_sums():
    die = Categorical(K)
    assert die.is_symbolic_size
    (_nonneg, total) = die.constraints()
    assert isinstance(total.lhs, Sum) and total.rhs == 1
    with pytest.raises(InvalidInput, match="symbolic K"):
        _ = die.probs


@pytest.mark.parametrize(
    ("probs", "message"),
    [
        ([half, -half, 1], "entry 2 = -1/2 is negative"),
        ([0.5, float("nan"), 0.5], "entry 2 is NaN"),
        ([Rational(1, 3), Rational(1, 3)], "sum to 2/3, not exactly 1"),
        ([0.5, 0.7], "sum to 1.2, not 1"),
        ([2, -1], "entry 1 = 2 is above 1"),
        ([], "at least one"),
        (["a", "b"], "string"),
    ],
)
def test_categorical_rejects_bad_vectors(probs, message):
    with pytest.raises(InvalidInput, match=message):
        Categorical(probs)


def test_float_tolerance_is_stated_and_applied():
    Categorical([0.1, 0.2, 0.7])  # 0.1 + 0.2 + 0.7 != 1 exactly in binary, within 1e-9
    with pytest.raises(InvalidInput, match="within 1e-09"):
        Categorical([0.1, 0.2, 0.7 + 1e-6])


def test_invalid_input_is_a_value_error():
    assert issubclass(InvalidInput, ValueError)


@pytest.mark.parametrize("spec", [0, -3, True, 2.5, "K"])
def test_categorical_rejects_bad_sizes(spec):
    with pytest.raises(InvalidInput):
        Categorical(spec)


def test_simplex_samples_sum_to_one():
    import random

    (domain,) = Categorical(K).domains()
    point = domain.sample(random.Random(1), 7, 50)
    assert len(point) == 7
    assert abs(sum(point.values()) - 1) < Float("1e-45", 50)
    assert all(v > 0 for v in point.values())
    assert not any(math.isnan(float(v)) for v in point.values())
