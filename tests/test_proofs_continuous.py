"""The continuous theorems: registered, verified symbolically, derived and rendered."""

import mpmath
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from mpmath import mp
from sympy import Symbol, lambdify

import symxent
from symxent.continuous import Exponential, Laplace, Normal
from symxent.derivation import Derivation, Step
from symxent.integrals import Integral, quad_divergence

IDS = ("gaussian-cross-entropy", "gaussian-kl", "exponential-kl", "laplace-kl")


@pytest.fixture(scope="module")
def certificates():
    return {i: symxent.get(i).verify(samples=3) for i in IDS}


@pytest.mark.parametrize("derivation_id", IDS)
def test_every_step_verifies_symbolically(certificates, derivation_id):
    cert = certificates[derivation_id]
    assert cert.ok, cert.summary()
    assert {s.method for s in cert.steps} == {"symbolic"}


@pytest.mark.parametrize("derivation_id", IDS)
def test_results_are_derived_by_integration(derivation_id):
    d = symxent.get(derivation_id)
    integrated = [s for s in d.steps if s.lhs.has(Integral) or s.rhs.has(Integral)]
    assert len(integrated) >= 3
    assert not d.final.has(Integral) and d.source == "001"


def test_a_wrong_moment_fails_with_a_counterexample():
    sigma, x = Symbol("sigma", positive=True), Symbol("x", real=True)
    P = Normal(0, sigma)
    wrong = Step(Integral(P.density(x) * x**2, (x, -30, 30)), "=", 2 * sigma**2, "wrong")
    cert = Derivation("wrong", "wrong", [wrong], assumptions=[P]).verify(samples=4)
    assert not cert.ok and cert.steps[0].counterexample


def _final_at(derivation_id, point, dps):
    d = symxent.get(derivation_id)
    names = sorted(d.final.free_symbols, key=str)
    f = lambdify(names, d.final, modules="mpmath")
    with mp.workdps(dps):
        return f(*(mpmath.mpf(point[s]) for s in names))


def _close(a, b, digits=28):
    return abs(a - b) <= max(1, abs(b)) * mpmath.mpf(10) ** (-digits)


mu1, mu2 = Symbol("mu_1", real=True), Symbol("mu_2", real=True)
sigma1, sigma2 = Symbol("sigma_1", positive=True), Symbol("sigma_2", positive=True)
lam1, lam2 = Symbol("lambda_1", positive=True), Symbol("lambda_2", positive=True)
b1, b2, delta = (Symbol(n, positive=True) for n in ("b_1", "b_2", "delta"))
SCALE = st.floats(-2, 2).map(lambda e: 10.0**e)
LOC = st.floats(-30, 30)


@settings(max_examples=4, deadline=None)
@given(LOC, SCALE, LOC, SCALE)
@example(-500.0, 1.0, 500.0, 1.0)
@example(0.0, 1e-2, 1.0, 1e2)
def test_gaussian_final_forms_match_quadrature(a, sa, b, sb):
    point = {mu1: a, sigma1: sa, mu2: b, sigma2: sb}
    P, Q = Normal(mu1, sigma1), Normal(mu2, sigma2)
    with mp.workdps(30):
        kl = quad_divergence(P, Q, point, 30, kind="kl")
        ce = quad_divergence(P, Q, point, 30)
        assert _close(_final_at("gaussian-kl", point, 30), kl)
        assert _close(_final_at("gaussian-cross-entropy", point, 30), ce)


@settings(max_examples=4, deadline=None)
@given(SCALE, SCALE, st.floats(0.0, 30.0))
@example(1e-2, 1e2, 0.0)
def test_exponential_and_laplace_final_forms_match_quadrature(r1, r2, gap):
    with mp.workdps(30):
        point = {lam1: r1, lam2: r2}
        kl = quad_divergence(Exponential(lam1), Exponential(lam2), point, 30, kind="kl")
        assert _close(_final_at("exponential-kl", point, 30), kl)
        # mu_2 below mu_1: the mirrored case, which the proof reduces to delta = |mu_2 - mu_1|
        point = {b1: r1, b2: r2, delta: gap, mu1: 1.0}
        P, Q = Laplace(mu1, b1), Laplace(mu1 - delta, b2)
        kl = quad_divergence(P, Q, point, 30, kind="kl")
        assert _close(_final_at("laplace-kl", point, 30), kl)


@pytest.mark.parametrize("derivation_id", IDS)
def test_renders_in_three_formats(derivation_id):
    d = symxent.get(derivation_id)
    assert r"\int" in d.to_latex() and "\\begin{aligned}" in d.to_markdown()
    txt = d.to_text()
    assert "∫" in txt and "Integral(" not in txt
    assert all(f"({i})" in txt for i in range(1, len(d.steps) + 1))
