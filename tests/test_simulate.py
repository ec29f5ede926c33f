"""The law-of-large-numbers simulation: empirical PMFs of seeded die rolls."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from symxent.errors import InvalidInput
from symxent.simulate import empirical_pmf, empirical_pmf_path, sup_distance

Q = [0.1, 0.2, 0.3, 0.4]


def test_same_seed_same_path_and_different_seed_different_path() -> None:
    a = empirical_pmf_path(Q, [10, 100, 1000], seed=7)
    np.testing.assert_array_equal(a, empirical_pmf_path(Q, [10, 100, 1000], seed=7))
    assert not np.array_equal(a, empirical_pmf_path(Q, [10, 100, 1000], seed=8))


def test_path_converges_to_q() -> None:
    sizes = [10, 100, 10_000, 1_000_000]
    gaps = sup_distance(empirical_pmf_path(Q, sizes, seed=0), Q)
    assert gaps[-1] < 5e-3  # ~5 standard deviations of p(k) at N = 10^6
    assert gaps[-1] < gaps[0]


def test_rows_extend_one_run() -> None:
    """The first 10 rolls are shared: counts at N = 10 are a sub-multiset of those at 20."""
    path = empirical_pmf_path(Q, [10, 20], seed=3)
    assert np.all(path[0] * 10 <= path[1] * 20 + 1e-12)
    np.testing.assert_allclose(empirical_pmf(Q, 10, seed=3), path[0])


def test_a_face_of_probability_zero_never_shows() -> None:
    assert empirical_pmf([0.5, 0.0, 0.5], 10_000, seed=1)[1] == 0


@pytest.mark.parametrize(
    ("q", "match"),
    [
        ([0.5, 0.7], "sums to 1.2"),
        ([1.5, -0.5], "negative"),
        ([float("nan"), 1.0], "NaN"),
        ([], "non-empty"),
        ([[0.5, 0.5]], "1-D"),
        (["a", "b"], "sequence of probabilities"),
    ],
)
def test_bad_q_is_invalid_input(q: object, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        empirical_pmf(q, 10)


@pytest.mark.parametrize("sizes", [[0], [10, 10], [5, 3], [], [2.5], [True]])
def test_bad_sizes_are_invalid_input(sizes: list) -> None:
    with pytest.raises(InvalidInput):
        empirical_pmf_path(Q, sizes)


def test_sup_distance_checks_shapes() -> None:
    with pytest.raises(InvalidInput, match="shape"):
        sup_distance(np.zeros((2, 3)), Q)


@settings(max_examples=30, deadline=None)
@given(
    w=st.lists(st.floats(0, 1, allow_nan=False), min_size=2, max_size=50).filter(
        lambda w: sum(w) > 0
    ),
    n=st.integers(1, 500),
    seed=st.integers(0, 2**32 - 1),
)
@example(w=[0.0, 1.0, 1.0], n=1, seed=0)
@example(w=[1e-300, 1.0], n=50, seed=0)
@example(w=[1.0] * 50, n=500, seed=0)
def test_pmf_is_counts_over_n(w: list[float], n: int, seed: int) -> None:
    q = np.array(w) / np.sum(w)
    p = empirical_pmf(q, n, seed=seed)
    assert p.shape == q.shape
    assert abs(p.sum() - 1) < 1e-12
    np.testing.assert_allclose(p * n, np.round(p * n), atol=1e-9)
    assert np.all(p[q == 0] == 0)
