"""symxent.strategies draw what they promise, including the traps."""

import numpy as np
from hypothesis import find, given, settings
from hypothesis import strategies as st

import symxent
from symxent import strategies as sx
from symxent.numeric import lambdify


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6).flatmap(lambda k: sx.simplex(k, batch_shape=(2,))), sx.dtypes())
def test_simplex_rows_are_probability_vectors(p, dtype):
    q = p.astype(dtype)
    assert np.all(q >= 0) and np.allclose(q.sum(axis=-1), 1, atol=1e-6)


def test_traps_are_reachable():
    assert (find(sx.simplex(3), lambda p: bool((p == 0).any())) == 0).any()
    assert find(sx.simplex(3), lambda p: 0 < p.min() <= 1e-300).min() <= 1e-300
    assert np.ptp(find(sx.logits(3), lambda z: np.ptp(z) >= 2000)) >= 2000
    assert np.isinf(find(sx.logits(2, infinity=True), lambda z: np.isinf(z).any())).any()


@settings(max_examples=30, deadline=None)
@given(sx.logits(4, infinity=False))
def test_logits_without_infinity_are_finite(z):
    assert np.all(np.isfinite(z))


@settings(max_examples=20, deadline=None)
@given(sx.arguments(symxent.get("kl-ce-categorical")))
def test_arguments_pass_lambdify_validation(pq):
    p, q = pq
    assert p.shape == q.shape
    lambdify(symxent.get("kl-ce-categorical"))(p, q)  # validate=True: raises if not on the simplex


@settings(max_examples=20, deadline=None)
@given(sx.classification(batch_shape=(3,)))
def test_classification_labels_in_range(zy):
    z, y = zy
    assert y.shape == (3,) and np.all((y >= 0) & (y < z.shape[-1]))
