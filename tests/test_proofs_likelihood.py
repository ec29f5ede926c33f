"""categorical-likelihood, categorical-mle, ce-minimization-is-mle: checked, rendered, true."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from mpmath import mp, mpf
from sympy import Idx, IndexedBase, KroneckerDelta, Product, Sum, Symbol
from symxent.proofs import categorical_likelihood as lik
from symxent.proofs import categorical_mle as mle
from symxent.proofs import ce_minimization_is_mle as cemle

import symxent
from symxent.checking import Context
from symxent.derivation import Derivation, Step
from symxent.sums import K

IDS = ("categorical-likelihood", "categorical-mle", "ce-minimization-is-mle")
DPS = 50
weights = st.lists(st.floats(0, 1, allow_nan=False), min_size=2, max_size=8).filter(
    lambda w: sum(w) > 0
)
SPREAD_50 = [(i % 7 + 1) / 7 for i in range(50)]


def simplex(w: list[float]) -> list[mpf]:
    """Normalise non-negative weights to a probability vector at the current precision."""
    total = mp.fsum(mpf(x) for x in w)
    return [mpf(x) / total for x in w]


def xlog(a: mpf, b: mpf) -> mpf:
    """a log b with 0 log b = 0 (the convention of source 001)."""
    return mpf(0) if a == 0 else a * mp.log(b)


@pytest.fixture(scope="module")
def certificates() -> dict:
    return {i: symxent.get(i).verify(samples=6) for i in IDS}


@pytest.mark.parametrize("derivation_id", IDS)
def test_verifies_with_every_step_symbolic(certificates: dict, derivation_id: str) -> None:
    cert = certificates[derivation_id]
    assert cert.ok, cert.summary()
    assert [s.method for s in cert.steps] == ["symbolic"] * len(cert.steps), cert.summary()


@pytest.mark.parametrize("derivation_id", IDS)
def test_renders_in_three_formats(derivation_id: str) -> None:
    d = symxent.get(derivation_id)
    latex, markdown, text = d.to_latex(), d.to_markdown(), d.to_text()
    assert latex.startswith(r"\begin{align*}") and "?" not in latex
    assert d.title in markdown and "$$" in markdown
    assert text.count("because") == len(d.steps)


def test_stationarity_is_000s_condition() -> None:
    p, q, k, lam = mle.p, mle.q, mle.k, mle.lam
    assert (mle.GRAD_Q - (-p[k] / q[k] + lam)).expand() == 0
    assert mle.LAMBDA_HAT == 1
    assert p[k] == mle.Q_HAT
    assert mle.MU_HAT == 0
    assert KroneckerDelta(mle.j, k) * p[mle.j] / q[mle.j] ** 2 == mle.HESSIAN


def test_ce_gradients_are_softmax_minus_p() -> None:
    sm = cemle.softmax(cemle.theta[cemle.i], (cemle.i, 1, K), cemle.j)
    target = sm - cemle.p[cemle.j]
    assert target == cemle.GRAD_H and target == cemle.GRAD_KL
    assert (cemle.GRAD_ELL + cemle.N * target).expand() == 0  # ℓ = −N H


def test_a_wrong_regrouping_is_not_proved() -> None:
    n, k = lik.n, lik.k
    delta = KroneckerDelta(lik.X[n], k)
    left = Product(Product(lik.q[k] ** delta, (k, 1, K)), (n, 1, lik.N))
    wrong = Product(lik.q[k] ** (2 * Sum(delta, (n, 1, lik.N))), (k, 1, K))
    right = Product(lik.q[k] ** Sum(delta, (n, 1, lik.N)), (k, 1, K))
    d = Derivation(
        "t", "t", [Step(left, "=", right, "ok")], assumptions=[lik.Draws(lik.X, lik.N, K)]
    )
    ctx = Context(d, DPS, 2, 0)
    assert lik.equal_via_logs(left - right, ctx)
    assert not lik.equal_via_logs(left - wrong, ctx)
    bad = Derivation(
        "t",
        "t",
        [Step(left, "=", wrong, "wrong")],
        assumptions=[lik.Draws(lik.X, lik.N, K), *symxent.get(IDS[0]).assumptions[:1]],
    )
    cert = bad.verify(samples=8)
    assert not cert.ok and cert.steps[0].counterexample


def test_delta_over_several_indices_needs_a_fitting_range() -> None:
    u, w = Idx("u", (1, K)), Idx("w", (1, K))
    f = IndexedBase("f")
    big = Symbol("M", integer=True, positive=True)
    wide = Idx("t", (1, big))
    s = Sum(KroneckerDelta(u, w) * f[u], (u, 1, K), (w, 1, K))
    assert lik._delta_over_several(s) == Sum(f[w], (w, 1, K))
    unsafe = Sum(KroneckerDelta(u, wide) * f[u], (u, 1, K), (wide, 1, big))
    assert lik._delta_over_several(unsafe) == unsafe  # t may exceed K: must not resolve


def test_draws_domain_samples_faces_in_range() -> None:
    rng = random.Random(3)
    for _ in range(20):
        point = lik.Draws(lik.X, lik.N, K).sample(rng, 3, DPS)
        n = int(point[lik.N])
        assert 1 <= n <= lik.MAX_DRAWS
        assert sorted(int(key.indices[0]) for key in point if key != lik.N) == list(range(1, n + 1))
        assert all(1 <= int(v) <= 3 for key, v in point.items() if key != lik.N)


@settings(max_examples=40, deadline=None)
@given(w=weights, seed=st.integers(0, 2**16), n=st.integers(1, 30))
@example(w=[0.0, 1.0, 1.0], seed=0, n=5)
@example(w=[1e-300, 1.0, 2.0], seed=1, n=7)
@example(w=[1.0, 1.0], seed=2, n=1)
@example(w=SPREAD_50, seed=3, n=30)
def test_likelihood_regroups_into_counts(w: list[float], seed: int, n: int) -> None:
    """∏ₙ q(Xₙ) = ∏ₖ q(k)^{N p(k)} and log of it = −N H(p, q), at 50 digits."""
    with mp.workdps(DPS):
        q = simplex(w)
        draws = random.Random(seed).choices(range(len(q)), weights=w, k=n)
        counts = [draws.count(face) for face in range(len(q))]
        per_draw = mp.fprod(q[x] for x in draws)
        per_face = mp.fprod(qk**c for qk, c in zip(q, counts, strict=True))
        assert per_draw > 0 and mp.almosteq(per_draw, per_face, rel_eps=mpf(10) ** -45)
        p = [mpf(c) / n for c in counts]
        cross = -mp.fsum(xlog(pk, qk) for pk, qk in zip(p, q, strict=True))
        assert mp.almosteq(mp.log(per_draw), -n * cross, rel_eps=mpf(10) ** -40)


@settings(max_examples=40, deadline=None)
@given(wp=weights, wq=weights)
@example(wp=[0.0, 1.0, 1.0], wq=[1.0, 1.0, 1.0])
@example(wp=[1e-300, 1.0, 2.0], wq=[1.0, 1e-300, 2.0])
@example(wp=[1.0, 3.0], wq=[2.0, 1.0])
@example(wp=SPREAD_50, wq=SPREAD_50[::-1])
def test_mle_maximises_the_log_likelihood(wp: list[float], wq: list[float]) -> None:
    """Σ p log q ≤ Σ p log p (the MLE is p), and −p/q + λ vanishes at (q, λ) = (p, 1)."""
    size = min(len(wp), len(wq))
    assume(sum(wp[:size]) > 0 and sum(wq[:size]) > 0)
    with mp.workdps(DPS):
        p, q = simplex(wp[:size]), simplex(wq[:size])
        fit = mp.fsum(
            xlog(pk, qk) if qk > 0 else (-mp.inf if pk > 0 else 0)
            for pk, qk in zip(p, q, strict=True)
        )
        best = mp.fsum(xlog(pk, pk) for pk in p)
        assert fit <= best + mpf(10) ** -40
        grad = mle.GRAD_Q.subs(mle.lam, mle.LAMBDA_HAT)
        for pk in p:
            if pk > 0:
                value = grad.xreplace({mle.p[mle.k]: pk, mle.q[mle.k]: pk})
                assert abs(value.evalf(DPS)) < mpf(10) ** -45


@settings(max_examples=30, deadline=None)
@given(
    wp=weights, theta=st.lists(st.floats(-30, 30), min_size=8, max_size=8), n=st.integers(1, 10**6)
)
@example(wp=[0.0, 1.0, 1.0], theta=[0.0] * 8, n=1)
@example(wp=[1e-300, 1.0, 2.0], theta=[5.0, -5.0, 0.5] + [0.0] * 5, n=7)
@example(wp=[1.0, 1.0], theta=[30.0, -30.0] + [0.0] * 6, n=2)
@example(wp=SPREAD_50, theta=[0.1] * 8, n=100)
def test_ce_kl_and_likelihood_share_their_optimisers(
    wp: list[float], theta: list[float], n: int
) -> None:
    """H − KL = H(p̂) for every θ, ℓ = −N H, and ∂H/∂θ_j = softmax_j − p̂_j, at 50 digits."""
    with mp.workdps(DPS):
        p = simplex(wp)
        t = [mpf(theta[i % len(theta)]) for i in range(len(p))]

        def log_q(tt: list, k: int) -> mpf:
            return tt[k] - mp.log(mp.fsum(mp.exp(x) for x in tt))

        def cross(tt: list) -> mpf:
            return -mp.fsum(pk * log_q(tt, k) for k, pk in enumerate(p) if pk > 0)

        kl = mp.fsum(pk * (mp.log(pk) - log_q(t, k)) for k, pk in enumerate(p) if pk > 0)
        entropy = -mp.fsum(xlog(pk, pk) for pk in p)
        assert mp.almosteq(cross(t) - kl, entropy, abs_eps=mpf(10) ** -40)
        ell = mp.fsum(n * pk * log_q(t, k) for k, pk in enumerate(p) if pk > 0)
        assert mp.almosteq(ell, -n * cross(t), rel_eps=mpf(10) ** -40, abs_eps=mpf(10) ** -40)
        j = len(p) - 1
        slope = mp.diff(lambda x: cross([*t[:j], x]), t[j])
        assert mp.almosteq(slope, mp.exp(log_q(t, j)) - p[j], abs_eps=mpf(10) ** -30)


def test_numeric_optimisation_reaches_one_theta() -> None:
    p_hat = np.random.default_rng(2024).dirichlet(np.ones(4))
    thetas = cemle.optimise_objectives(p_hat, n=50, seed=1)
    expected = np.log(p_hat) - np.log(p_hat).mean()
    for name, theta in thetas.items():
        np.testing.assert_allclose(theta, expected, atol=1e-6, err_msg=name)


def test_numeric_optimisation_rejects_a_zero_entry() -> None:
    with pytest.raises(symxent.InvalidInput, match="positive"):
        cemle.optimise_objectives(np.array([0.5, 0.5, 0.0, 0.0]))
