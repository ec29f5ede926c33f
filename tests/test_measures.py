"""Measures: closed forms, conventions at zero, units, and the identity at 50 digits."""

from hypothesis import example, given, settings
from hypothesis import strategies as st
from mpmath import mp, mpf
from sympy import E, Float, Rational, Sum, log, oo, simplify

from symxent import Bernoulli, Categorical, InvalidInput, cross_entropy, entropy, kl_divergence
from symxent.sums import K

half = Rational(1, 2)


def test_coin_cross_entropy_closed_form():
    p, q = Bernoulli(), Bernoulli("q")
    expected = -p.p * log(q.p) - (1 - p.p) * log(1 - q.p)
    assert simplify(cross_entropy(p, q) - expected) == 0


def test_symbolic_k_gives_unevaluated_sums():
    h = entropy(Categorical(K))
    assert h.has(Sum)
    assert isinstance(kl_divergence(Categorical(K), Categorical(K, name="q")), Sum)


def test_zero_conventions_for_concrete_vectors():
    p, q = Categorical([half, half, 0]), Categorical([half, 0, half])
    assert cross_entropy(p, q) == oo
    assert cross_entropy(q, p) == oo
    assert kl_divergence(p, q) == oo
    assert entropy(p, base=2) == 1
    assert entropy(Categorical([1, 0])) == 0


def test_units():
    fair = Categorical([Rational(1, 4)] * 4)
    assert entropy(fair, base=2) == 2
    assert simplify(entropy(fair) - 2 * log(2)) == 0
    assert simplify(entropy(fair, base=10) - log(4) / log(10)) == 0
    assert entropy(fair, base=E) == entropy(fair)


def test_bad_base_and_mismatched_models():
    import pytest

    with pytest.raises(InvalidInput, match="base"):
        entropy(Bernoulli(), base=1)
    with pytest.raises(InvalidInput, match="base"):
        entropy(Bernoulli(), base=-2)
    with pytest.raises(InvalidInput, match="same"):
        cross_entropy(Categorical(3), Categorical(4, name="q"))
    with pytest.raises(InvalidInput, match="Bernoulli or Categorical"):
        entropy([0.5, 0.5])


def _vector(weights: list[float]) -> list[Float]:
    """An exact 50-digit probability vector from nonnegative weights."""
    with mp.workdps(60):
        total = sum(mpf(w) for w in weights)
        return [Float(mpf(w) / total, 50) for w in weights]


weight = st.one_of(
    st.floats(min_value=1e-3, max_value=1.0),
    st.just(0.0),
    st.just(1e-300),
)
pairs = st.integers(2, 30).flatmap(
    lambda n: st.tuples(
        st.lists(weight, min_size=n, max_size=n).filter(lambda w: any(x > 1e-200 for x in w)),
        st.lists(weight, min_size=n, max_size=n).filter(lambda w: any(x > 1e-200 for x in w)),
    )
)


@settings(max_examples=60, deadline=None)
@given(pairs)
@example(([1e-300, 1.0], [1.0, 1e-300]))
@example(([0.0, 1.0, 0.5], [0.2, 0.0, 0.8]))
@example(([0.3, 0.0, 0.7], [0.3, 0.4, 0.3]))
def test_identity_holds_at_50_digits(pq):
    p, q = (Categorical(_vector(w)) for w in pq)
    lhs = cross_entropy(p, q)
    rhs = entropy(p) + kl_divergence(p, q)
    if lhs == oo:
        assert rhs == oo
        assert any(a > 0 and b == 0 for a, b in zip(p.probs, q.probs, strict=False))
        return
    assert abs(lhs.evalf(50) - rhs.evalf(50)) <= Float("1e-45", 50) * max(1, abs(lhs.evalf(50)))
    assert kl_divergence(p, q).evalf(50) >= -Float("1e-45", 50)


def test_python_float_halves_as_the_issue_writes_them():
    p, q = Categorical([1 / 2, 1 / 2, 0]), Categorical([1 / 2, 0, 1 / 2])
    assert cross_entropy(p, q) == oo and cross_entropy(q, p) == oo
    assert entropy(p, base=2) == 1  # 0.5 is exactly 1/2: no approximation, an exact bit


def test_non_dyadic_floats_stay_floats_and_evaluate_to_numbers():
    h = entropy(Categorical([0.1, 0.2, 0.7]), base=2)
    assert h.is_Float and abs(float(h) - 1.1567796494470395) < 1e-12
