"""symxent.lemmas: certified lemmas, the termwise prover, cited theorems, extended signs."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from mpmath import ceil, log, mp, mpf
from sympy import IndexedBase, Sum, Symbol, ceiling, oo
from sympy import log as slog

from symxent.derivation import Derivation, Step
from symxent.domains import Real
from symxent.lemmas import (
    CEILING_LOWER,
    CEILING_UPPER,
    KRAFT_TERM,
    LEMMAS,
    LOG_BOUND,
    log_bound_facts,
    prove_termwise,
)
from symxent.models import Categorical
from symxent.sums import K, k

p, q = IndexedBase("p"), IndexedBase("q")
SIMPLEX = [p, q]


def s(term):
    return Sum(term, (k, 1, K))


GIBBS_LHS, GIBBS_RHS = s(p[k] * slog(q[k] / p[k])), s(p[k] * (q[k] / p[k] - 1))


@pytest.mark.parametrize("name", sorted(LEMMAS))
def test_every_registered_lemma_certifies(name):
    assert LEMMAS[name].certify() is True


def test_log_bound_is_derived_by_differentiation():
    facts = log_bound_facts()
    x = facts.x
    assert facts.f1 == 1 - 1 / x
    assert facts.f2 == x**-2
    assert (facts.f_at_1, facts.f1_at_1, facts.stationary) == (0, 0, (1,))


@pytest.mark.parametrize(
    ("lhs", "relation", "rhs", "expected"),
    [
        (GIBBS_LHS, "<=", GIBBS_RHS, LOG_BOUND),
        (GIBBS_RHS, ">=", GIBBS_LHS, LOG_BOUND),
        (s(p[k] * -slog(q[k], 2)), "<=", s(p[k] * ceiling(-slog(q[k], 2))), CEILING_LOWER),
        (s(p[k] * ceiling(-slog(q[k], 2))), "<", s(p[k] * (1 - slog(q[k], 2))), CEILING_UPPER),
        (s(2 ** -ceiling(-slog(q[k], 2))), "<=", s(q[k]), KRAFT_TERM),
        (s(p[k] * (q[k] / p[k] - 1 - slog(q[k] / p[k]))), ">=", 0, LOG_BOUND),
    ],
)
def test_termwise_prover_proves_true_steps(lhs, relation, rhs, expected):
    assert prove_termwise(lhs, relation, rhs, SIMPLEX) is expected


@pytest.mark.parametrize(
    ("lhs", "relation", "rhs"),
    [
        (GIBBS_LHS, ">=", GIBBS_RHS),  # the reversed inequality
        (-GIBBS_LHS, "<=", -GIBBS_RHS),  # negative weights -p(k) flip the lemma
        (GIBBS_LHS, "<", GIBBS_RHS),  # strict, but log x <= x - 1 is not strict
        (GIBBS_LHS, "<=", s(p[k] * (q[k] / p[k] - 2))),  # a wrong right-hand side
        (GIBBS_LHS, "<=", Sum(p[k] * (q[k] / p[k] - 1), (k, 2, K))),  # another range
        (s(p[k] * slog(q[k] / p[k])), "<=", s(q[k] * (q[k] / p[k] - 1))),  # wrong weight
    ],
)
def test_termwise_prover_rejects_false_or_unsupported_steps(lhs, relation, rhs):
    assert prove_termwise(lhs, relation, rhs, SIMPLEX) is None


def test_weight_sign_needs_the_simplex():
    # Without knowing p(k) >= 0 the weight's sign is undecided, so nothing is proved.
    assert prove_termwise(GIBBS_LHS, "<=", GIBBS_RHS, simplex=[]) is None


def test_by_restricts_to_the_named_lemma():
    assert prove_termwise(GIBBS_LHS, "<=", GIBBS_RHS, SIMPLEX, lemma=CEILING_LOWER) is None


def _derivation(*steps, assumptions=None):
    P, Q = Categorical(K, name="p"), Categorical(K, name="q")
    return Derivation("t", "t", list(steps), assumptions=assumptions or [P, Q])


def test_checker_uses_the_lemma_only_when_it_matches():
    good = Step(GIBBS_LHS, "<=", GIBBS_RHS, "lemma", LOG_BOUND)
    fake = Step(GIBBS_LHS, "<=", s(p[k] * (q[k] / p[k] - 1)) - 1, "a tagged falsehood", LOG_BOUND)
    cert = _derivation(good, fake).verify(samples=6)
    assert cert.steps[0].method == "symbolic" and "log x" in cert.steps[0].detail
    assert not cert.steps[1].ok and cert.steps[1].method == "numeric"


def test_cited_theorem_must_match_its_conclusion():
    from symxent.registry import get

    kl = get("gibbs-inequality").final
    cited = Step(kl, ">=", 0, "Gibbs", "gibbs-inequality")
    wrong = Step(kl, ">=", 1, "not what Gibbs says", "gibbs-inequality")
    cert = _derivation(cited, wrong).verify(samples=6)
    assert cert.steps[0].method == "symbolic" and "cited theorem" in cert.steps[0].detail
    assert cert.steps[1].method == "numeric"


def test_extended_sign_decides_infinite_limits():
    M = Symbol("M", real=True)
    cert = _derivation(Step(oo, ">", M, "oo exceeds every M"), assumptions=[Real(M)]).verify(4)
    assert cert.ok and cert.steps[0].method == "symbolic"


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=1e-300, max_value=1e6))
@example(1e-300)
@example(1.0)
def test_log_bound_holds_at_50_digits(x):
    with mp.workdps(50):
        gap = mpf(x) - 1 - log(mpf(x))
        assert gap >= 0
        assert (gap == 0) == (mpf(x) == 1)


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=1e-300, max_value=1.0))
@example(1e-300)
@example(1.0)
@example(0.5)
def test_ceiling_and_kraft_lemmas_hold_at_50_digits(qv):
    with mp.workdps(50):
        y = -log(mpf(qv), 2)
        assert y <= ceil(y) < y + 1
        assert mpf(2) ** -ceil(y) <= mpf(qv)
