"""Tests of symxent.functions: exact derivatives, eval, unfold, printing."""

from __future__ import annotations

import mpmath
import pytest
from mpmath import mp
from sympy import (
    Float,
    Idx,
    IndexedBase,
    KroneckerDelta,
    Rational,
    S,
    Sum,
    Symbol,
    diff,
    exp,
    latex,
    log,
    oo,
    sstr,
    symbols,
)
from sympy.printing.latex import LatexPrinter

from symxent.errors import InvalidInput
from symxent.functions import (
    log_softmax,
    logsumexp,
    resolve_deltas,
    sigmoid,
    softmax,
    softplus,
    xlogy,
)

K = Symbol("K", integer=True, positive=True)
k, j, y = (Idx(name, (1, K)) for name in "kjy")
z, p = IndexedBase("z", real=True), IndexedBase("p")
a, b, c, x = symbols("a b c x", real=True)
k3, j3 = Idx("k", (1, 3)), Idx("j", (1, 3))
LOGITS = {z[1]: Rational(3, 2), z[2]: Rational(-7, 3), z[3]: Rational(1, 5)}


def unfold_all(expr):
    """Elementary form of ``expr``: apply unfold() until no symxent function is left."""
    while (new := expr.replace(lambda e: hasattr(e, "unfold"), lambda e: e.unfold())) != expr:
        expr = new
    return expr.doit()


def value(expr, subs=LOGITS):
    with mp.workdps(50):
        return mpmath.mpf(str(unfold_all(expr).subs(subs).evalf(50)))


def assert_close(lhs, rhs, digits=45):
    assert abs(lhs - rhs) <= mpmath.mpf(10) ** -digits * max(1, abs(rhs))


# --- derivatives ---------------------------------------------------------------------


def test_logsumexp_gradient_is_softmax_symbolic_k():
    assert diff(logsumexp(z[k], (k, 1, K)), z[j]) == softmax(z[k], (k, 1, K), j)


def test_softmax_jacobian_symbolic_k():
    s = softmax(z[k], (k, 1, K), y)
    expected = s * (KroneckerDelta(j, y) - softmax(z[k], (k, 1, K), j))
    assert (diff(s, z[j]) - expected).expand() == 0


def test_log_softmax_gradient_symbolic_k():
    got = diff(log_softmax(z[k], (k, 1, K), y), z[j])
    assert got == KroneckerDelta(j, y) - softmax(z[k], (k, 1, K), j)


def test_soft_target_cross_entropy_gradient():
    i = Idx("i", (1, K))
    loss = -Sum(p[k] * log_softmax(z[i], (i, 1, K), k), (k, 1, K))
    got = resolve_deltas(diff(loss, z[j]))
    assert got == softmax(z[i], (i, 1, K), j) * Sum(p[k], (k, 1, K)) - p[j]


def test_derivative_wrt_logit_free_scalar():
    # Σ_k softmax_k · 1 = 1, so a shared shift has gradient one.
    assert diff(logsumexp(z[k] + c, (k, 1, K)), c) == 1


@pytest.mark.parametrize("index", [j3, 2])
def test_logsumexp_gradient_concrete_k(index):
    assert diff(logsumexp(z[k3], (k3, 1, 3)), z[index]) == softmax(z[k3], (k3, 1, 3), index)


@pytest.mark.parametrize("wrt", [1, 2, 3])
@pytest.mark.parametrize(
    "make",
    [
        lambda: logsumexp([z[1], z[2], z[3]]),
        lambda: softmax([z[1], z[2], z[3]], 2),
        lambda: log_softmax([z[1], z[2], z[3]], 3),
        lambda: softmax(z[k3] ** 2 / 3, (k3, 1, 3), 1),
        lambda: log_softmax(z[k3], (k3, 1, 3), 2),
    ],
)
def test_derived_gradient_matches_elementary_gradient(make, wrt):
    f = make()
    derived = value(diff(f, z[wrt]))
    elementary = value(diff(unfold_all(f), z[wrt]))
    assert_close(derived, elementary)


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (xlogy(a, b), {a: log(b), b: a / b}),
        (sigmoid(x), {x: sigmoid(x) * (1 - sigmoid(x))}),
        (softplus(x), {x: sigmoid(x)}),
    ],
)
def test_elementwise_derivatives(f, expected):
    for var, d in expected.items():
        assert diff(f, var) == d
        check = {a: Rational(3, 7), b: Rational(5, 2), x: Rational(-4, 3)}
        assert_close(value(diff(f, var), check), value(diff(unfold_all(f), var), check))


# --- eval ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (xlogy(0, 0), 0),
        (xlogy(0, a), 0),
        (xlogy(a, 1), 0),
        (xlogy(2, 3), 2 * log(3)),
        (xlogy(2, 0), -oo),
        (xlogy(-2, 0), oo),
        (sigmoid(0), S.Half),
        (sigmoid(oo), 1),
        (sigmoid(-oo), 0),
        (softplus(0), log(2)),
        (softplus(oo), oo),
        (softplus(-oo), 0),
        (logsumexp([a]), a),
        (logsumexp([a, -oo]), a),
        (logsumexp([-oo, -oo]), -oo),
        (logsumexp(z[k], (k, 1, 1)), z[1]),
        (logsumexp(z[k], (k, 2, 1)), -oo),
        (softmax([a], 1), 1),
        (log_softmax([a], 1), 0),
        (softmax(z[k], (k, 4, 4), j), 1),
    ],
)
def test_eval(expr, expected):
    assert expr == expected


def test_eval_on_floats():
    assert abs(sigmoid(Float(2.0)) - 0.8807970779778823) < 1e-15
    assert abs(softplus(Float(-1.0)) - 0.31326168751822286) < 1e-15
    assert sigmoid(a).func is sigmoid and softplus(Rational(1, 2)).func is softplus


def test_symbolic_k_stays_unevaluated_and_unfolds():
    lse = logsumexp(z[k], (k, 1, K))
    assert lse.unfold() == log(Sum(exp(z[k]), (k, 1, K)))
    assert lse.free_symbols == {z.label, K}
    assert logsumexp(z[k3], (k3, 1, 3)).unfold().doit() == log(exp(z[1]) + exp(z[2]) + exp(z[3]))


def test_substituting_the_bound_index_leaves_summand_alone():
    s = softmax(z[k], (k, 1, K), k)
    assert s.subs(k, j) == softmax(z[k], (k, 1, K), j)
    assert s.subs(K, 3).limits[2] == 3


# --- unfold agrees numerically with the definition (50 digits) ------------------------


def _mp_lse(xs):
    return mpmath.log(mpmath.fsum(mpmath.exp(v) for v in xs))


def _logits():
    return [mpmath.mpf(3) / 2, mpmath.mpf(-7) / 3, mpmath.mpf(1) / 5]


@pytest.mark.parametrize(
    ("expr", "truth"),
    [
        (
            xlogy(Rational(1, 3), Rational(2, 7)),
            lambda: mpmath.mpf(1) / 3 * mpmath.log(2 / mpmath.mpf(7)),
        ),
        (sigmoid(Rational(-5, 2)), lambda: 1 / (1 + mpmath.exp(mpmath.mpf(5) / 2))),
        (softplus(Rational(9, 4)), lambda: mpmath.log1p(mpmath.exp(mpmath.mpf(9) / 4))),
        (logsumexp(z[k3], (k3, 1, 3)), lambda: _mp_lse(_logits())),
        (logsumexp([z[1], z[2], z[3]]), lambda: _mp_lse(_logits())),
        (softmax(z[k3], (k3, 1, 3), 2), lambda: mpmath.exp(_logits()[1] - _mp_lse(_logits()))),
        (softmax([z[1], z[2], z[3]], 3), lambda: mpmath.exp(_logits()[2] - _mp_lse(_logits()))),
        (log_softmax(z[k3], (k3, 1, 3), 1), lambda: _logits()[0] - _mp_lse(_logits())),
    ],
)
def test_unfold_round_trip(expr, truth):
    with mp.workdps(50):
        expected = truth()
        assert_close(value(expr), expected)
        if not (closed := expr.subs(LOGITS)).free_symbols:
            assert_close(mpmath.mpf(str(closed.evalf(50))), expected)


# --- printing ------------------------------------------------------------------------


class _IdxAsLabel(LatexPrinter):
    """What a renderer does with Idx: print the bare label."""

    def _print_Idx(self, expr):
        return self._print(expr.label)


kk, jj, T = Symbol("k", integer=True), Symbol("j", integer=True), Symbol("T", positive=True)


@pytest.mark.parametrize(
    ("expr", "tex"),
    [
        (xlogy(a, b), r"a \log{\left(b \right)}"),
        (xlogy(a + c, b), r"\left(a + c\right) \log{\left(b \right)}"),
        (sigmoid(x), r"\sigma\left(x\right)"),
        (sigmoid(x) ** 2, r"\left(\sigma\left(x\right)\right)^{2}"),
        (softplus(-x), r"\operatorname{softplus}\left(- x\right)"),
        (logsumexp(z[kk], (kk, 1, K)), r"\operatorname{logsumexp}_{k=1}^{K} {z}_{k}"),
        (
            logsumexp(z[kk] + c, (kk, 1, K)),
            r"\operatorname{logsumexp}_{k=1}^{K} \left(c + {z}_{k}\right)",
        ),
        (logsumexp([a, b, c]), r"\operatorname{logsumexp}\left(a, b, c\right)"),
        (softmax(z[kk], (kk, 1, K), jj), r"\operatorname{softmax}(z)_{j}"),
        (softmax([a, b, c], 2), r"\operatorname{softmax}\left(a, b, c\right)_{2}"),
        (
            softmax(z[kk] / T, (kk, 1, K), jj),
            r"\operatorname{softmax}_{k=1}^{K}\left(\frac{{z}_{k}}{T}\right)_{j}",
        ),
        (log_softmax(z[kk], (kk, 1, K), jj), r"\log \operatorname{softmax}(z)_{j}"),
    ],
)
def test_latex(expr, tex):
    assert latex(expr) == tex


def test_latex_with_idx_under_a_label_printer():
    tex = _IdxAsLabel().doprint(softmax(z[k], (k, 1, K), y))
    assert tex == r"\operatorname{softmax}(z)_{y}"


@pytest.mark.parametrize(
    ("expr", "text"),
    [
        (xlogy(a, b), "xlogy(a, b)"),
        (logsumexp(z[k], (k, 1, K)), "logsumexp(z[k], (k, 1, K))"),
        (logsumexp([a, b]), "logsumexp([a, b])"),
        (softmax(z[k], (k, 1, K), j), "softmax(z[k], (k, 1, K), j)"),
        (log_softmax([a, b], 1), "log_softmax([a, b], 1)"),
    ],
)
def test_str(expr, text):
    assert sstr(expr) == text


# --- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: logsumexp(z[k], (k, 1)),
        lambda: logsumexp(z[k]),
        lambda: softmax([a, b], 3).unfold(),
    ],
)
def test_invalid_input(make):
    with pytest.raises(InvalidInput):
        make()
