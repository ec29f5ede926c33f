"""Tests of symxent.numeric.lambdify: stability, conventions, dtypes, accuracy, validation."""

from __future__ import annotations

import inspect
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from mpmath import mp
from sympy import Idx, IndexedBase, KroneckerDelta, Sum, Symbol, diff, exp, log, symbols

from symxent.errors import InvalidInput, NotSupported
from symxent.functions import log_softmax, logsumexp, sigmoid, softmax
from symxent.numeric import lambdify

K = Symbol("K", integer=True, positive=True)
k, i, j, y = (Idx(name, (1, K)) for name in "kijy")
z, p, q = IndexedBase("z"), IndexedBase("p"), IndexedBase("q")
t, x, eps = symbols("t x epsilon", real=True)

CE_FORM = -log(exp(z[y]) / Sum(exp(z[k]), (k, 1, K)))
CE = lambdify(CE_FORM, name="cross_entropy")
ENTROPY = lambdify(-Sum(p[k] * log(p[k]), (k, 1, K)))
SOFT_CE = lambdify(-Sum(p[k] * log(q[k]), (k, 1, K)))
KL = lambdify(Sum(p[k] * log(p[k] / q[k]), (k, 1, K)))
BCE = lambdify(-t * log(sigmoid(x)) - (1 - t) * log(1 - sigmoid(x)), args=[x, t])


# --- mpmath references (50 digits) and ULP distance ----------------------------------


def ulps(got: float, truth: mpmath.mpf, dtype=np.float64) -> float:
    want = dtype(float(truth))
    if np.isinf(want) or np.isinf(got):
        return 0.0 if got == want else np.inf
    with mp.workdps(50):
        spacing = mpmath.mpf(float(np.spacing(abs(want))))
        return float(abs(mpmath.mpf(float(got)) - truth) / spacing)


def ref_ce(row, label):
    """log Σ e^z − z_y as log1p(Σ_{k≠argmax} e^{z_k − m}) + (m − z_y), free of cancellation."""
    with mp.workdps(50):
        vals = [mpmath.mpf(float(v)) for v in row]
        top = int(np.argmax(row))
        m = vals[top]
        rest = mpmath.fsum(mpmath.exp(v - m) for n, v in enumerate(vals) if n != top)
        return mpmath.log1p(rest) + (m - vals[label])


def ref_entropy(row):
    with mp.workdps(50):
        return -mpmath.fsum(mpmath.mpf(float(v)) * mpmath.log(float(v)) for v in row if v > 0)


def ref_bce(logit, target):
    with mp.workdps(50):
        zz, tt = mpmath.mpf(float(logit)), mpmath.mpf(float(target))
        return max(zz, 0) - zz * tt + mpmath.log1p(mpmath.exp(-abs(zz)))


# --- the known traps -----------------------------------------------------------------


def test_huge_logits_give_exact_cross_entropy():
    logits = np.array([[1000.0, 0.0, -1000.0]] * 3)
    assert CE(logits, np.array([0, 1, 2])).tolist() == [0.0, 1000.0, 2000.0]
    assert CE(np.array([-1000.0, 0.0, 1000.0]), 0) == 2000.0


def test_infinite_logits():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert CE(np.array([0.0, -np.inf]), 0) == 0.0
        assert CE(np.array([0.0, -np.inf]), 1) == np.inf
        assert CE(np.array([np.inf, 0.0]), 1) == np.inf


def test_zero_log_zero_is_zero_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ENTROPY(np.array([0.5, 0.5, 0.0])) == pytest.approx(np.log(2), rel=1e-15)
        assert ENTROPY(np.array([1.0, 0.0])) == 0.0
        assert KL(np.array([0.5, 0.5, 0.0]), np.array([0.5, 0.5, 0.0])) == 0.0


def test_positive_p_against_zero_q_is_infinite_not_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert SOFT_CE(np.array([0.5, 0.5]), np.array([1.0, 0.0])) == np.inf
        assert KL(np.array([0.5, 0.5]), np.array([1.0, 0.0])) == np.inf


@pytest.mark.parametrize(
    ("logit", "expected"), [(1000.0, 1000.0), (-1000.0, 0.0), (-50.0, np.exp(-50.0))]
)
def test_softplus_is_stable(logit, expected):
    f = lambdify(log(1 + exp(x)))
    assert f(logit) == pytest.approx(expected, rel=1e-15)


def test_bce_uses_the_softplus_mix_kernel():
    # −t·log σ(x) − (1 − t)·log(1 − σ(x)) = t·softplus(−x) + (1 − t)·softplus(x): two terms ≥ 0.
    assert "_softplus_mix(x, 1 - t, t)" in BCE.source
    assert BCE(1000.0, 1.0) == 0.0 and BCE(-1000.0, 1.0) == 1000.0
    assert BCE(40.0, 1.0) == pytest.approx(np.exp(-40.0), rel=1e-15)
    soft = 1 - 2.0**-52  # x − x·t would cancel: (1 − t)·x = 30·2^-52 exactly
    assert BCE(30.0, soft) == pytest.approx(float(ref_bce(30.0, soft)), rel=1e-15)


# --- dtypes, batch axes, forms -------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "make_args"),
    [
        (CE, lambda a: (a, np.array([0, 2]))),
        (ENTROPY, lambda a: (np.abs(a) / np.abs(a).sum(-1, keepdims=True),)),
        (BCE, lambda a: (a[:, 0], np.ones(2, np.float32))),
    ],
)
def test_float32_stays_float32(fn, make_args):
    logits = np.array([[0.5, -1.0, 2.0], [3.0, 0.25, -2.0]], dtype=np.float32)
    assert fn(*make_args(logits)).dtype == np.float32


def test_batch_axes_and_broadcasting():
    rng = np.random.default_rng(1)
    logits, labels = rng.normal(size=(2, 3, 5)), rng.integers(0, 5, size=(2, 3))
    out = CE(logits, labels)
    assert out.shape == (2, 3)
    assert out[1, 2] == CE(logits[1, 2], labels[1, 2])
    assert CE(logits, 4).shape == (2, 3)


def test_sums_are_reductions_not_loops():
    assert "numpy.sum(" in ENTROPY.source and "for " not in ENTROPY.source
    assert "_nll_at(z, y)" in CE.source


@pytest.mark.parametrize(
    "form",
    [
        CE_FORM,
        logsumexp(z[k], (k, 1, K)) - z[y],
        -log(softmax(z[k], (k, 1, K), y)),
        -log_softmax(z[k], (k, 1, K), y),
    ],
)
def test_equivalent_forms_compile_to_the_same_kernel(form):
    f = lambdify(form)
    assert f(np.array([1000.0, 0.0, -1000.0]), 2) == 2000.0


def test_soft_targets_label_smoothing_and_gradient():
    logits, labels = np.array([[2.0, -1.0, 0.5]]), np.array([1])
    smooth = lambdify(
        -Sum(
            ((1 - eps) * KroneckerDelta(k, y) + eps / K) * log_softmax(z[i], (i, 1, K), k),
            (k, 1, K),
        ),
        args=["z", "y", "epsilon"],
    )
    target = np.array([[0.1 / 3, 0.9 + 0.1 / 3, 0.1 / 3]])
    soft = lambdify(-Sum(p[k] * log_softmax(z[i], (i, 1, K), k), (k, 1, K)), args=["z", "p"])
    assert smooth(logits, labels, 0.1) == pytest.approx(soft(logits, target), rel=1e-14)
    grad = lambdify(diff(-log_softmax(z[k], (k, 1, K), y), z[j]), args=["z", "y", "j"])
    h = 1e-6
    for col in range(3):
        bump = np.eye(3)[col] * h
        numeric = (CE(logits + bump, labels) - CE(logits - bump, labels)) / (2 * h)
        assert grad(logits, labels, col) == pytest.approx(numeric, abs=1e-8)


def test_explicit_and_concrete_vectors():
    a, b = symbols("a b")
    assert lambdify(logsumexp([a, b]))(1000.0, 1000.0) == pytest.approx(1000 + np.log(2))
    k3 = Idx("k", (1, 3))
    f = lambdify(log_softmax(z[k3], (k3, 1, 3), 2))
    assert f(np.array([1000.0, 0.0, -1000.0])) == -1000.0


# --- the returned callable -----------------------------------------------------------


def test_signature_name_doc_and_expr():
    assert CE.__name__ == "cross_entropy"
    assert list(inspect.signature(CE).parameters) == ["z", "y"]
    assert r"\log{\left(\frac{e^{{z}_{y}}}{\sum_{k=1}^{K} e^{{z}_{k}}} \right)}" in CE.__doc__
    assert "0-based" in CE.__doc__ and CE.expr == CE_FORM


def test_duck_typed_derivation():
    class Derivation:
        numeric_expr = CE_FORM

    class Final:
        final = CE_FORM

    for obj in (Derivation(), Final()):
        assert lambdify(obj)(np.array([1000.0, 0.0, -1000.0]), 2) == 2000.0


@pytest.mark.parametrize("bad", ["-log(p)", 3.0])
def test_rejects_non_expressions(bad):
    with pytest.raises(InvalidInput):
        lambdify(bad)


def test_unsupported_sum_is_reported():
    with pytest.raises(NotSupported):
        lambdify(Sum(p[k], (k, 2, K)))


# --- validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("probs", "message"),
    [
        (np.array([[0.5, 0.5], [1.5, -0.5]]), r"p: entry -0.5 in batch row \(1,\)"),
        (np.array([[0.5, np.nan]]), r"p: entry nan in batch row \(0,\)"),
        (np.array([[0.5, 0.5], [0.5, 0.4]]), r"p: sums to 0.9.* in batch row \(1,\)"),
    ],
)
def test_invalid_probabilities(probs, message):
    with pytest.raises(InvalidInput, match=message):
        ENTROPY(probs)


def test_sum_tolerance_depends_on_dtype():
    nearly = np.array([0.5, 0.5 + 1e-7])
    with pytest.raises(InvalidInput):
        ENTROPY(nearly)
    ENTROPY(nearly.astype(np.float32))


@pytest.mark.parametrize(
    ("labels", "message"), [(np.array([0, 3]), "label 3"), (np.array([0.0]), "integers")]
)
def test_invalid_labels(labels, message):
    with pytest.raises(InvalidInput, match=message):
        CE(np.zeros((2, 3)), labels)


def test_validate_false_is_the_unchecked_fast_path():
    fast = lambdify(-Sum(p[k] * log(p[k]), (k, 1, K)), validate=False)
    assert "_check" not in fast.source
    assert np.isfinite(fast(np.array([0.5, 0.4])))


# --- accuracy against mpmath ---------------------------------------------------------

EXTREME_ROWS = [
    [1000.0, 0.0, -1000.0],
    [-1e4, 1e4, 0.0],
    [0.0, 0.0, 0.0],
    [30.0, -30.0, 29.0],
    [1e-300, -1e-300, 0.0],
    [745.0, 709.0, -745.0],
    [1e308, -1e308, 0.0],
]


def test_cross_entropy_within_2_ulp_on_random_and_extreme_logits():
    rng = np.random.default_rng(7)
    rows = [
        *EXTREME_ROWS,
        *(rng.normal(size=3) * s for s in (0.1, 1, 10, 100, 1e3) for _ in range(8)),
    ]
    for row in rows:
        row = np.asarray(row, dtype=np.float64)
        for label in range(3):
            assert ulps(CE(row, label), ref_ce(row, label)) <= 2, (row, label)


def test_entropy_and_bce_within_2_ulp():
    rng = np.random.default_rng(3)
    for probs in [*rng.dirichlet(np.ones(6), size=20), np.array([0.5, 0.5, 0.0, 1e-300 / 2, 0.0])]:
        probs = probs / probs.sum()
        assert ulps(ENTROPY(probs), ref_entropy(probs)) <= 2
    for logit in [*rng.normal(size=20) * 30, 1000.0, -1000.0, 0.0, 40.0, -40.0]:
        for target in (0.0, 1.0, 0.5):
            assert ulps(BCE(logit, target), ref_bce(logit, target)) <= 2, (logit, target)


finite_logits = hnp.arrays(
    np.float64,
    st.integers(2, 6),
    elements=st.floats(-1e4, 1e4, allow_nan=False, allow_subnormal=False),
)


@settings(max_examples=150, deadline=None)
@given(finite_logits, st.integers(0, 5))
@example(np.array([1000.0, 0.0, -1000.0]), 2)
@example(np.array([-1000.0, 0.0, 1000.0]), 0)
@example(np.array([10000.0, -10000.0]), 1)
@example(np.array([0.0, 0.0]), 0)
def test_cross_entropy_matches_mpmath(logits, label):
    label %= logits.size
    got = CE(logits, label)
    assert np.isfinite(got) and got >= 0
    assert ulps(got, ref_ce(logits, label)) <= 2


@settings(max_examples=150, deadline=None)
@given(st.floats(-1e4, 1e4, allow_nan=False), st.sampled_from([0.0, 1.0, 0.5]))
@example(1000.0, 0.0)
@example(1000.0, 1.0)
@example(-1000.0, 0.0)
@example(37.0, 1.0)
def test_bce_matches_mpmath(logit, target):
    assert ulps(BCE(logit, target), ref_bce(logit, target)) <= 2


def test_weighted_log_softmax_has_xlogy_semantics():
    lsm = log_softmax(z[i], (i, 1, K), k)
    soft = lambdify(-Sum(p[k] * lsm, (k, 1, K)), args=["z", "p"], validate=False)
    assert "_xlogy_from_log(p, _log_softmax(z))" in soft.source
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        masked = np.array([[-np.inf, 0.0], [-np.inf, 0.0], [np.nan, 0.0]])
        got = soft(masked, np.array([[0.0, 1.0], [0.5, 0.5], [0.0, 1.0]]))
    assert got[0] == 0.0 and not np.signbit(got[0]) and got[1] == np.inf and np.isnan(got[2])


def test_elementwise_formulas_run_in_blocks():
    big = np.linspace(-800, 800, 200_001)  # several blocks of 2^16 elements
    targets = np.resize([0.0, 1.0, 0.25], big.size)
    got = BCE(big, targets)
    assert got.shape == big.shape and "_blockwise(lambda" in BCE.source
    assert got[::1000].tolist() == [
        BCE(a, b) for a, b in zip(big[::1000], targets[::1000], strict=True)
    ]
    assert isinstance(BCE(0.0, 1.0), np.float64)
