"""symxent.accuracy: ULPs, Herbie bits, non-finite counts, escalation, executors."""

from concurrent.futures import ThreadPoolExecutor

import mpmath
import numpy as np
import pytest
from sympy import Idx, IndexedBase, Sum, Symbol, exp, log

from symxent.accuracy import accuracy, ulp_error
from symxent.errors import InvalidInput
from symxent.reference import reference

K = Symbol("K", integer=True, positive=True)
k, y, z = Idx("k", (1, K)), Idx("y", (1, K)), IndexedBase("z")
CE = -log(exp(z[y]) / Sum(exp(z[k]), (k, 1, K)))


@pytest.mark.parametrize(
    ("computed", "truth", "dtype", "expected"),
    [
        (1.0, 1, np.float64, 0.0),
        (np.nextafter(1.0, 2.0), 1, np.float64, 1.0),
        (np.float32(1.0), 1 + mpmath.mpf(2) ** -22, np.float32, 2.0),
        (np.inf, mpmath.inf, np.float64, 0.0),
        (np.nan, 1, np.float64, np.inf),
    ],
)
def test_ulp_error_table(computed, truth, dtype, expected):
    assert ulp_error(computed, mpmath.mpf(truth), dtype) == expected


def test_exact_implementation_scores_zero_bits():
    x = Symbol("x")
    r = accuracy(lambda x: x * x, x**2, (np.array([0.5, 2.0, 3.0]),))
    assert r.max_bits == 0 and r.max_ulp == 0 and r.nonfinite == 0


def test_one_ulp_off_is_one_bit():
    x = Symbol("x")
    r = accuracy(lambda x: np.nextafter(x, np.inf), x, (np.array([1.0, 3.0]),))
    assert r.max_bits == 1.0 and r.max_ulp == pytest.approx(1.0, abs=0.01)


def test_naive_cross_entropy_is_non_finite_at_huge_spread():
    def naive(z, y):
        return -np.log(np.exp(z[..., y]) / np.exp(z).sum(axis=-1))

    with np.errstate(all="ignore"):
        r = accuracy(naive, CE, (np.array([1000.0, 0.0, -1000.0]), np.array(2)))
    assert r.nonfinite == 1 and r.worst.truth == "2000.0"


def test_reference_absorption_is_not_charged_to_the_implementation():
    # log(1 + e^-300) is 0 at 50 digits; the doubtful point is re-evaluated with more.
    r = accuracy(lambda z, y: np.exp(-300.0), CE, (np.array([0.0, -300.0]), np.array(0)))
    assert r.max_ulp < 1


def test_threads_are_refused():
    with pytest.raises(InvalidInput, match="processes"):
        accuracy(
            lambda z, y: z[..., 0],
            CE,
            (np.zeros((600, 2)), np.zeros(600, int)),
            workers=ThreadPoolExecutor(2),
        )


@pytest.mark.parametrize("workers", [None, 2])
def test_process_pool_gives_the_same_report(workers):
    zs = np.random.default_rng(0).normal(0, 5, (1100, 3))
    ys = np.arange(1100) % 3
    fn = reference(CE)
    r = accuracy(lambda z, y: fn(z, y), CE, (zs, ys), workers=workers)
    assert r.n == 1100 and r.max_ulp <= 0.5
