"""The derivation engine: steps, chains, and what a certificate may claim."""

import pytest
from sympy import Symbol, log, pi, polylog

from symxent import Derivation, InvalidInput, Step, VerificationFailed, chain
from symxent.derivation import compose
from symxent.domains import Interval

p, q = Symbol("p", positive=True), Symbol("q", positive=True)
DOMAINS = [Interval(p, 0, 1), Interval(q, 0, 1)]


def _one(step: Step, samples: int = 16) -> object:
    return Derivation("t", "t", [step], assumptions=DOMAINS).verify(samples=samples)


def test_true_step_is_symbolic():
    cert = _one(Step(log(p / q), "=", log(p) - log(q), "log of a quotient"))
    assert cert.ok
    assert cert.steps[0].method == "symbolic"
    assert cert.steps[0].detail.endswith("spot-checked")


def test_false_step_fails_naming_step_and_counterexample():
    d = Derivation(
        "bad",
        "bad",
        chain(
            log(p / q),
            ("=", log(p) - log(q), "log of a quotient"),
            ("=", log(p) + log(q), "a wrong sign"),
        ),
        assumptions=DOMAINS,
    )
    cert = d.verify(samples=8)
    assert not cert.ok
    assert [s.ok for s in cert.steps] == [True, False]
    bad = cert.steps[1]
    assert bad.number == 2 and set(bad.counterexample) == {"p", "q"}
    assert "lhs = " in bad.detail and "rhs = " in bad.detail
    with pytest.raises(VerificationFailed, match="step 2 \\(a wrong sign\\)"):
        cert.raise_for_failure()


def test_undecidable_step_is_numeric_with_digits_and_points():
    dilog = Step(
        polylog(2, p) + polylog(2, 1 - p),
        "=",
        pi**2 / 6 - log(p) * log(1 - p),
        "Euler's reflection formula for the dilogarithm",
    )
    cert = Derivation("e", "e", [dilog], assumptions=[Interval(p, 0, 1)]).verify(dps=30, samples=7)
    (s,) = cert.steps
    assert cert.ok and s.method == "numeric"
    assert (s.digits, s.samples) == (30, 7)
    assert "7 points at 30 digits" in s.detail


def test_numeric_fallback_still_catches_false_undecidable_step():
    wrong = Step(polylog(2, p) + polylog(2, 1 - p), "=", pi**2 / 6, "missing a term")
    cert = Derivation("e", "e", [wrong], assumptions=[Interval(p, 0, 1)]).verify(samples=4)
    assert not cert.ok and cert.steps[0].method == "numeric"


def test_inequality_steps():
    assert _one(Step(p * q, "<=", p, "q <= 1")).ok
    assert not _one(Step(p, "<=", p * q, "backwards"), samples=8).ok
    assert _one(Step(p + 1, ">", p, "adding one")).ok


def test_missing_domain_is_reported_not_claimed():
    x = Symbol("x", positive=True)
    cert = Derivation("m", "m", [Step(x + 1, "=", x + 2, "wrong")], assumptions=[]).verify(
        samples=2
    )
    assert not cert.ok
    assert "no domain declared for ['x']" in cert.steps[0].detail


@pytest.mark.parametrize(
    ("relations", "expected"),
    [
        (["=", "="], "="),
        (["=", "<=", "="], "<="),
        (["<=", "<"], "<"),
        ([">=", "="], ">="),
        (["=", ">"], ">"),
    ],
)
def test_chain_relation_composition(relations, expected):
    assert compose(relations) == expected


def test_mixing_le_and_ge_is_rejected():
    with pytest.raises(InvalidInput, match="mixes"):
        compose(["<=", ">="])


def test_chains_split_where_lhs_changes():
    steps = [
        *chain(p, ("<=", p + q, "add q"), ("=", q + p, "commute")),
        Step(q, "<", q + 1, "add one"),
    ]
    d = Derivation("c", "c", steps, assumptions=DOMAINS)
    assert [(c.first, c.last, c.relation) for c in d.chains] == [(0, 1, "<="), (2, 2, "<")]
    cert = d.verify(samples=4)
    assert [c.statement for c in cert.chains] == ["p ≤ p + q", "q < 1 + q"]


def test_bad_relation_and_empty_derivation():
    with pytest.raises(InvalidInput, match="relation"):
        Step(p, "!=", q, "nope")
    with pytest.raises(InvalidInput, match="no steps"):
        Derivation("x", "x", [])


def test_certificate_json_shape():
    cert = _one(Step(p, "=", p, "trivially"))
    data = cert.to_dict()
    assert data["ok"] is True and data["steps"][0]["method"] == "symbolic"


def test_focal_gradient_regrouping_is_proved_with_opaque_softmax():
    """(1 − s)^γ·s/(1 − s) = (1 − s)^(γ−1)·s once each softmax value is an opaque symbol."""
    from symxent import gradient

    cert = gradient("-(1 - softmax(z)[y])**gamma * log(softmax(z)[y])", ["z"]).verify(samples=3)
    assert cert.ok
    assert [s.method for s in cert.steps] == ["symbolic", "symbolic"]
    assert "opaque" in cert.steps[1].detail


def test_opaque_symbols_do_not_prove_a_false_regrouping():
    from sympy import IndexedBase

    from symxent.domains import ClassIndex, RealVector
    from symxent.functions import softmax
    from symxent.sums import K, j, k

    z = IndexedBase("z")
    s = softmax(z[k], (k, 1, K), j)
    wrong = Step(s**2 / (1 - s), "=", s / (1 - s) ** 2, "a wrong regrouping")
    cert = Derivation("w", "w", [wrong], assumptions=[RealVector(z, K), ClassIndex(j, K)]).verify(
        samples=6
    )
    assert not cert.ok and cert.steps[0].method == "numeric"


@pytest.mark.parametrize(
    "build",
    [
        lambda: Step("log(p)", "=", p, "a string is never parsed"),
        lambda: chain("__import__('os').getcwd()", ("=", p, "nor here")),
    ],
)
def test_strings_are_refused_not_parsed(build):
    with pytest.raises(InvalidInput, match="is the string"):
        build()


def test_string_base_is_refused():
    from symxent import Bernoulli, entropy

    with pytest.raises(InvalidInput, match="logarithm base is the string"):
        entropy(Bernoulli(), base="2")
