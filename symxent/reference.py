r"""High-precision mpmath references with the calling convention of ``symxent.lambdify``.

``reference(expr)`` evaluates the *mathematics* of a formula, not its stable rewrite: the
formula is unfolded into elementary SymPy (``softmax`` → e^{z_y}/Σ e^{z_k} …), printed once
as mpmath code and run point by point under ``mp.workdps(dps)``. Each float input becomes an
mpf exactly, and log(1 + u) and e^u − 1 are evaluated as log1p and expm1, so no digit of a
tiny u is lost to forming 1 + u. A point whose value is tiny next to the terms it is a sum
of (a cancellation), or that takes the log of a number near 1, has lost digits; it is
evaluated again with as many more digits as it lost (an exact 0 from non-zero terms: at
max(8·dps, 400) digits). Conventions of the mathematics hold: 0·log y = 0, log 0 = −inf,
1/0 = +inf (a limit from the positive side, as for probabilities), and a point where the
formula is undefined gives NaN.

Arguments are those of ``symxent.numeric.lambdify(expr)`` in the same order: vectors with
classes on the last axis and leading batch axes, plain symbols broadcast against the batch,
class labels as 0-based integer arrays.

>>> import numpy as np
>>> from sympy import Idx, IndexedBase, Symbol, Sum, exp, log
>>> K = Symbol("K", integer=True, positive=True)
>>> k, y, z = Idx("k", (1, K)), Idx("y", (1, K)), IndexedBase("z")
>>> ce = reference(-log(exp(z[y]) / Sum(exp(z[k]), (k, 1, K))))
>>> ce(np.array([1000.0, 0.0, -1000.0]), np.array(2))
np.float64(2000.0)
>>> print(mpmath.nstr(ce.mp(np.array([0.0, 0.0]), np.array(0)), 40))
0.6931471805599453094172321214581765680755
"""

from __future__ import annotations

import inspect
import itertools
import linecache
import re
from collections.abc import Callable, Sequence
from typing import Any

import mpmath
import numpy as np
from mpmath import libmp, mp
from sympy import Add, Basic, Expr, Idx, Indexed, KroneckerDelta, Mul, Pow, S, Sum, Symbol, exp, log
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pycode import MpmathPrinter

from symxent.errors import InvalidInput, NotSupported
from symxent.notation import unfold
from symxent.numeric import lambdify

__all__ = ["Reference", "ReferencePrinter", "reference", "round_to"]

# Float inputs convert exactly only if the working precision holds 53 bits.
_MIN_DPS = 17


class ReferencePrinter(MpmathPrinter):
    """mpmath code for one point: sums become ``fsum`` over 0-based ``range`` loops."""

    def __init__(self, names: dict[Basic, str], labels: Sequence[Basic]) -> None:
        super().__init__({"fully_qualified_modules": True})
        self._names, self._labels, self._loops = names, frozenset(labels), {}

    def _print_Symbol(self, expr: Basic) -> str:
        return self._loops.get(expr) or self._names.get(expr, getattr(expr, "name", str(expr)))

    _print_Idx = _print_Symbol

    def _index(self, index: Basic) -> str:
        """A class index as 0-based Python: loop variable, label argument or constant."""
        if index in self._loops or index in self._labels:
            return self._print_Symbol(index)
        if index.is_Integer:
            return str(int(index) - 1)
        raise NotSupported(f"the reference cannot index a vector by {index}")

    def _print_Indexed(self, expr: Indexed) -> str:
        (index,) = expr.indices
        return f"{self._names[expr.base.label]}[{self._index(index)}]"

    def _generator(self, expr: Sum, function: Expr) -> str:
        """``body for k in range(…)``: ``function`` over the summation ranges of ``expr``."""
        loops = []
        for var, lo, hi in expr.limits:
            name = f"_{len(self._loops)}_{self._print_Symbol(var)}"
            loops.append(f"for {name} in range({self._print(lo)} - 1, {self._print(hi)})")
            self._loops[var] = name
        try:
            body = self._print(function)
        finally:
            for var, _, _ in expr.limits:
                self._loops.pop(var)
        return f"{body} {' '.join(reversed(loops))}"

    def _print_Sum(self, expr: Sum) -> str:
        return f"_fsum({self._generator(expr, expr.function)})"

    def _print_KroneckerDelta(self, expr: KroneckerDelta) -> str:
        a, b = (self._index(i) for i in expr.args)
        return f"(1 if {a} == {b} else 0)"

    def _log_of(self, arg: Expr) -> tuple[str, str]:
        """("log1p", u) for log(1 + u): 1 + u would absorb a tiny u; ("logsumexp", f …) for
        log Σ e^f, shifted by max f: e^{f} may round to exactly 1 and hide that it rounded;
        else ("log", arg)."""
        if isinstance(arg, Sum) and isinstance(arg.function, exp):
            return ("logsumexp", self._generator(arg, arg.function.args[0]))
        one, rest = arg.as_coeff_Add()
        return ("log1p", self._print(rest)) if one == 1 else ("log", self._print(arg))

    def _print_log(self, expr: log) -> str:
        kind, arg = self._log_of(expr.args[0])
        return f"_{kind}({arg})"

    def _print_Mul(self, expr: Mul) -> str:
        logs = [f for f in expr.args if isinstance(f, log)]
        if len(logs) == 1:
            # x·log y with the convention 0·log 0 = 0 (and 0·log y = 0 for every y ≥ 0).
            rest = Mul(*(f for f in expr.args if f is not logs[0]))
            kind, arg = self._log_of(logs[0].args[0])
            if kind == "logsumexp":  # finite unless every exponent is −∞: a plain product
                return f"{self.parenthesize(rest, PRECEDENCE['Mul'])} * _logsumexp({arg})"
            return f"_x{kind}y({self._print(rest)}, {arg})"
        return " * ".join(self.parenthesize(f, PRECEDENCE["Mul"]) for f in expr.args)

    def _print_Add(self, expr: Add, order: str | None = None) -> str:
        """``_add`` of the terms (it measures cancellation); e^u − 1 as expm1(u)."""
        terms = list(self._as_ordered_terms(expr, order=order))
        if S.NegativeOne in terms:
            ups = [t for t in terms if isinstance(t, exp)]
            if ups:
                terms.remove(S.NegativeOne)
                terms.remove(ups[0])
                expm1 = f"mpmath.expm1({self._print(ups[0].args[0])})"
                return f"_add({', '.join([expm1, *map(self._print, terms)])})" if terms else expm1
        return f"_add({', '.join(map(self._print, terms))})"

    def _print_Pow(self, expr: Pow, rational: bool = False) -> str:
        if expr.exp.is_negative and expr.exp.is_Integer:
            inverse = f"_inv({self._print(expr.base)})"
            return inverse if expr.exp == -1 else f"{inverse}**{-int(expr.exp)}"
        return super()._print_Pow(expr, rational=rational)


# Digits lost in the point being evaluated, reset before each evaluation: the most bits a
# result lost to cancellation, and whether a sum absorbed a term entirely.
_TRACE: dict[str, Any] = {"lost": 0, "absorbed": False}
# Bits a value must keep to be rounded correctly to float64 (53 bits), with a margin.
_KEEP_BITS = 80
_DEEP_DPS = 400


def _rounded(x: Any) -> bool:
    """A mantissa as long as the precision: most likely rounded. Inputs (53 bits), integers
    and their short products are exact, and cancel between themselves without loss."""
    parts = getattr(x, "_mpf_", None)
    return parts is not None and parts[3] >= mp.prec - 8


def _lose(scale: Any, value: Any) -> None:
    """Note the bits ``value`` lost if it is far below ``scale``, the size of its error."""
    bits = mpmath.inf if value == 0 else mpmath.mag(scale) - mpmath.mag(value)
    _TRACE["lost"] = max(_TRACE["lost"], bits)


def _fsum(terms: Any) -> mpmath.mpf:
    """Σ terms (exact, then rounded once), noting cancellation of rounded terms and
    absorption: a tiny term lost entirely, which matters if the result ends up 0."""
    terms = list(terms)
    total = mpmath.fsum(terms)
    if mpmath.isfinite(total):
        rounded = max((abs(t) for t in terms if _rounded(t)), default=0)
        if rounded:
            _lose(rounded, total)
        floor = mpmath.mag(total) - mp.prec
        _TRACE["absorbed"] |= any(t and mpmath.mag(t) < floor for t in terms)
    return total


def _add(*terms: Any) -> mpmath.mpf:
    return _fsum(terms)


def _log(x: Any) -> mpmath.mpf:
    if x == 0:
        return mpmath.ninf
    if not x > 0:
        return mpmath.nan
    value = mpmath.log(x)
    if _rounded(x):  # log x near x = 1 magnifies the relative error of x by 1/|log x|
        _lose(1, value)
    return value


def _log1p(u: Any) -> mpmath.mpf:
    return mpmath.log1p(u) if u > -1 else _log(1 + u)


def _logsumexp(exponents: Any) -> mpmath.mpf:
    """log Σ e^x as m + log Σ e^{x − m}, m = max x: the same number, without e^x rounding
    to exactly 1 (which the loss tracking cannot see) when the x are tiny."""
    xs = list(exponents)
    m = max(xs)
    if not mpmath.isfinite(m):
        return m
    return _add(m, _log(_fsum(mpmath.exp(x - m) for x in xs)))


def _xlogy(x: Any, y: Any) -> mpmath.mpf:
    if x == 0 and not mpmath.isnan(y):
        return mpmath.mpf(0)
    return x * _log(y)


def _xlog1py(x: Any, u: Any) -> mpmath.mpf:
    if x == 0 and not mpmath.isnan(u):
        return mpmath.mpf(0)
    return x * _log1p(u)


def _inv(x: Any) -> mpmath.mpf:
    # mpmathify: 1/K with a Python int K would otherwise be a float64.
    return mpmath.inf if x == 0 else 1 / mpmath.mpmathify(x)


def _real(value: Any) -> mpmath.mpf:
    """A real mpf: complex values with a non-zero imaginary part are undefined (NaN)."""
    if isinstance(value, mpmath.mpc):
        return value.real if value.imag == 0 else mpmath.nan
    return mpmath.mpf(value)


_NAMESPACE = {
    "mpmath": mpmath,
    **{f.__name__: f for f in (_add, _fsum, _log, _log1p, _logsumexp, _xlogy, _xlog1py, _inv)},
}
_COUNTER = itertools.count()


def _compile(params: list[str], body: str) -> Callable[..., Any]:
    source = f"def _point({', '.join([*params, 'K'])}):\n    return {body}\n"
    filename = f"<symxent.reference {next(_COUNTER)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = dict(_NAMESPACE)
    # The source is printed by ReferencePrinter from a SymPy tree, never taken from user text.
    exec(compile(source, filename, "exec"), namespace)
    namespace["_point"].source = source
    return namespace["_point"]


def round_to(value: mpmath.mpf, dtype: np.dtype | type = np.float64) -> np.floating:
    """``value`` correctly rounded (to nearest, ties to even) to a float32 or float64.

    >>> round_to(mpmath.mpf(1) / 3, np.float32)
    np.float32(0.33333334)
    """
    info = np.finfo(dtype)
    mant, emin = info.nmant + 1, int(np.log2(info.smallest_normal))
    x = value._mpf_
    if x[2] is not None and x[1]:  # finite, non-zero: round once, to the bits dtype has there
        if x[2] + x[3] - 1 >= emin:
            x = libmp.mpf_pos(x, mant, libmp.round_nearest)
        else:  # subnormal range: round to a multiple of the smallest subnormal
            quantum = emin - mant + 1
            n = libmp.to_int(libmp.mpf_shift(x, -quantum), libmp.round_nearest)
            x = libmp.mpf_shift(libmp.from_int(n), quantum)
    with np.errstate(over="ignore"):
        return np.dtype(dtype).type(libmp.to_float(x))


class Reference:
    """An mpmath evaluator of ``expr`` at ``dps`` digits; see :func:`reference`."""

    def __init__(self, expr: object, dps: int = 50, args: Sequence[object] | None = None) -> None:
        if dps < _MIN_DPS:
            raise InvalidInput(f"dps={dps} cannot hold a float64 exactly; use dps >= {_MIN_DPS}")
        # lambdify fixes the parameters (order and names); the reference follows it exactly.
        numeric = lambdify(expr, args, validate=False)
        self.expr, self.dps = numeric.expr, int(dps)
        formula = unfold(self.expr)
        vectors, labels, scalars, counts = _inputs(formula)
        self.params = tuple(inspect.signature(numeric).parameters)
        params = [_match(name, vectors | labels | scalars) for name in self.params]
        names = {**dict(zip(params, self.params, strict=True)), **dict.fromkeys(counts, "K")}
        self._vector = [p in vectors for p in params]
        self._label = [p in labels for p in params]
        self.inputs = dict(zip(self.params, params, strict=True))
        self._point = _compile(list(self.params), ReferencePrinter(names, labels).doprint(formula))
        self.source = self._point.source

    @property
    def roles(self) -> dict[str, str]:
        """Each parameter's role: ``"vector"``, ``"label"`` or ``"scalar"``."""
        kinds = zip(self.params, self._vector, self._label, strict=True)
        return {n: "vector" if v else "label" if lab else "scalar" for n, v, lab in kinds}

    def __repr__(self) -> str:
        return f"reference({self.expr}, dps={self.dps})"

    def _rows(self, args: Sequence[object]) -> tuple[tuple[int, ...], int, list[list]]:
        """The batch shape, K, and each argument as a list of Python values per batch row."""
        if len(args) != len(self.params):
            raise InvalidInput(f"expected arguments {self.params}, got {len(args)} of them")
        arrays = [np.asarray(a) for a in args]
        vectors = [a for a, v in zip(arrays, self._vector, strict=True) if v]
        k = vectors[0].shape[-1] if vectors else 0
        shapes = [a.shape[:-1] if v else a.shape for a, v in zip(arrays, self._vector, strict=True)]
        shape = np.broadcast_shapes(*shapes)
        rows = []
        for a, name, is_vec, is_label in zip(
            arrays, self.params, self._vector, self._label, strict=True
        ):
            if is_label:
                _check_labels(name, a, k)
            full = np.broadcast_to(a, (*shape, k) if is_vec else shape)
            flat = full.reshape(-1, k) if is_vec else full.reshape(-1)
            rows.append(flat.astype(np.int64 if is_label else np.float64).tolist())
        return shape, k, rows

    def mp(self, *args: object, dps: int | None = None) -> np.ndarray:
        """The values as an object array of mpf (batch shape).

        With ``dps=None``, at the reference's digits, and points that lost too many of them
        (see the module) again at more; with ``dps`` given, at exactly that many, for
        callers that choose their own precision (``symxent.accuracy``, ``conform``).

        >>> from sympy import Symbol, log
        >>> p = Symbol("p")
        >>> print(mpmath.nstr(reference(-p * log(p), dps=20).mp(0.5), 20))
        0.34657359027997265471
        """
        shape, k, rows = self._rows(args)
        out = np.empty(len(rows[0]) if rows else 1, dtype=object)
        for i in range(len(out)):
            values = [_point_value(r[i], lab) for r, lab in zip(rows, self._label, strict=True)]
            out[i] = self._checked(values, k) if dps is None else self._at(values, k, dps)[0]
        return out.reshape(shape) if shape else out[0]

    def _at(self, values: list, k: int, dps: int) -> tuple[mpmath.mpf, float]:
        """One point at ``dps`` digits, and how many more bits it would have needed."""
        with mp.workdps(dps):
            _TRACE.update(lost=0, absorbed=False)
            value = _real(self._point(*values, k))
            lost = mpmath.inf if value == 0 and _TRACE["absorbed"] else _TRACE["lost"]
            return value, lost + _KEEP_BITS - mp.prec

    def _checked(self, values: list, k: int) -> mpmath.mpf:
        """One point, with as many more digits as it lost; if that was not enough (the value
        is the rounding noise of an exact 0) or unknown (an absorbed 0), at max(8·dps, 400)
        digits, enough for any float64 next to terms up to ~1e70."""
        value, missing = self._at(values, k, self.dps)
        if 0 < missing < mpmath.inf:
            value, missing = self._at(values, k, self.dps + int(missing * 0.302) + 5)
        deep = max(8 * self.dps, _DEEP_DPS)
        return self._at(values, k, deep)[0] if missing > 0 else value

    def __call__(self, *args: object, dtype: np.dtype | type = np.float64) -> np.ndarray:
        """The values correctly rounded to ``dtype`` (float64 by default), batch shape.

        >>> from sympy import Symbol, log
        >>> q = Symbol("q")
        >>> reference(-log(q))([1.0, 0.0])
        array([ 0., inf])
        """
        values = np.asarray(self.mp(*args), dtype=object)
        out = np.array([round_to(v, dtype) for v in values.reshape(-1)], dtype=dtype)
        return out.reshape(values.shape) if values.shape else out[0]


def _inputs(formula: Expr) -> tuple[set, set, set, set]:
    """Vectors (IndexedBase labels), class labels, plain scalars and class counts."""
    sums = formula.atoms(Sum)
    bound = {lim[0] for s in sums for lim in s.limits}
    counts = {lim[2] for s in sums for lim in s.limits if lim[2].is_Symbol}
    indexed = formula.atoms(Indexed)
    vectors = {i.base.label for i in indexed}
    indices = {x for i in indexed for x in i.indices}
    indices |= {x for d in formula.atoms(KroneckerDelta) for x in d.args}
    labels = {x for x in indices if isinstance(x, (Symbol, Idx)) and x not in bound}
    symbols = {s for s in formula.free_symbols if isinstance(s, Symbol)}
    return vectors, labels, symbols - vectors - labels - counts - bound, counts


def _match(name: str, inputs: set[Basic]) -> Basic:
    """The input that lambdify named ``name`` (it sanitises, prefixes ``x_``, appends ``_``)."""
    for obj in inputs:
        plain = re.sub(r"\W", "_", str(getattr(obj, "label", obj))).rstrip("_")
        if name.rstrip("_") in (plain, f"x_{plain}"):
            return obj
    raise NotSupported(f"the reference cannot find the input {name!r} in the formula")


def _point_value(row: Any, is_label: bool) -> Any:
    if is_label:
        return row
    if isinstance(row, list):
        return [mpmath.mpf(x) for x in row]
    return mpmath.mpf(row)


def _check_labels(name: str, labels: np.ndarray, k: int) -> None:
    """Python lists accept negative indices: reject them before they wrap around."""
    if labels.dtype.kind not in "iu":
        raise InvalidInput(f"{name}: class labels must be integers 0..K-1, got {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        raise InvalidInput(
            f"{name}: labels must lie in 0..{k - 1}, got {labels.min()}..{labels.max()}"
        )


def reference(expr: object, dps: int = 50, args: Sequence[object] | None = None) -> Reference:
    """An mpmath evaluator of ``expr`` with ``lambdify(expr, args)``'s calling convention.

    Args:
        expr: a SymPy expression or an object with ``.final`` (e.g. a ``Derivation``).
        dps: decimal digits of the working precision (at least 17, so floats convert exactly).
        args: the parameter order, as for ``symxent.numeric.lambdify``.

    Returns:
        A :class:`Reference`: call it for values rounded to float64 (``dtype=`` for
        float32), or use ``.mp(...)`` for the mpf values; ``.params`` are the parameter
        names, ``.roles`` their roles, ``.inputs`` their SymPy objects and ``.source``
        the generated per-point code.

    >>> from sympy import Symbol, log
    >>> p, q = Symbol("p"), Symbol("q")
    >>> h = reference(-p * log(q) - (1 - p) * log(1 - q))
    >>> h.params, h(0.0, 0.0), h(1.0, 0.0)
    (('p', 'q'), np.float64(0.0), np.float64(inf))
    """
    key = (expr, int(dps), None if args is None else tuple(map(str, args)))
    try:
        hit = _BUILT.get(key)
    except TypeError:  # an unhashable formula object: build it every time
        return Reference(expr, dps=dps, args=args)
    if hit is None:
        # Hypothesis strategies ask for the same reference once per example; compiling it
        # (a lambdify and an mpmath printer pass) costs far more than evaluating it.
        if len(_BUILT) >= _CACHE_SIZE:
            _BUILT.pop(next(iter(_BUILT)))
        hit = _BUILT[key] = Reference(expr, dps=dps, args=args)
    return hit


_CACHE_SIZE = 64
_BUILT: dict = {}
