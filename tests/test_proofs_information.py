"""The information-theory theorems: they verify, render, compile, and hold at 50 digits."""

import warnings

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from mpmath import log, mp, mpf
from sympy import Float, Rational, nan, oo
from symxent.proofs.cross_entropy_asymmetry import asymmetry, find_asymmetric_pair

from symxent import Categorical, cross_entropy, entropy, get, kl_divergence

IDS = [
    "gibbs-inequality",
    "cross-entropy-minimum",
    "cross-entropy-asymmetry",
    "zero-conventions",
    "log-base-change",
    "coding-interpretation",
]
# Every step is proved symbolically; the coin's convexity a/b² + (1−a)/(1−b)² > 0 is decided
# by the checker's reparametrisation of (0, 1)-valued symbols.
NUMERIC_STEPS: dict[str, set[int]] = {}
half = Rational(1, 2)


@pytest.fixture(scope="module", params=IDS)
def certified(request):
    d = get(request.param)
    return d, d.verify(samples=6)


def test_verifies_with_the_expected_methods(certified):
    d, cert = certified
    assert cert.ok, cert.summary()
    numeric = {s.number for s in cert.steps if s.method == "numeric"}
    assert numeric == NUMERIC_STEPS.get(d.id, set())


def test_inequalities_are_proved_by_the_intended_prover(certified):
    d, cert = certified
    for step, check in zip(d.steps, cert.steps, strict=True):
        if step.by is not None and check.method == "symbolic":
            assert "lemma" in check.detail or "cited theorem" in check.detail


@pytest.mark.parametrize("fmt", ["to_text", "to_latex", "to_markdown"])
def test_renders(certified, fmt):
    d, _ = certified
    out = getattr(d, fmt)()
    if fmt == "to_latex":
        assert out.startswith("\\begin{align*}") and out.count("\\\\\n") == len(d.steps) - 1
    else:
        assert all(s.justification[:20] in out for s in d.steps)


def test_concrete_zero_conventions():
    p, q = Categorical([half, half, 0]), Categorical([half, 0, half])
    assert cross_entropy(p, q) == oo
    assert cross_entropy(q, p) == oo
    assert entropy(p, base=2) == 1


def test_numeric_zero_conventions_give_no_nan_and_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p, q = Categorical([0.5, 0.5, 0.0]), Categorical([0.5, 0.0, 0.5])
        h = entropy(p, base=2).evalf(50)
        # The inputs are double-precision Floats, so the result is good to about 1e-16.
        assert abs(h - 1) < Float("1e-15") and h is not nan
        assert cross_entropy(p, q) == oo and cross_entropy(q, p) == oo


def test_asymmetry_search_finds_a_provably_unequal_pair():
    p, q = find_asymmetric_pair()
    assert p != q and all(v > 0 for v in p + q)
    assert asymmetry(p, q).is_positive
    assert asymmetry(p, p) == 0


# ---- Hypothesis: each statement at 50 digits on random admissible points -------------------

entry = st.sampled_from([0.0, 1e-300]) | st.floats(1e-6, 1.0)
pairs = st.integers(2, 50).flatmap(
    lambda n: st.tuples(
        st.lists(entry, min_size=n, max_size=n), st.lists(entry, min_size=n, max_size=n)
    )
)
EDGES = [
    ([0.0, 1.0], [0.5, 0.5]),
    ([1e-300, 1.0], [1.0, 1e-300]),
    ([1.0] * 50, [1e-300] + [1.0] * 49),
    ([0.0] + [1.0] * 49, [1.0] * 50),
    ([0.0, 1e-300], [0.0, 0.0]),  # once made KL(p‖p) compare p with (1/2, 1/2)
]


def _normalise(ws):
    ws = ws if any(ws) else [1.0] * len(ws)
    total = sum(mpf(w) for w in ws)
    return [mpf(w) / total for w in ws]


def _xlog(a, b):
    return mpf(0) if a == 0 else a * log(b)


def _measures(pw, qw):
    """p, q (q kept positive so every quantity is finite), H(p), H(p,q), KL(p‖q), H(q,p)."""
    p, q = _normalise(pw), _normalise([w or 1e-300 for w in qw])
    hp = -sum(_xlog(a, a) for a in p)
    hpq = -sum(_xlog(a, b) for a, b in zip(p, q, strict=True))
    kl = sum(_xlog(a, a / b) for a, b in zip(p, q, strict=True))
    hqp = -sum(
        _xlog(b, a) if a > 0 else (0 if b == 0 else -mpf("inf")) for a, b in zip(p, q, strict=True)
    )
    return p, q, hp, hpq, kl, hqp


def _with_edges(test):
    for pw, qw in EDGES:
        test = example((pw, qw))(test)
    return settings(max_examples=40, deadline=None)(given(pairs)(test))


@_with_edges
def test_gibbs_and_minimum_at_50_digits(pq):
    with mp.workdps(50):
        p, _, hp, hpq, kl, _ = _measures(*pq)
        tol = mpf(10) ** -45
        assert kl >= -tol  # gibbs-inequality
        assert hpq >= hp - tol  # cross-entropy-minimum
        assert abs(hpq - hp - kl) <= tol * max(1, abs(hpq))
        # KL(p‖p) = 0 with the library's measure: _measures would make p's zeros positive in q.
        same = Categorical([Float(a, 50) for a in p])
        assert abs(kl_divergence(same, same).evalf(50)) <= tol


@_with_edges
def test_asymmetry_identity_at_50_digits(pq):
    # H(p,q) − H(q,p) = [H(p) − H(q)] + [KL(p‖q) − KL(q‖p)], and it vanishes at q = p.
    with mp.workdps(50):
        p, q, hp, hpq, kl, hqp = _measures(*pq)
        if hqp == mpf("inf"):
            return  # q puts mass where p has none: H(q, p) = +∞ by the convention
        hq = -sum(_xlog(b, b) for b in q)
        kl_qp = sum(_xlog(b, b / a) for a, b in zip(p, q, strict=True))
        lhs, rhs = hpq - hqp, (hp - hq) + (kl - kl_qp)
        assert abs(lhs - rhs) <= mpf(10) ** -40 * max(1, abs(lhs))


@_with_edges
def test_log_base_change_at_50_digits(pq):
    with mp.workdps(50):
        p = _normalise(pq[0])
        nats = -sum(_xlog(a, a) for a in p)
        bits = -sum(a * log(a, 2) for a in p if a > 0)
        hartleys = -sum(a * log(a, 10) for a in p if a > 0)
        assert abs(bits - nats / log(2)) <= mpf(10) ** -45
        assert abs(hartleys - nats / log(10)) <= mpf(10) ** -45


@settings(max_examples=30, deadline=None)
@given(st.floats(1e-300, 0.5))
@example(1e-300)
def test_zero_conventions_at_50_digits(x):
    with mp.workdps(50):
        t = mpf(x)
        assert abs(t * log(t)) <= max(2 * mpf(x) ** 0.5, 10 * t)  # x log x → 0 as x → 0⁺
        assert -half * log(t) >= -half * log(mpf("0.5"))  # −p log q grows as q shrinks


def test_measures_are_exact_on_the_library_side():
    p, q = Categorical([half, half]), Categorical([Rational(1, 4), Rational(3, 4)])
    assert (cross_entropy(p, q) - entropy(p) - kl_divergence(p, q)).simplify() == 0
