"""Continuous models and the measures of densities: closed forms against 30-digit quadrature."""

import math
import time

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from mpmath import mp
from sympy import E, I, Rational, Symbol, lambdify, log, nan, oo, pi, simplify, sqrt

import symxent
from symxent.continuous import Distance, Exponential, Laplace, Normal, X
from symxent.domains import Positive, Real
from symxent.integrals import (
    Integral,
    _cross_entropy_nats,
    differential_cross_entropy,
    quad_divergence,
)
from symxent.measures import cross_entropy, entropy, kl_divergence
from symxent.models import Bernoulli
from symxent.render import latex, text

m1, m2 = Symbol("m1", real=True), Symbol("m2", real=True)
s1, s2 = Symbol("s1", positive=True), Symbol("s2", positive=True)
s3 = Symbol("s3", positive=True)
PARAMS = (m1, s1, m2, s2)
DIGITS = 30


@pytest.mark.parametrize(
    "build",
    [
        lambda: Normal(0, 0),
        lambda: Normal(0, -1),
        lambda: Normal(nan, 1),
        lambda: Normal(0, float("nan")),
        lambda: Normal(oo, 1),
        lambda: Normal(I, 1),
        lambda: Normal(True, 1),
        lambda: Normal("2x", 1),
        lambda: Normal(0, Symbol("s", negative=True)),
        lambda: Exponential(0),
        lambda: Exponential(-Rational(1, 2)),
        lambda: Exponential(float("nan")),
        lambda: Laplace(0, 0),
        lambda: Laplace(0, -3.5),
        lambda: Laplace(float("nan"), 1),
    ],
)
def test_bad_parameters_are_invalid_input(build):
    with pytest.raises(symxent.InvalidInput, match=r"must be a (positive )?real number|string"):
        build()


def test_names_become_symbols_with_signs_and_domains():
    model = Normal("mu", "sigma")
    assert model.mu.is_real and model.sigma.is_positive
    assert model.domains() == [Real(model.mu), Positive(model.sigma)]
    assert model.constraints() == [model.sigma > 0]
    assert Exponential(3).domains() == [] and Exponential(3).support == (0, oo)
    assert Normal(0, 1) == Normal(0, 1) and hash(Laplace(0, 1)) == hash(Laplace(0, 1))


def test_densities_integrate_to_one_and_distance_unfolds():
    for model in (Normal(m1, s1), Exponential(s1), Laplace(m1, s1)):
        assert simplify(Integral(model.density(), (X, *model.support)).doit()) == 1
    assert text(Distance(X, m1)) == "|x - m1|"
    assert latex(Distance(X, m1)) == r"\left|x - m_{1}\right|"
    assert Integral(Distance(X, 0).unfold() * Laplace(0, 1).density(), (X, -oo, oo)).doit() == 1


def test_measures_dispatch_to_closed_forms():
    ce = cross_entropy(Normal(m1, s1), Normal(m2, s2))
    expected = log(2 * pi * s2**2) / 2 + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2)
    assert simplify(ce - expected) == 0
    assert simplify(entropy(Normal(0, s1)) - log(2 * pi * E * s1**2) / 2) == 0
    assert simplify(entropy(Exponential(1), base=2) - 1 / log(2)) == 0
    assert kl_divergence(Exponential(s1), Exponential(s1)) == 0
    assert kl_divergence(Laplace(m1, s1), Laplace(m1, s1)) == 0


def test_support_mismatch_is_infinite_and_mixing_is_invalid():
    assert cross_entropy(Normal(0, 1), Exponential(1)) == oo
    assert kl_divergence(Laplace(0, 1), Exponential(2)) == oo
    # E[x²]/2 = 1 for Exp(1), plus the normalising constant log √(2π)
    exp_vs_normal = differential_cross_entropy(Exponential(1), Normal(0, 1))
    assert simplify(exp_vs_normal - 1 - log(sqrt(2 * pi))) == 0
    with pytest.raises(symxent.InvalidInput, match="discrete"):
        cross_entropy(Normal(0, 1), Bernoulli())


def test_laplace_order_unknown_gives_one_formula_in_the_distance():
    kl = kl_divergence(Laplace(m1, s1), Laplace(m2, s2))
    assert kl.has(abs(m1 - m2)) or kl.has(abs(m2 - m1))
    flipped = kl.xreplace({m1: -m1, m2: -m2})
    assert simplify(flipped - kl) == 0  # reflection x -> -x leaves KL unchanged


def test_integrations_are_cached():
    P, Q = Normal(m1, s3), Normal(m2, s2)  # a pair no other test integrates
    start = time.perf_counter()
    first = differential_cross_entropy(P, Q)
    cold = time.perf_counter() - start
    hits = _cross_entropy_nats.cache_info().hits
    start = time.perf_counter()
    assert differential_cross_entropy(Normal(m1, s3), Normal(m2, s2)) == first
    assert _cross_entropy_nats.cache_info().hits == hits + 1
    assert time.perf_counter() - start < cold / 10


def _mp_value(expr, values):
    f = lambdify(PARAMS, expr, modules="mpmath")
    return f(*(mpmath.mpf(v) for v in values))


def _agree(closed, reference, digits=DIGITS - 2):
    scale = max(mpmath.mpf(1), abs(reference))
    return abs(closed - reference) <= scale * mpmath.mpf(10) ** (-digits)


LOC = st.floats(-50, 50)
SCALE = st.floats(-3, 3).map(lambda e: 10.0**e)


@settings(max_examples=5, deadline=None)
@given(LOC, SCALE, LOC, SCALE)
@example(0.0, 1.0, 0.0, 1.0)  # identical: KL = 0
@example(-1000.0, 1.0, 1000.0, 1.0)  # far-apart means
@example(0.0, 1e-3, 5.0, 1e3)  # very different scales
@example(3.0, 1e3, -3.0, 1e-3)  # wide p scored by a narrow q
def test_normal_closed_forms_match_quadrature(a, sa, b, sb):
    P, Q = Normal(m1, s1), Normal(m2, s2)
    point = {m1: a, s1: sa, m2: b, s2: sb}
    with mp.workdps(DIGITS):
        for kind, closed in (("kl", kl_divergence(P, Q)), ("cross-entropy", cross_entropy(P, Q))):
            reference = quad_divergence(P, Q, point, DIGITS, kind=kind)
            assert _agree(_mp_value(closed, (a, sa, b, sb)), reference), (kind, point)


@settings(max_examples=5, deadline=None)
@given(SCALE, SCALE)
@example(1.0, 1.0)
@example(1e-3, 1e3)
@example(1e3, 1e-3)
def test_exponential_closed_form_matches_quadrature(r1, r2):
    P, Q = Exponential(s1), Exponential(s2)
    with mp.workdps(DIGITS):
        closed = _mp_value(kl_divergence(P, Q), (0, r1, 0, r2))
        reference = quad_divergence(P, Q, {s1: r1, s2: r2}, DIGITS, kind="kl")
        assert _agree(closed, reference)


@settings(max_examples=5, deadline=None)
@given(LOC, SCALE, LOC, SCALE)
@example(0.0, 1.0, 0.0, 1.0)
@example(-40.0, 1.0, 40.0, 2.0)  # far apart: e^(-80) term below the 30th digit
@example(2.0, 1e-3, -1.0, 1e3)  # the kink of q far outside a narrow p
@example(1.0, 5.0, 1.5, 0.5)  # the kink of q inside the bulk of p
def test_laplace_closed_form_matches_quadrature(a, ba, b, bb):
    P, Q = Laplace(m1, s1), Laplace(m2, s2)
    with mp.workdps(DIGITS):
        closed = _mp_value(kl_divergence(P, Q), (a, ba, b, bb))
        reference = quad_divergence(P, Q, {m1: a, s1: ba, m2: b, s2: bb}, DIGITS, kind="kl")
        assert _agree(closed, reference), (a, ba, b, bb)


@settings(max_examples=4, deadline=None)
@given(SCALE, LOC, SCALE)
@example(1.0, 0.0, 1.0)
@example(1e-3, 40.0, 1e-2)
def test_exponential_scored_by_a_normal_matches_quadrature(rate, b, sb):
    P, Q = Exponential(s1), Normal(m2, s2)
    with mp.workdps(DIGITS):
        closed = _mp_value(cross_entropy(P, Q), (0, rate, b, sb))
        reference = quad_divergence(P, Q, {s1: rate, m2: b, s2: sb}, DIGITS)
        assert _agree(closed, reference)


def test_closed_forms_lambdify_to_numpy():
    kl = lambdify(PARAMS, kl_divergence(Normal(m1, s1), Normal(m2, s2)), modules="numpy")
    a = np.array([0.0, 1.0, -3.0])
    got = kl(a, np.ones(3), np.zeros(3), np.full(3, 2.0))
    expected = np.log(2.0) + (1 + a**2) / 8 - 0.5
    np.testing.assert_allclose(got, expected, rtol=1e-14)
    assert math.isclose(kl(0.0, 1.0, 0.0, 1.0), 0.0, abs_tol=1e-15)


def test_quad_divergence_rejects_unknown_kind():
    with pytest.raises(symxent.InvalidInput, match="kind"):
        quad_divergence(Normal(0, 1), Normal(0, 1), {}, kind="entropy")
