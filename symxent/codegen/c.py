"""C99 source: one function over a batch of N rows, each of K classes.

The generated function is ``int NAME(size_t N, size_t K, vectors…, scalars…, labels…,
double *out)``: vectors are ``const double *`` of N×K values (row-major, classes last),
labels ``const int64_t *`` of N 0-based classes, and ``out`` receives N values. Scalars
are one ``double`` shared by all rows when the formula has a vector, otherwise
``const double *`` of N values (``K`` is then not an argument). It returns 0, or −1 when
some label lies outside 0..K−1 (that row's output is NaN).

Stable forms: every reduction over the classes takes one max-shift pass and one pass that
sums e^{v_k − m} over k ≠ argmax, so log Σ e^{v − m} is ``log1p`` of that sum (exact for a
confident prediction); each e^{a − m} puts back the rounding error of a − m (TwoSum), and
1 − softmax is ``-expm1(log_softmax)``.

>>> from sympy import Symbol
>>> from symxent.codegen._signature import signature
>>> from symxent.functions import softplus
>>> source = generate(signature(softplus(Symbol("x")), "sp"))
>>> [line for line in source.splitlines() if line.startswith("int ")]
['int sp(size_t N, const double *x, double *out)']
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from sympy import Basic, Expr, Idx, Indexed, KroneckerDelta, NumberSymbol, Sum, Symbol
from sympy.printing.c import C99CodePrinter
from sympy.printing.codeprinter import PrintMethodNotImplementedError

from symxent._rewrite import rel_entr, softplus_shift
from symxent.codegen._signature import Signature
from symxent.errors import NotSupported
from symxent.functions import log_softmax, logsumexp, sigmoid, softmax, softplus, xlogy

# Emitted only when used, so that -Wunused-function stays quiet.
HELPERS = {
    "sx_exp_diff": """\
/* e^(a - b), with the rounding error of a - b (TwoSum: a - b = d + err exactly) put back */
static double sx_exp_diff(double a, double b)
{
    const double d = a - b;
    const double back = d - a;
    const double err = (a - (d - back)) + (-b - back);
    const double e = exp(d);
    return isfinite(err) ? e + e * err : e;
}""",
    "sx_xlogy": """\
/* x log y with 0 log 0 = 0 */
static double sx_xlogy(double x, double y)
{
    return (x == 0.0 && !isnan(y)) ? 0.0 : x * log(y);
}""",
    "sx_rel_entr": """\
/* x log(x / y): 0 at x = 0, +inf at x > 0 = y */
static double sx_rel_entr(double x, double y)
{
    if (x == 0.0 && y >= 0.0)
        return 0.0;
    return (x > 0.0 && y > 0.0) ? x * log(x / y) : (x > 0.0 && y == 0.0 ? INFINITY : NAN);
}""",
    "sx_sigmoid": """\
/* 1 / (1 + e^-x) without overflow for either sign of x */
static double sx_sigmoid(double x)
{
    if (x >= 0.0)
        return 1.0 / (1.0 + exp(-x));
    const double e = exp(x);
    return e / (1.0 + e);
}""",
    "sx_softplus": """\
/* log(1 + e^x) = max(x, 0) + log1p(e^-|x|) */
static double sx_softplus(double x)
{
    return fmax(x, 0.0) + log1p(exp(-fabs(x)));
}""",
}

CONVENTIONS = """\
out[row] for row < N; vectors are N x K row-major (classes last), labels are 0-based
classes; returns 0, or -1 if a label is outside 0..K-1 (that row's output is NaN)."""

_C_WORDS = """auto break case char const continue default do double else enum extern float for
goto if inline int long register restrict return short signed sizeof static struct switch
typedef union unsigned void volatile while int64_t size_t INFINITY NAN exp log log1p expm1
pow sqrt fabs fmax isfinite isnan tanh N K row out status"""
_RESERVED = frozenset(_C_WORDS.split())


@dataclass
class _Block:
    """Statements at one loop depth; ``var`` is the loop's class index (None: the row)."""

    var: Basic | None
    lines: list[str] = field(default_factory=list)
    memo: dict[object, object] = field(default_factory=dict)


class CodePrinter(C99CodePrinter):
    """C99 for one row: reductions and sums become loops emitted into ``self.blocks[0]``.

    ``names`` maps symbols and vector labels to the C text of their value in the row.
    """

    def __init__(self, names: dict[Basic, str], labels: frozenset, count: Basic | None) -> None:
        super().__init__({"strict": True, "math_macros": {}})  # M_LN2 is not C99
        self._names, self._labels, self._count = names, labels, count
        self.blocks = [_Block(None)]
        self.helpers: set[str] = set()
        self._numbers = itertools.count(1)

    # --- statements -------------------------------------------------------------------

    def _target(self, expr: Basic) -> _Block:
        """The outermost block where ``expr`` can be computed (hoisted out of loops)."""
        free = expr.free_symbols
        return next((b for b in reversed(self.blocks) if b.var in free), self.blocks[0])

    def _temp(self, key: Basic, kind: str, make: Callable[[_Block, str], object]) -> object:
        """Emit a computation once per block; ``make(block, prefix)`` appends its lines."""
        block = self._target(key)
        if (kind, key) not in block.memo:
            block.memo[kind, key] = make(block, f"sx_{kind}{next(self._numbers)}")
        return block.memo[kind, key]

    def _loop(self, var: Basic, hi: Expr, body: Callable[[], list[str]]) -> list[str]:
        """``for`` over a class index, with the statements its body needs inside."""
        self.blocks.append(_Block(var))
        try:
            tail = body()
        finally:
            inner = self.blocks.pop()
        name = _ident(str(getattr(var, "label", var)))
        bound = "K" if hi == self._count else str(int(hi))
        head = f"for (size_t {name} = 0; {name} < {bound}; ++{name}) {{"
        return [head, *(f"    {line}" for line in [*inner.lines, *tail]), "}"]

    # --- symbols and indices ------------------------------------------------------------

    def _index(self, index: Basic) -> str:
        """A class index as a 0-based C value (loop variable, row label or constant)."""
        if index.is_Integer:
            return str(int(index) - 1)
        if index in self._names:
            return self._names[index]
        if any(b.var == index for b in self.blocks):
            return _ident(str(getattr(index, "label", index)))
        raise NotSupported(f"the class index {index} is not bound here")

    def _print_Symbol(self, expr: Symbol) -> str:
        if expr == self._count:
            return "(double)K"
        if expr in self._labels or any(b.var == expr for b in self.blocks):
            return f"((double){self._index(expr)} + 1.0)"  # the 1-based class as a value
        if expr not in self._names:
            raise NotSupported(f"no value for {expr} in the generated code")
        return self._names[expr]

    _print_Idx = _print_Symbol

    def _print_NumberSymbol(self, expr: NumberSymbol) -> str:
        return repr(float(expr))  # M_PI and M_E are not in strict C99

    def _print_Indexed(self, expr: Indexed) -> str:
        (index,) = expr.indices
        return f"{self._names[expr.base.label]}[{self._index(index)}]"

    def _print_KroneckerDelta(self, expr: KroneckerDelta) -> str:
        a, b = (self._index(i) for i in expr.args)
        return f"({a} == {b} ? 1.0 : 0.0)"

    # --- sums and reductions ------------------------------------------------------------

    def _print_Sum(self, expr: Sum) -> str:
        if len(expr.limits) != 1 or expr.limits[0][1] != 1:
            raise NotSupported(f"only sums over one class index from 1 are supported: {expr}")
        var, _, hi = expr.limits[0]

        def make(block: _Block, acc: str) -> str:
            loop = self._loop(var, hi, lambda: [f"{acc} += {self._print(expr.function)};"])
            block.lines += [f"double {acc} = 0.0;", *loop]
            return acc

        return self._temp(expr, "sum", make)

    def _vector(self, f: Basic) -> tuple[Basic, Expr, Callable[[Basic], str]]:
        """(loop index, length, component printer) of a reduction's vector."""
        if not f.is_explicit:
            body, (var, _, hi) = f.args[0], f.limits
            return var, hi, lambda at: self._print(body.subs(var, at) if at != var else body)
        terms = f.args[0]
        values = self._temp(f.args[0], "terms", lambda blk, name: self._terms(blk, name, terms))
        var = Idx(f"{values}_i")
        return var, len(terms), lambda at: f"{values}[{self._index(at)}]"

    def _terms(self, block: _Block, name: str, terms: tuple) -> str:
        block.lines.append(
            f"const double {name}[{len(terms)}] = {{{', '.join(map(self._print, terms))}}};"
        )
        return name

    def _parts(self, f: Basic) -> tuple[str, str, str, Callable[[Basic], str]]:
        """(shift, finite flag, tail sum Σ_{k≠argmax} e^{v_k − m}, component printer)."""
        var, hi, value = self._vector(f)
        key = f.func(*f.vector) if f.is_explicit or not f._picks else logsumexp(*f.vector)

        def make(block: _Block, p: str) -> tuple[str, str, str]:
            self.helpers.add("sx_exp_diff")
            m, top, fin, shift, r, c = (f"{p}_{s}" for s in ("m", "top", "fin", "shift", "r", "c"))
            k = _ident(str(getattr(var, "label", var)))
            scan = self._loop(
                var,
                hi,
                lambda: [
                    f"const double v = {value(var)};",
                    f"if (v > {m}) {{ {m} = v; {top} = {k}; }}",
                ],
            )
            total = self._loop(var, hi, lambda: [
                f"if ({fin} && {k} == {top}) continue;",
                f"const double t = sx_exp_diff({value(var)}, {shift});",
                f"const double s = {r} + t;",
                f"{c} += fabs({r}) >= fabs(t) ? ({r} - s) + t : (t - s) + {r};",
                f"{r} = s;",
            ])  # fmt: skip
            block.lines += [f"double {m} = -INFINITY;", f"size_t {top} = 0;", *scan,
                            f"const int {fin} = isfinite({m});",
                            f"const double {shift} = {fin} ? {m} : 0.0;",
                            f"double {r} = 0.0, {c} = 0.0; /* Neumaier-compensated */",
                            *total, f"{r} += {c};"]  # fmt: skip
            return shift, fin, r

        shift, fin, r = self._temp(key, "lse", make)
        return shift, fin, r, value

    def _log_total(self, f: Basic) -> tuple[str, Callable[[Basic], str]]:
        """(log Σ e^{v − shift}, component printer): log1p of the tail when the max is finite."""
        _, fin, r, value = self._parts(f)

        def make(block: _Block, name: str) -> str:
            block.lines.append(f"const double {name} = {fin} ? log1p({r}) : log({r});")
            return name

        return self._temp(logsumexp(*f.vector), "logs", make), value

    def _print_logsumexp(self, f: logsumexp) -> str:
        logs, _ = self._log_total(f)
        return f"({self._parts(f)[0]} + {logs})"

    def _print_log_softmax(self, f: log_softmax) -> str:
        logs, value = self._log_total(f)
        return f"(({value(f.at)} - {self._parts(f)[0]}) - {logs})"

    def _print_softmax(self, f: softmax) -> str:
        shift, fin, r, value = self._parts(f)
        return f"(sx_exp_diff({value(f.at)}, {shift}) / ({fin} ? 1.0 + {r} : {r}))"

    # --- elementwise functions ----------------------------------------------------------

    def _helper(self, name: str, *args: Basic) -> str:
        self.helpers.add(name)
        return f"{name}({', '.join(self._print(a) for a in args)})"

    def _print_xlogy(self, f: xlogy) -> str:
        return self._helper("sx_xlogy", *f.args)

    def _print_rel_entr(self, f: rel_entr) -> str:
        return self._helper("sx_rel_entr", *f.args)

    def _print_sigmoid(self, f: sigmoid) -> str:
        return self._helper("sx_sigmoid", *f.args)

    def _print_softplus(self, f: softplus) -> str:
        return self._helper("sx_softplus", *f.args)

    def _print_softplus_shift(self, f: softplus_shift) -> str:
        u, b = (self._print(a) for a in f.args)
        # (max(u, 0) − b·u) first: for b = 1, u ≫ 0 it is exactly 0 and log1p keeps e^{−u}.
        return f"((fmax({u}, 0.0) - {b} * {u}) + log1p(exp(-fabs({u}))))"


def _ident(name: str) -> str:
    """A C identifier for a formula name, clear of C keywords and generated names."""
    clean = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    clean = clean if clean and not clean[0].isdigit() else f"x_{clean}"
    return f"{clean}_" if clean in _RESERVED or clean.startswith("sx_") else clean


def _parameters(sig: Signature) -> tuple[list[str], dict[Basic, str], list[str]]:
    """(C parameters, row values of the symbols, per-row prologue)."""
    shared = bool(sig.vectors)  # scalars are hyperparameters when there is a vector
    params, names, prologue = ["size_t N"] + (["size_t K"] if shared else []), {}, []
    for v in sig.vectors:
        ident = _ident(str(v))
        params.append(f"const double *{ident}")
        names[v] = f"{ident}_row"
        prologue.append(f"const double *{ident}_row = {ident} + row * K;")
    for s in sig.scalars:
        ident = _ident(str(s))
        params.append(f"double {ident}" if shared else f"const double *{ident}")
        names[s] = ident if shared else f"{ident}[row]"
    for y in sig.labels:
        ident = _ident(str(getattr(y, "label", y)))
        params.append(f"const int64_t *{ident}")
        names[y] = f"{ident}_row"
        prologue += [f"if ({ident}[row] < 0 || {ident}[row] >= (int64_t)K) {{",
                     "    out[row] = NAN;", "    status = -1;", "    continue;", "}",
                     f"const size_t {ident}_row = (size_t){ident}[row];"]  # fmt: skip
    return [*params, "double *out"], names, prologue


def generate(sig: Signature) -> str:
    """A C99 translation unit defining ``sig.name``; see the module docstring."""
    if sig.labels and not sig.vectors:
        raise NotSupported("class labels need a vector argument to know K")
    params, names, prologue = _parameters(sig)
    printer = CodePrinter(names, frozenset(sig.labels), sig.count)
    try:
        value = printer._print(sig.stable)
    except PrintMethodNotImplementedError as error:
        raise NotSupported(f"no C code for part of the formula: {error}") from None
    body = [*prologue, *printer.blocks[0].lines, f"out[row] = {value};"]
    comment = [f" * {line}".rstrip().replace("*/", "* /") for line in sig.header(CONVENTIONS)]
    return "\n".join([
        "/*", *comment, " */", "#include <math.h>", "#include <stddef.h>", "#include <stdint.h>",
        "", *(HELPERS[h] + "\n" for h in sorted(printer.helpers)),
        f"int {sig.name}({', '.join(params)})", "{", "    int status = 0;",
        "    for (size_t row = 0; row < N; ++row) {", *(f"        {line}" for line in body),
        "    }", "    return status;", "}",
    ]) + "\n"  # fmt: skip
