"""Tests of the safe formula language ``symxent.parse``."""

from __future__ import annotations

import ast
import doctest
import importlib
import inspect
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sympy import (
    Idx,
    IndexedBase,
    Integer,
    Rational,
    Sum,
    Symbol,
    exp,
    log,
    pi,
    sqrt,
)

from symxent.errors import InvalidInput
from symxent.functions import log_softmax, logsumexp, sigmoid, softmax, softplus, xlogy
from symxent.parse import MAX_LENGTH, MAX_NESTING, parse

parse_module = importlib.import_module("symxent.parse")

K = Symbol("K", integer=True, positive=True)
k, j, y = (Idx(name, (1, K)) for name in "kjy")
p, q, z = (IndexedBase(name) for name in "pqz")
x, w, T, gamma, epsilon = (Symbol(name, real=True) for name in ("x", "w", "T", "gamma", "epsilon"))
KY = (k, 1, K)
SM = softmax(z[k], KY, y)

EXPRESSIONS = [
    ("x", x),
    ("2", Integer(2)),
    ("0.25", Rational(1, 4)),
    ("1e-3", Rational(1, 1000)),
    ("1_000.5", Rational(2001, 2)),
    ("-x + +w", w - x),
    ("x * w / 2 - 1", x * w / 2 - 1),
    ("x ** 2 ** 3", x**8),
    ("(x + 1) ** gamma", (x + 1) ** gamma),
    ("x ** 0.5", sqrt(x)),
    ("2 ** 10", Integer(1024)),
    ("pi * K", pi * K),
    ("exp(x) + log(w)", exp(x) + log(w)),
    ("log(x, 2)", log(x) / log(2)),
    ("log1p(x)", log(1 + x)),
    ("sqrt(x)", sqrt(x)),
    ("sigmoid(x) * softplus(w)", sigmoid(x) * softplus(w)),
    ("xlogy(x, w)", xlogy(x, w)),
    ("p[k]", p[k]),
    ("q[1] + q[K]", q[1] + q[K]),
    ("k * p[k]", k * p[k]),
    ("sum(p[k] * log(q[k]), k)", Sum(p[k] * log(q[k]), KY)),
    ("-sum(p[k] * log(p[k] / q[k]), k)", -Sum(p[k] * log(p[k] / q[k]), KY)),
    ("sum(p)", Sum(p[k], KY)),
    ("logsumexp(z)", logsumexp(z[k], KY)),
    ("logsumexp(z) - z[y]", logsumexp(z[k], KY) - z[y]),
    ("softmax(z)[y]", SM),
    ("log_softmax(z)[y]", log_softmax(z[k], KY, y)),
    ("softmax(z[j] / T, j)[y]", softmax(z[j] / T, (j, 1, K), y)),
    ("logsumexp(z[j] * T, j)", logsumexp(z[j] * T, (j, 1, K))),
    ("sum(p[j] * log(softmax(z)[j]), j)", Sum(p[j] * log(softmax(z[k], KY, j)), (j, 1, K))),
    ("sum(p[k] * log(softmax(z)[k]), k)", Sum(p[k] * log(softmax(z[j], (j, 1, K), k)), KY)),
    ("-(1 - softmax(z)[y])**gamma * log(softmax(z)[y])", -((1 - SM) ** gamma) * log(SM)),
    (
        "-(1 - epsilon) * log(softmax(z)[y]) - epsilon / K * sum(log_softmax(z)[j], j)",
        -(1 - epsilon) * log(SM) - epsilon / K * Sum(log_softmax(z[k], KY, j), (j, 1, K)),
    ),
    ("  x\n", x),
    ("(x +\n w)", x + w),
]


@pytest.mark.parametrize(("text", "expected"), EXPRESSIONS)
def test_parse_builds_the_expression(text: str, expected) -> None:
    assert parse(text) == expected


def test_fixed_number_of_classes() -> None:
    k3 = Idx("k", (1, 3))
    assert parse("sum(p[k], k) + p[3]", K=3) == Sum(p[k3], (k3, 1, 3)) + p[3]
    with pytest.raises(InvalidInput, match="index 4 out of range"):
        parse("p[4]", K=3)


@pytest.mark.parametrize("bad_k", [0, -1, 2.0, True, "3"])
def test_bad_number_of_classes(bad_k: object) -> None:
    with pytest.raises(InvalidInput, match="K must be"):
        parse("x", K=bad_k)


MARKER = Path("/tmp/symxent-parse-was-evaluated")
DUNDER = f"__import__('os').system('touch {MARKER}')"

REJECTED = [
    (DUNDER, "call of an expression at column 1"),
    (f"exec(\"open('{MARKER}', 'w')\")", "unknown function 'exec'"),
    ("eval('1')", "unknown function 'eval'"),
    ("().__class__", "attribute access"),
    ("x.real", "attribute access"),
    ("__import__", "name '__import__' is not allowed"),
    ("_x + 1", "name '_x' is not allowed"),
    ("lambda: 1", "lambda"),
    ("[x for x in w]", "comprehension"),
    ("sum(x for x in w)", "bad arguments to sum"),
    ("'text'", "string"),
    ("b'bytes'", "string"),
    ("f'{x}'", "f-string"),
    ("log(*x)", "starred"),
    ("log(x=1)", "keyword arguments"),
    ("x < w", "comparison"),
    ("x and w", "boolean operator"),
    ("not x", "operator Not"),
    ("(x := 1)", "assignment"),
    ("x if w else 1", "conditional"),
    ("(x, w)", "Tuple"),
    ("p[k, j]", "bad index at column 3"),
    ("p[1:2]", "bad index"),
    ("p[-1]", "bad index"),
    ("p[0]", "index 0 out of range"),
    ("p[k + 1]", "bad index"),
    ("(x + w)[k]", "only a vector can be indexed"),
    ("logsumexp(z)[y]", "only a vector can be indexed"),
    ("foo(x)", "unknown function 'foo' at column 1 (expected one of: abs, exp, log"),
    ("x + Sum(x)", "unknown function 'Sum' at column 5"),
    ("log(x, w, 2)", "log takes 1 or 2 argument"),
    ("log", "'log' is a function"),
    ("softmax(z)", "is a vector"),
    ("softmax(z + 1)[y]", "bad arguments to softmax"),
    ("sum(p[k], K)", "bad arguments to sum"),
    ("z + z[k]", "'z' is a vector at column 1"),
    ("p[p]", "'p' is used as an index"),
    ("K[1]", "'K' cannot be indexed"),
    ("x ^ 2", "operator ^ is not supported at column 3 (expected ** for powers)"),
    ("x // 2", "operator //"),
    ("x @ w", "operator MatMult"),
    ("1 / 0", "division by zero"),
    ("log(0)", "log(0)"),
    ("log(x, 0)", "base 0"),
    ("True", "True is not allowed"),
    ("1j", "1j is not allowed"),
    ("9**9**9**9", "exponent 387420489 too large"),
    ("x ** 1001", "exponent 1001 too large at column 6"),
    ("(x ** 100) ** 100", "exponent 10000 too large"),
    ("(2 ** 1000) ** 100", "power too large"),
    ("(7**1000 + 11) ** 0.5", "root of a long number"),
    ("sqrt(7**1000 + 11)", "root of a long number"),
    ("1" * 101, "integer too long"),
    ("1e-101", "number too long"),
    ("1e999999999", "number too long"),
    ("x" * 100_000, "100000 characters"),
    ("(" * 1_000 + "x" + ")" * 1_000, "2001 characters"),
    ("(" * 500 + "x" + ")" * 500, f"nested more than {MAX_NESTING} deep at column 51"),
    ("[" * 500, f"nested more than {MAX_NESTING} deep"),
    ("-" * 1_000 + "x", "nested more than 100 deep"),
    ("+".join(["x"] * 200), "use sum"),
    ("", "empty formula"),
    (" \n\t ", "empty formula"),
    ("x +", "syntax error at the end"),
    ("x w", "syntax error at column 3"),
    ("é + )", "syntax error at column 5: unmatched"),
    ("x\0", "null bytes"),
]


@pytest.mark.parametrize(("text", "message"), REJECTED)
def test_bad_input_is_rejected_quickly(text: str, message: str) -> None:
    start = time.perf_counter()
    with pytest.raises(InvalidInput, match=re.escape(message)):
        parse(text)
    assert time.perf_counter() - start < 0.5


def test_error_messages_are_one_line() -> None:
    for text, _ in REJECTED:
        with pytest.raises(InvalidInput) as info:
            parse(text)
        assert "\n" not in str(info.value)


def test_column_counts_characters_not_bytes() -> None:
    with pytest.raises(InvalidInput, match="unknown function 'foo' at column 7"):
        parse("αβγ + foo(x)")
    with pytest.raises(InvalidInput, match="at line 2, column 4"):
        parse("(x +\n 2 ^ w)")


def test_no_side_effects() -> None:
    MARKER.unlink(missing_ok=True)
    for text in (DUNDER, f"(lambda: {DUNDER})()", f"[{DUNDER} for _ in 'a']", f"log({DUNDER})"):
        with pytest.raises(InvalidInput):
            parse(text)
    assert not MARKER.exists()


def test_non_string_is_rejected() -> None:
    with pytest.raises(InvalidInput, match="must be a str"):
        parse(b"x")  # type: ignore[arg-type]


def test_text_of_the_maximum_length_is_accepted() -> None:
    text = "+".join(["x"] * 50)
    text += " " * (MAX_LENGTH - len(text))
    assert parse(text) == 50 * x


ALPHABET = "xwkyzpqK0129.e_+-*/()[], \n^%<=\"'" + "abcdefghijklmnopqrstuvwxyz"
TOKENS = st.sampled_from(
    ["x", "p", "z", "k", "y", "K", "gamma", "1", "0", "2.5", "1e9", "9", "+", "-", "*", "/",
     "**", "(", ")", "[", "]", ",", "log", "exp", "sqrt", "sum", "softmax", "log_softmax",
     "logsumexp", "sigmoid", "softplus", "xlogy", "log1p", "abs", "tanh", "pi", " "]
)  # fmt: skip


def _parse_or_invalid(text: str) -> None:
    try:
        parse(text)
    except InvalidInput as error:
        assert "\n" not in str(error)


@settings(max_examples=300, deadline=None)
@given(st.text())
@example("\ud800")
@example("x\x00")
@example("0" * 5000)
def test_arbitrary_text_raises_only_invalid_input(text: str) -> None:
    _parse_or_invalid(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_text_over_the_alphabet_raises_only_invalid_input(text: str) -> None:
    _parse_or_invalid(text)


def _formulas(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    index = st.sampled_from(["k", "j", "y", "1", "2"])
    return st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(st.sampled_from(["-", "+"]), inner).map("".join),
        st.tuples(st.sampled_from(["exp", "log", "sqrt", "log1p", "sigmoid", "abs"]), inner).map(
            lambda t: f"{t[0]}({t[1]})"
        ),
        st.tuples(st.sampled_from(["xlogy", "log"]), inner, inner).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"
        ),
        st.tuples(inner, st.sampled_from(["k", "j"])).map(lambda t: f"sum({t[0]}, {t[1]})"),
        st.tuples(st.sampled_from(["softmax", "log_softmax"]), index).map(
            lambda t: f"{t[0]}(z)[{t[1]}]"
        ),
        st.tuples(inner, st.sampled_from(["k", "j"]), index).map(
            lambda t: f"softmax({t[0]}, {t[1]})[{t[2]}]"
        ),
        st.tuples(inner, st.sampled_from(["k", "j"])).map(lambda t: f"logsumexp({t[0]}, {t[1]})"),
    )


ATOMS = st.sampled_from(
    ["x", "w", "gamma", "K", "pi", "0", "1", "2", "0.5", "1e3", "p[k]", "z[y]", "q[1]", "k", "p[K]"]
)
FORMULAS = st.recursive(ATOMS, _formulas, max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(FORMULAS, st.sampled_from([None, 3]))
def test_grammatical_formulas_parse_or_raise_invalid_input(text: str, classes: int | None) -> None:
    try:
        assert parse(text, K=classes) == parse(text, K=classes)
    except InvalidInput as error:
        assert "\n" not in str(error)


@given(st.decimals(min_value=-(10**6), max_value=10**6, places=6))
def test_decimals_are_exact(number: Decimal) -> None:
    assert parse(str(number)) == Rational(*number.as_integer_ratio())


@settings(max_examples=500, deadline=None)
@given(st.lists(TOKENS, max_size=40).map("".join))
@example("softmax(softmax(z)[k], k)[y]")
@example("softmax(z[k], k)[k]")
@example("sum(sum(p[k], k), k)")
@example("logsumexp(1, k)")
@example("sigmoid(1e9) ** 1e9")
@example("0 ** 0")
@example("0 ** -1.5")
def test_token_sequences_raise_only_invalid_input(text: str) -> None:
    _parse_or_invalid(text)


def test_module_never_evaluates_text() -> None:
    tree = ast.parse(inspect.getsource(parse_module))
    called = {
        getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    forbidden = {"eval", "exec", "compile", "sympify", "parse_expr", "S", "literal_eval"}
    assert not called & forbidden
    assert not imported & (forbidden - {"S"})  # S.Half is used, S(...) is not


def test_doctests() -> None:
    assert doctest.testmod(parse_module, optionflags=doctest.ELLIPSIS).failed == 0
