"""symxent.coding: Shannon lengths, Kraft, canonical prefix codes, the one-bit bound."""

import doctest
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from mpmath import log, mp, mpf

import symxent.coding as coding
from symxent.coding import (
    canonical_code,
    expected_length,
    is_prefix_free,
    kraft_sum,
    shannon_code,
    shannon_length,
    shannon_lengths,
)
from symxent.errors import InvalidInput


def test_doctests():
    assert doctest.testmod(coding).failed == 0


@pytest.mark.parametrize(
    ("q", "length"),
    [(1, 0), (Fraction(1, 2), 1), (Fraction(1, 3), 2), (0.25, 2), (0.3, 2), (1e-300, 997)],
)
def test_shannon_length_is_exact(q, length):
    assert shannon_length(q) == length


@pytest.mark.parametrize("bad", [0, -0.5, 1.5, float("nan"), "0.5", None])
def test_bad_probabilities_are_refused(bad):
    with pytest.raises(InvalidInput):
        shannon_length(bad)


def test_kraft_violation_has_no_prefix_code():
    with pytest.raises(InvalidInput, match="Kraft"):
        canonical_code([1, 1, 1])


def test_prefix_checker_detects_prefixes():
    assert is_prefix_free(["0", "10", "11"])
    assert not is_prefix_free(["0", "01", "11"])
    assert not is_prefix_free(["10", "10"])


def _distribution(weights, dps=50):
    with mp.workdps(dps):
        total = sum(mpf(w) for w in weights)
        return [mpf(w) / total for w in weights]


weights = st.integers(2, 50).flatmap(
    lambda n: st.lists(
        st.sampled_from([0.0, 1e-300, 1e-8]) | st.floats(1e-6, 1.0), min_size=n, max_size=n
    )
)


def _positive(ws):
    return [w if w > 0 else 1e-300 for w in ws]


@settings(max_examples=40, deadline=None)
@given(weights, weights)
@example([0.5, 0.5], [1e-300, 1.0])
@example([0.0, 1.0], [0.5, 0.5])
@example([1.0] * 50, [1e-300] + [1.0] * 49)
@example([0.0, 0.0, 0.0, 1e-300], [0.0, 0.0])  # once failed: H + 1 rounded at 50 digits
def test_shannon_code_bounds_at_50_digits(pw, qw):
    qw = (_positive(qw) + [1.0] * len(pw))[: len(pw)]
    pw = pw if any(pw) else [1.0] * len(pw)
    with mp.workdps(50):
        p, q = _distribution(pw), _distribution(qw)
        q_exact = [Fraction(str(v)) for v in q]
        q_exact = [v / sum(q_exact) for v in q_exact]  # exact renormalisation of the digits
        lengths = shannon_lengths(q_exact)
        words = canonical_code(lengths)
        assert kraft_sum(lengths) <= 1
        assert is_prefix_free(words)
        assert [len(w) for w in words] == lengths
        h2 = -sum(pi * log(qi, 2) for pi, qi in zip(p, q_exact, strict=True) if pi != 0)
        el = mpf(sum(pi * n for pi, n in zip(p, lengths, strict=True)))
        # el − 1 < h2 rather than el < h2 + 1: the subtraction is exact, while h2 + 1 can
        # need more than 50 digits to stay above an integer el (e.g. h2 = 1 + 2.7e-51).
        assert h2 - mpf(10) ** -40 <= el
        assert el - 1 < h2


def test_expected_length_and_shannon_code_agree_on_a_dyadic_source():
    q = [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]
    assert shannon_code(q) == ["0", "10", "11"]
    assert expected_length(q, shannon_lengths(q)) == Fraction(3, 2)  # = H_2(q) exactly
