"""symxent.reference: exact values, conventions, and lambdify's calling convention."""

import inspect

import mpmath
import numpy as np
import pytest
from sympy import Idx, IndexedBase, Sum, Symbol, exp, log

import symxent
from symxent.errors import InvalidInput
from symxent.numeric import lambdify
from symxent.reference import reference, round_to

K = Symbol("K", integer=True, positive=True)
k, y, z, p = Idx("k", (1, K)), Idx("y", (1, K)), IndexedBase("z"), IndexedBase("p")
CE = -log(exp(z[y]) / Sum(exp(z[k]), (k, 1, K)))
ENTROPY = -Sum(p[k] * log(p[k]), (k, 1, K))


@pytest.mark.parametrize(
    ("logits", "label", "expected"),
    [
        ([1000.0, 0.0, -1000.0], 2, "2000.0"),
        ([0.0, 0.0], 0, "0.69314718055994530941723212145817656807550013436026"),
        ([0.0, -300.0], 0, "5.1482002224120137811548619210671309981349982244444e-131"),
    ],
)
def test_cross_entropy_values(logits, label, expected):
    got = reference(CE, dps=60).mp(np.array(logits), np.array(label))
    with mpmath.workdps(60):
        tol = mpmath.mpf(10) ** -15
        assert mpmath.almosteq(got, mpmath.mpf(expected), rel_eps=tol, abs_eps=0)


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ((707.3, 1.0, 1.0), 6.660593816179254e-308),  # log(1 + e^{-707.3}): 0 at 50 digits before
        ((-707.3, 0.0, 1.0), 6.660593816179254e-308),
        ((-40.0, 0.0, 2.0), 4.248354255291589e-18),
    ],
)
def test_log_of_one_plus_tiny_is_log1p(point, expected):
    bce = reference(symxent.get("bce-logits"), args=["z", "y", "w"])
    assert "_xlog1py(" in bce.source
    assert bce(*point) == expected


@pytest.mark.parametrize(("q", "expected"), [(1e-40, 1e-40), (1e-320, 1e-320), (0.5, np.log(2))])
def test_log_of_one_minus_tiny_q(q, expected):
    x, q_ = Symbol("x"), Symbol("q")
    assert reference(-x * log(q_) - (1 - x) * log(1 - q_), args=[q_, x])(q, 0.0) == expected


def test_exp_minus_one_is_expm1():
    x = Symbol("x")
    f = reference(exp(x) - 1)
    assert "mpmath.expm1(x)" in f.source
    assert f(1e-300) == 1e-300 and f(-1e-20) == -1e-20


@pytest.mark.parametrize(
    ("logits", "label", "expected"),
    [
        ([100.0, 0.0], 0, 3.720075976020836e-44),  # logsumexp − z_y cancels 46 digits
        ([0.0, -300.0], 0, 5.148200222412013e-131),  # 1 + e^{-300} absorbs the answer
        ([-np.inf, -0.0229283], 1, 0.0),  # log e^{a} − a: exactly 0, not rounding noise
        ([0.0, -np.inf], 0, 0.0),
        ([1000.0, 0.0, -1000.0], 2, 2000.0),
    ],
)
def test_lost_digits_are_recomputed(logits, label, expected):
    ce = reference(symxent.get("ce-loss-one-hot"))
    assert ce(np.array(logits), np.array(label)) == expected


def test_explicit_dps_is_taken_as_given():
    ce = reference(symxent.get("ce-loss-one-hot"))
    assert ce.mp(np.array([0.0, -300.0]), np.array(0), dps=50) == 0  # absorbed at 50 digits
    deep = ce.mp(np.array([0.0, -300.0]), np.array(0), dps=400)
    assert round_to(deep) == 5.148200222412013e-131


def test_zero_conventions():
    h = reference(ENTROPY)
    assert h(np.array([1.0, 0.0])) == 0.0
    q, x = Symbol("q"), Symbol("x")
    assert reference(-x * log(q))(0.0, 1.0) == np.inf  # (q, x): x > 0 = q gives +inf, not NaN
    assert np.isnan(reference(log(q))(-1.0))  # undefined: NaN


def test_batch_axes_and_labels_broadcast():
    got = reference(CE)(np.zeros((2, 3, 4)), np.array([0, 1, 2]))
    assert got.shape == (2, 3) and np.allclose(got, np.log(4))


def test_bad_labels_and_precision_are_invalid_input():
    with pytest.raises(InvalidInput, match=r"0\.\.2"):
        reference(CE)(np.zeros(3), np.array(-1))
    with pytest.raises(InvalidInput, match="dps"):
        reference(CE, dps=10)


@pytest.mark.parametrize(
    ("value", "dtype", "expected"),
    [
        (lambda: mpmath.mpf(1) / 3, np.float32, np.float32(1 / 3)),
        (lambda: mpmath.mpf("0.1"), np.float64, 0.1),
        (lambda: mpmath.ldexp(1, -150), np.float32, 0.0),  # a tie below the subnormals: to even
        (lambda: mpmath.ldexp(3, -151), np.float32, np.float32(2.0**-149)),
        (lambda: mpmath.mpf("1e400"), np.float64, np.inf),
    ],
)
def test_round_to(value, dtype, expected):
    with mpmath.workdps(60):
        x = value()
    assert round_to(x, dtype) == expected


def test_same_signature_as_lambdify_for_the_catalogue():
    checked = 0
    for d in symxent.derivations():
        if d.final is None:
            continue
        try:
            fn = lambdify(d, validate=False)
        except symxent.NotSupported:
            continue
        assert reference(d).params == tuple(inspect.signature(fn).parameters), d.id
        checked += 1
    assert checked >= 5


def test_one_class_tiny_logit_is_exactly_zero_loss():
    """log e^z rounded e^z to exactly 1 at 50 digits, hiding the rounding: −z came out."""
    truth = reference(symxent.get("ce-loss-one-hot"))
    z = np.full((3, 1), 5.01237744e-103)
    assert np.array_equal(truth(z, np.zeros(3, dtype=int)), np.zeros(3))
    assert truth(np.array([[0.0, -40.0]]), np.array([0]))[0] == 4.248354255291589e-18
