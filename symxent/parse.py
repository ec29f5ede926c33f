"""A safe formula language: text → SymPy expression, built node by node from Python's ``ast``.

The text is parsed with ``ast.parse(text, mode="eval")`` and every node is checked against an
explicit whitelist before a SymPy object is built from it directly; user text is never given to
``eval``, ``exec``, ``compile``, ``sympify`` or ``parse_expr``.

Grammar:

* numbers: integers, and decimals such as ``0.25`` or ``1e-3``, which become *exact* rationals
  (``Rational(1, 4)``), so that derivations are checked on the exact value the user typed;
* names: ``gamma`` is a real scalar ``Symbol("gamma", real=True)``; ``K`` is the number of
  classes; ``pi`` is π;
* ``+ - * / **``, unary ``-`` and ``+``, parentheses;
* ``exp log sqrt log1p sigmoid softplus xlogy tanh abs`` (``log(x, b)`` is the base-b logarithm);
* indexing ``p[k]``, ``z[y]``, ``q[1]`` (1-based): the indexed name is a vector
  ``IndexedBase("p")`` (plain, as everywhere in symxent, so that ``Derivative(f, z[j])`` built
  elsewhere matches), a name inside ``[...]`` is a class index ``Idx("k", (1, K))``;
* ``sum(expr, k)`` is ``Sum(expr, (k, 1, K))``;
* ``logsumexp(z)``, ``softmax(z)[y]``, ``log_softmax(z)[y]`` over a vector name, and the general
  forms ``logsumexp(expr, k)``, ``softmax(expr, k)[y]`` over an expression in the index ``k``,
  e.g. the tempered softmax ``softmax(z[k] / T, k)[y]``.

A name that is used as an index anywhere is that index everywhere (``k * p[k]`` is allowed).

Limits, so that no input can hang the parser or exhaust memory: see the ``MAX_*`` constants.

>>> parse("sum(p[k] * log(q[k]), k)")
Sum(log(q[k])*p[k], (k, 1, K))
>>> parse("x**0.5 + 1/4")
sqrt(x) + 1/4
>>> parse("x ^ 2")
Traceback (most recent call last):
  ...
symxent.errors.InvalidInput: operator ^ is not supported at column 3 (expected ** for powers)
"""

from __future__ import annotations

import ast
import keyword
import math
import operator
import warnings
from collections.abc import Callable
from decimal import Decimal

from sympy import Abs, Expr, Idx, IndexedBase, Integer, Pow, Rational, S, Sum, Symbol, exp, log
from sympy import pi as _pi
from sympy import sqrt as _sqrt
from sympy import tanh as _tanh

from symxent.errors import InvalidInput
from symxent.functions import log_softmax, logsumexp, sigmoid, softmax, softplus, xlogy

MAX_LENGTH = 2_000
"""Longest accepted formula, in characters."""
MAX_NESTING = 50
"""Deepest bracket nesting; checked by scanning the text before ``ast.parse`` sees it."""
MAX_DEPTH = 100
"""Deepest syntax tree (``a + b + …`` of 100 terms is too deep: use ``sum``)."""
MAX_NODES = 1_000
"""Most syntax-tree nodes."""
MAX_DIGITS = 100
"""Most significant digits (and decimal places) in a number literal."""
MAX_EXPONENT = 1_000
"""Largest ``|e|`` of a numeric exponent ``e`` (``(1 + x)**10**6`` would hang ``expand``)."""
MAX_POWER_DIGITS = 10_000
"""Largest estimated number of digits of a power of two numbers, computed exactly."""

K_CLASSES = Symbol("K", integer=True, positive=True)

_UNARY: dict[type, Callable[[Expr], Expr]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_BINARY: dict[type, Callable[[Expr, Expr], Expr]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_SYMBOL_OF = {ast.BitXor: "^", ast.FloorDiv: "//", ast.Mod: "%"}

_ELEMENTARY: dict[str, tuple[Callable[..., Expr], tuple[int, ...]]] = {
    "exp": (exp, (1,)),
    "log": (log, (1, 2)),
    "log1p": (lambda x: log(1 + x), (1,)),
    "sqrt": (_sqrt, (1,)),  # built by _power, which bounds the work
    "sigmoid": (sigmoid, (1,)),
    "softplus": (softplus, (1,)),
    "xlogy": (xlogy, (2,)),
    "tanh": (_tanh, (1,)),
    "abs": (Abs, (1,)),
}
_VECTOR_FUNCTIONS = {"softmax": softmax, "log_softmax": log_softmax}
_REDUCTIONS: dict[str, Callable[..., Expr]] = {"logsumexp": logsumexp, "sum": Sum}
_TAKES_VECTOR = {*_VECTOR_FUNCTIONS, *_REDUCTIONS}
_FUNCTION_NAMES = sorted({*_ELEMENTARY, *_TAKES_VECTOR})
_CONSTANTS: dict[str, Expr] = {"pi": _pi}
_FRESH_INDICES = ("k", "j", "i", "l", "m", "n")


def parse(text: str, *, K: int | None = None) -> Expr:
    """Parse a formula into a SymPy expression, without evaluating any of the text.

    Args:
        text: the formula, e.g. ``"-(1 - softmax(z)[y])**gamma * log(softmax(z)[y])"``.
        K: the number of classes; ``None`` (default) for the symbol ``K``.

    Returns:
        The expression, in symxent's conventions (see the module docstring).

    Raises:
        InvalidInput: the text is not a formula of the language, or exceeds a limit; the
            message gives the column and what was expected.

    >>> parse("log(softmax(z)[y])")
    log(softmax(z[k], (k, 1, K), y))
    >>> parse("p[2] - p[1]", K=3)
    -p[1] + p[2]
    """
    size = _class_count(K)
    source = _Source.of(text)
    tree = source.syntax_tree()
    _check_size(tree, source)
    return _Builder(tree, size, source).build(tree.body)


def _class_count(K: object) -> Expr:
    if K is None:
        return K_CLASSES
    if isinstance(K, bool) or not isinstance(K, int) or K < 1:
        raise InvalidInput(f"K must be None or a positive int, not {K!r}")
    return Integer(K)


class _Source:
    """The formula text, and the translation of parser positions into its columns."""

    def __init__(self, text: str, start: int) -> None:
        self.text = text
        self.start = start
        self.body = text[start:]
        self.lines = self.body.split("\n")

    @classmethod
    def of(cls, text: object) -> _Source:
        if not isinstance(text, str):
            raise InvalidInput(f"a formula must be a str, not {type(text).__name__}")
        if len(text) > MAX_LENGTH:
            raise InvalidInput(f"formula of {len(text)} characters (expected ≤ {MAX_LENGTH})")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        body = text.lstrip()
        if not body.strip():
            raise InvalidInput("empty formula (expected an expression such as 'log(q[y])')")
        source = cls(text, len(text) - len(body))
        source.check_nesting()
        return source

    def where(self, lineno: int, column: int) -> str:
        """'column c' (or 'line l, column c') of a 1-based position in the parsed text."""
        lineno = min(max(lineno, 1), len(self.lines))
        offset = self.start + sum(len(line) + 1 for line in self.lines[: lineno - 1])
        offset += max(column, 1) - 1
        col = offset - self.text.rfind("\n", 0, offset)
        if "\n" not in self.text.rstrip():
            return f"column {col}"
        return f"line {self.text.count(chr(10), 0, offset) + 1}, column {col}"

    def node_where(self, node: ast.AST, *, after: bool = False) -> str:
        """Position of a node, or of the first character after it; columns count characters
        (``col_offset`` counts UTF-8 bytes)."""
        lineno, offset = (
            (node.end_lineno, node.end_col_offset) if after else (node.lineno, node.col_offset)
        )
        line = self.lines[min(lineno, len(self.lines)) - 1]
        column = len(line.encode()[:offset].decode("utf-8", "ignore"))
        if after:
            column += len(line[column:]) - len(line[column:].lstrip())
        return self.where(lineno, column + 1)

    def check_nesting(self) -> None:
        """Reject deep bracket nesting before ``ast.parse`` recurses into it."""
        depth = 0
        for i, char in enumerate(self.body):
            depth += (char in "([{") - (char in ")]}")
            if depth > MAX_NESTING:
                line = self.body.count("\n", 0, i) + 1
                col = i - self.body.rfind("\n", 0, i)
                raise InvalidInput(
                    f"brackets nested more than {MAX_NESTING} deep at {self.where(line, col)}"
                )

    def syntax_tree(self) -> ast.Expression:
        try:
            with warnings.catch_warnings():  # e.g. "invalid decimal literal" for '1e9x'
                warnings.simplefilter("ignore")
                return ast.parse(self.body, mode="eval")
        except SyntaxError as error:
            if error.offset is None:
                raise InvalidInput(f"syntax error: {error.msg}") from None
            where = self.where(error.lineno or 1, error.offset) if error.offset > 0 else "the end"
            raise InvalidInput(f"syntax error at {where}: {error.msg}") from None
        except (ValueError, RecursionError, MemoryError) as error:
            detail = (str(error).splitlines() or [type(error).__name__])[0]
            raise InvalidInput(f"unreadable formula: {detail}") from None


def _check_size(tree: ast.Expression, source: _Source) -> None:
    """Bound node count and depth without recursing (the tree may be arbitrarily deep)."""
    count, stack = 0, [(tree.body, 1, tree.body)]
    while stack:
        node, depth, located = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise InvalidInput(f"formula has more than {MAX_NODES} syntax nodes")
        if depth > MAX_DEPTH:
            raise InvalidInput(
                f"formula nested more than {MAX_DEPTH} deep at {source.node_where(located)}"
                " (expected a shallower expression; use sum(expr, k) for long sums)"
            )
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1, child if hasattr(child, "lineno") else located))


def _classify(tree: ast.AST) -> tuple[set[str], set[str]]:
    """Names used as vectors (indexed, or reduced by softmax(z)) and as class indices."""
    vectors: set[str] = set()
    indices: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            if isinstance(node.value, ast.Name):
                vectors.add(node.value.id)
            if isinstance(node.slice, ast.Name):
                indices.add(node.slice.id)
        elif isinstance(node, ast.Call) and _called(node) in _TAKES_VECTOR:
            if len(node.args) == 1 and isinstance(node.args[0], ast.Name):
                vectors.add(node.args[0].id)
            if len(node.args) == 2 and isinstance(node.args[1], ast.Name):
                indices.add(node.args[1].id)
    return vectors, indices


def _called(node: ast.Call) -> str | None:
    return node.func.id if isinstance(node.func, ast.Name) else None


def _digits(number: Rational) -> float:
    """Decimal digits needed to write a rational number exactly."""
    return (abs(number.p).bit_length() + number.q.bit_length()) * math.log10(2)


_DESCRIPTION = {
    ast.Attribute: "attribute access",
    ast.Lambda: "a lambda",
    **dict.fromkeys((ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp), "a comprehension"),
    ast.JoinedStr: "an f-string",
    ast.Compare: "a comparison",
    ast.BoolOp: "a boolean operator",
    ast.NamedExpr: "an assignment (:=)",
    ast.Starred: "a starred argument",
    ast.IfExp: "a conditional expression",
    ast.Slice: "a slice",
}
_ALLOWED = "a number, a name, + - * / **, a call or p[k]"


class _Builder:
    """Builds SymPy objects from a size-checked syntax tree, one whitelisted node at a time."""

    def __init__(self, tree: ast.Expression, size: Expr, source: _Source) -> None:
        self.size = size
        self.source = source
        self.vectors, self.indices = _classify(tree)
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        candidates = (*_FRESH_INDICES, *(f"k{n}" for n in range(len(names) + 1)))
        self.fresh = next(name for name in candidates if name not in names)
        self.handlers: dict[type, Callable[..., Expr]] = {
            ast.Constant: self._constant,
            ast.Name: self._name,
            ast.UnaryOp: self._unary,
            ast.BinOp: self._binary,
            ast.Call: self._call,
            ast.Subscript: self._subscript,
        }

    def fail(
        self, node: ast.AST, what: str, expected: str = "", after: bool = False
    ) -> InvalidInput:
        suffix = f" (expected {expected})" if expected else ""
        return InvalidInput(f"{what} at {self.source.node_where(node, after=after)}{suffix}")

    def build(self, node: ast.AST) -> Expr:
        handler = self.handlers.get(type(node))
        if handler is None:
            what = _DESCRIPTION.get(type(node), f"a {type(node).__name__} expression")
            raise self.fail(node, f"{what} is not allowed", _ALLOWED)
        result = handler(node)
        if result.has(S.ComplexInfinity, S.NaN, S.Infinity, S.NegativeInfinity):
            raise self.fail(node, "undefined value (a division by zero or log(0))")
        for power in result.atoms(Pow):
            if power.exp.is_Number and abs(power.exp) > MAX_EXPONENT:
                raise self.fail(node, f"exponent {power.exp} too large", f"≤ {MAX_EXPONENT}")
        return result

    def _constant(self, node: ast.Constant) -> Expr:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            what = "a string" if isinstance(value, (str, bytes)) else f"{value!r}"
            raise self.fail(node, f"{what} is not allowed", "a real number")
        if isinstance(value, int):
            if abs(value) >= 10**MAX_DIGITS:
                raise self.fail(node, "integer too long", f"at most {MAX_DIGITS} digits")
            return Integer(value)
        return self._decimal(node)

    def _decimal(self, node: ast.Constant) -> Expr:
        """The exact rational a decimal literal denotes, read from its text (not its float)."""
        segment = ast.get_source_segment(self.source.body, node) or repr(node.value)
        _, digits, exponent = Decimal(segment).as_tuple()
        coefficient = int("".join(map(str, digits)))
        while coefficient and coefficient % 10 == 0:
            coefficient, exponent = coefficient // 10, exponent + 1
        if coefficient == 0:
            return S.Zero
        if len(str(coefficient)) + max(exponent, 0) > MAX_DIGITS or -exponent > MAX_DIGITS:
            raise self.fail(node, "number too long", f"at most {MAX_DIGITS} digits")
        return Rational(coefficient * 10 ** max(exponent, 0), 10 ** max(-exponent, 0))

    def _name(self, node: ast.Name) -> Expr:
        name = self._checked_name(node)
        if name == "K":
            return self.size
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name in self.vectors:
            raise self.fail(node, f"'{name}' is a vector", f"an entry such as {name}[k]")
        if name in self.indices:
            return self._class_index(node)
        return Symbol(name, real=True)

    def _checked_name(self, node: ast.Name) -> str:
        name = node.id
        if name.startswith("_") or keyword.iskeyword(name):
            raise self.fail(node, f"name '{name}' is not allowed", "a name not starting with '_'")
        if name in _FUNCTION_NAMES:
            raise self.fail(node, f"'{name}' is a function", f"a call such as {name}(x)")
        return name

    def _class_index(self, node: ast.Name) -> Idx:
        name = self._checked_name(node)
        if name in self.vectors or name in _CONSTANTS:
            raise self.fail(node, f"'{name}' is used as an index", "a name used only as an index")
        return Idx(name, (1, self.size))

    def _vector(self, node: ast.Name) -> IndexedBase:
        name = self._checked_name(node)
        if name == "K" or name in _CONSTANTS or name in self.indices:
            raise self.fail(node, f"'{name}' cannot be indexed", "a vector name such as p")
        return IndexedBase(name)

    def _unary(self, node: ast.UnaryOp) -> Expr:
        operation = _UNARY.get(type(node.op))
        if operation is None:
            raise self.fail(node, f"operator {type(node.op).__name__} is not supported", "- or +")
        return operation(self.build(node.operand))

    def _binary(self, node: ast.BinOp) -> Expr:
        kind = type(node.op)
        if kind is ast.Pow:
            return self._power(node, self.build(node.left), self.build(node.right))
        if kind not in _BINARY:
            symbol = _SYMBOL_OF.get(kind, kind.__name__)
            what = f"operator {symbol} is not supported"
            expected = "** for powers" if kind is ast.BitXor else "one of + - * / **"
            raise self.fail(node.left, what, expected, after=True)
        return _BINARY[kind](self.build(node.left), self.build(node.right))

    def _power(self, node: ast.AST, base: Expr, exponent: Expr) -> Expr:
        """base**exponent, refused before SymPy would compute a huge number or root."""
        if not exponent.is_Number:
            return Pow(base, exponent)
        if abs(exponent) > MAX_EXPONENT:
            what = f"exponent {exponent if abs(exponent) < 10**20 else '…'} too large"
            raise self.fail(getattr(node, "right", node), what, f"≤ {MAX_EXPONENT}")
        if base.is_Rational and _digits(base) * abs(exponent) > MAX_POWER_DIGITS:
            raise self.fail(node, "power too large", f"≤ {MAX_POWER_DIGITS} digits")
        if base.is_Rational and not exponent.is_Integer and _digits(base) > MAX_DIGITS:
            # SymPy looks for perfect powers in the base, which is slow for long numbers.
            raise self.fail(node, "root of a long number", f"≤ {MAX_DIGITS} digits")
        return Pow(base, exponent)

    def _call(self, node: ast.Call) -> Expr:
        name = _called(node)
        if name not in _FUNCTION_NAMES:
            what = "call of an expression" if name is None else f"unknown function '{name}'"
            raise self.fail(node, what, f"one of: {', '.join(_FUNCTION_NAMES)}")
        if node.keywords:
            raise self.fail(node, "keyword arguments are not allowed", "positional arguments")
        if name in _VECTOR_FUNCTIONS:
            raise self.fail(node, f"{name}(…) is a vector", f"an entry such as {name}(z)[y]")
        if name in _REDUCTIONS:
            return _REDUCTIONS[name](*self._vector_argument(node, name))
        constructor, arities = _ELEMENTARY[name]
        if len(node.args) not in arities:
            counts = " or ".join(map(str, arities))
            raise self.fail(node, f"{name} takes {counts} argument(s)", f"{name}(x)")
        args = [self.build(argument) for argument in node.args]
        if name == "sqrt":
            return self._power(node, args[0], S.Half)
        if name == "log" and len(args) == 2 and args[1].is_zero:
            raise self.fail(node.args[1], "logarithm to base 0", "a positive base other than 1")
        return constructor(*args)

    def _vector_argument(self, node: ast.Call, name: str) -> tuple[Expr, tuple]:
        """(summand, (k, 1, K)) of ``f(z)`` (fresh k) or of ``f(expr, k)``."""
        if node.keywords:
            raise self.fail(node, "keyword arguments are not allowed", "positional arguments")
        args = node.args
        if len(args) == 1 and isinstance(args[0], ast.Name):
            index = Idx(self.fresh, (1, self.size))
            return self._vector(args[0])[index], (index, 1, self.size)
        if len(args) == 2 and isinstance(args[1], ast.Name) and args[1].id != "K":
            index = self._class_index(args[1])
            return self.build(args[0]), (index, 1, self.size)
        raise self.fail(node, f"bad arguments to {name}", f"{name}(z) or {name}(z[k] / T, k)")

    def _subscript(self, node: ast.Subscript) -> Expr:
        at = self._index(node.slice)
        if isinstance(node.value, ast.Name):
            return self._vector(node.value)[at]
        name = _called(node.value) if isinstance(node.value, ast.Call) else None
        if name not in _VECTOR_FUNCTIONS:
            raise self.fail(node, "only a vector can be indexed", "p[k] or softmax(z)[y]")
        summand, limits = self._vector_argument(node.value, name)
        return _VECTOR_FUNCTIONS[name](summand, limits, at)

    def _index(self, node: ast.AST) -> Expr:
        if isinstance(node, ast.Name):
            return self.size if node.id == "K" else self._class_index(node)
        if not (isinstance(node, ast.Constant) and type(node.value) is int):
            raise self.fail(node, "bad index", "a class-index name or a positive integer")
        number = self._constant(node)
        if number < 1 or (self.size.is_Integer and number > self.size):
            raise self.fail(node, f"index {number} out of range", f"1 ≤ index ≤ {self.size}")
        return number
