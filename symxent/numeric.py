r"""Stable, vectorised NumPy functions from SymPy formulas.

``lambdify`` rewrites a formula into stable forms (``symxent._rewrite``) and prints it with
``StablePrinter``, a ``NumPyPrinter`` whose kernels shift by the max, use ``xlogy``
semantics and reduce sums over the class index along the last axis.

Argument conventions of the generated function:

* an ``IndexedBase`` vector ``z`` is an array whose **last axis is the class axis**
  (length K); leading axes are batch axes and broadcast against the other arguments;
* a free class index ``y`` (as in ``z[y]``) is an **integer label array, 0-based**: the
  maths index y ∈ {1..K} is the NumPy label y − 1 ∈ {0..K−1}, as NumPy and PyTorch count;
* a plain symbol is an array broadcast against the batch shape;
* float32 inputs give float32 outputs; 0·log 0 = 0; p·log q with p > 0 = q gives −inf
  (so cross-entropy is +inf, not NaN).

>>> import numpy as np
>>> from sympy import Idx, IndexedBase, Symbol, Sum, exp, log
>>> K = Symbol("K", integer=True, positive=True)
>>> k, y, z = Idx("k", (1, K)), Idx("y", (1, K)), IndexedBase("z")
>>> ce = lambdify(-log(exp(z[y]) / Sum(exp(z[k]), (k, 1, K))))
>>> ce(np.array([1000.0, 0.0, -1000.0]), np.array(2))
np.float64(2000.0)
"""

from __future__ import annotations

import functools
import inspect
import itertools
import keyword
import linecache
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import scipy.special
from sympy import (
    Add,
    Basic,
    Derivative,
    Expr,
    Idx,
    Indexed,
    KroneckerDelta,
    Mul,
    Sum,
    expand_mul,
)
from sympy.printing.latex import LatexPrinter

from symxent._kernels import KERNELS
from symxent._printer import StablePrinter, kl_div, stabilize_numpy, xlog1py
from symxent._rewrite import bound_indices, rel_entr
from symxent._rewrite import class_counts as _counts  # symxent.reference imports _counts
from symxent.errors import InvalidInput, NotSupported
from symxent.functions import log_softmax, softmax, xlogy

__all__ = ["StablePrinter", "lambdify"]


def _classify(expr: Expr) -> tuple[list, list, list]:
    """Vectors (IndexedBase labels), plain scalars and class labels of ``expr``."""
    bound = bound_indices(expr)
    vectors = {i.base.label for i in expr.atoms(Indexed)}
    indices = {x for i in expr.atoms(Indexed) for x in i.indices}
    indices |= {f.at for f in expr.atoms(softmax, log_softmax)} | set().union(
        *(d.args for d in expr.atoms(KroneckerDelta))
    )
    labels = {x for x in indices if (x.is_Symbol or isinstance(x, Idx)) and x not in bound}
    symbols = {s for s in expr.free_symbols if s.is_Symbol} - vectors - labels - _counts(expr)
    return [sorted(g, key=str) for g in (vectors, symbols, labels)]


# --- validation (validate=True) -----------------------------------------------------------


def _where(index: Sequence[int]) -> str:
    return f" in batch row {tuple(int(i) for i in index)}" if len(index) else ""


def _check_probabilities(name: str, p: np.ndarray) -> None:
    tol = 1e-6 if p.dtype.itemsize <= 4 else 1e-9
    bad = np.isnan(p) | (p < 0)
    if bad.any():
        at = np.argwhere(bad)[0]
        raise InvalidInput(
            f"{name}: entry {float(p[tuple(at)])!r}{_where(at[:-1])} is not a probability"
        )
    total = np.sum(p, axis=-1)
    off = np.abs(total - 1) > tol
    if off.any():
        at = np.argwhere(off)[0] if off.ndim else ()
        got = total[tuple(at)]
        raise InvalidInput(f"{name}: sums to {got:.17g}{_where(at)}; it must sum to 1 (±{tol:g})")


def _check_labels(name: str, y: np.ndarray, n_classes: int) -> None:
    if y.dtype.kind not in "iu":
        raise InvalidInput(f"{name}: class labels must be integers 0..K-1, got dtype {y.dtype}")
    bad = (y < 0) | (y >= n_classes)
    if bad.any():
        at = np.argwhere(bad)[0] if bad.ndim else ()
        got = int(y[tuple(at)])
        raise InvalidInput(f"{name}: label {got}{_where(at)} is not in 0..{n_classes - 1}")


def _flat(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``a`` broadcast to ``shape`` and flattened; a single value stays 0-d (no copy)."""
    return a.reshape(()) if a.size == 1 else np.broadcast_to(a, shape).reshape(-1)


def _blockwise(
    body: Callable[..., object], dtype: np.dtype, *args: np.ndarray, block: int = 1 << 16
) -> np.ndarray:
    """``body(*args)`` as ``dtype``, evaluated on blocks of ``block`` elements.

    An elementwise formula makes a temporary per operation: over whole arrays each is a
    fresh allocation (page faults) and a pass through memory; per block (float64
    temporaries of 512 KiB) they stay in cache.
    """
    shape = np.broadcast_shapes(*(a.shape for a in args))
    size = int(np.prod(shape))
    if size <= block:
        return np.asarray(body(*args), dtype)[()]
    flat = [_flat(a, shape) for a in args]
    out = np.empty(size, dtype)
    for start in range(0, size, block):
        part = slice(start, start + block)
        out[part] = body(*(a if a.ndim == 0 else a[part] for a in flat))
    return out.reshape(shape)


_NAMESPACE = {
    "numpy": np,
    "scipy": scipy,
    "functools": functools,
    **KERNELS,
    **{f.__name__: f for f in (_check_probabilities, _check_labels, _blockwise)},
}


# --- from expression to function ----------------------------------------------------------


class _DocLatex(LatexPrinter):
    """LaTeX for docstrings: an Idx prints as its bare label."""

    def _print_Idx(self, expr: Idx) -> str:
        return self._print(expr.label)


def _as_expr(obj: object) -> Expr:
    """The formula of ``obj``: an Expr, or anything with ``.numeric_expr`` / ``.final``."""
    for attr in ("numeric_expr", "final"):
        obj = getattr(obj, attr, obj)
    if isinstance(obj, str) or not isinstance(obj, Expr):
        raise InvalidInput(
            f"lambdify needs a SymPy expression (use symxent.parse for text), got {obj!r}"
        )
    return obj.replace(
        lambda e: isinstance(e, Derivative) or (hasattr(e, "unfold") and not hasattr(e, "nargs")),
        lambda e: e.doit() if isinstance(e, Derivative) else e.unfold(),
    )


def _identifiers(symbols: Sequence[Basic]) -> dict[Basic, str]:
    taken = set(_NAMESPACE) | {"K"}
    names = {}
    for sym in symbols:
        base = "".join(c if c.isalnum() else "_" for c in str(getattr(sym, "label", sym)))
        name = base if base.isidentifier() and not keyword.iskeyword(base) else f"x_{base}"
        while name in taken:
            name += "_"
        names[sym] = name
        taken.add(name)
    return names


def _ordered(args: Sequence[object] | None, found: list[Basic]) -> list[Basic]:
    """The parameters: ``found`` in its default order, or as ``args`` names them."""
    if args is None:
        return found
    by_name = {str(getattr(s, "label", s)): s for s in found}
    chosen = [by_name.get(str(getattr(a, "label", a))) for a in args]
    missing = sorted(set(by_name) - {str(getattr(s, "label", s)) for s in chosen if s is not None})
    if None in chosen or missing:
        raise InvalidInput(f"args must name exactly the formula's inputs {sorted(by_name)}")
    return chosen


_PROBABILITY_TERMS = (xlogy, xlog1py, rel_entr, kl_div)


def _probability_vectors(expr: Expr) -> set[Basic]:
    """Vectors inside xlogy-type terms, or weighting a log_softmax in a sum: p and q."""
    found = {i.base.label for f in expr.atoms(*_PROBABILITY_TERMS) for i in f.atoms(Indexed)}
    for s in expr.atoms(Sum):
        for term in Add.make_args(expand_mul(s.function)):
            if term.has(log_softmax):
                found |= {f.base.label for f in Mul.make_args(term) if isinstance(f, Indexed)}
    return found


def _prologue(params, names, vectors, labels, checks, counts) -> list[str]:
    lines = [f"{names[p]} = _floats({names[p]})" for p in params if p not in labels]
    lines += [f"{names[p]} = numpy.asarray({names[p]})" for p in params if p in labels]
    if counts:
        lines.append(f"K = numpy.shape({names[vectors[0]]})[-1]")
    lines += [f"_check_probabilities({names[p]!r}, {names[p]})" for p in checks]
    lines += [f"_check_labels({names[p]!r}, {names[p]}, K)" for p in labels if counts]
    floats = [names[p] for p in params if p not in labels]
    if floats and not vectors:
        # Elementwise formulas run in float64 and round once: a float32 w·y with y = 1e-40
        # would otherwise be a subnormal with a few bits. Class sums stay float32, for speed.
        lines.append(f"_out = numpy.result_type({', '.join(floats)})")
        lines += [f"{v} = numpy.asarray({v}, numpy.float64)" for v in floats]
    return lines


def _compile(name: str, params: list[str], prologue: list[str], body: str) -> Callable:
    source = "\n".join(
        [
            f"def {name}({', '.join(params)}):",
            *(f"    {line}" for line in prologue),
            '    with numpy.errstate(divide="ignore", invalid="ignore", over="ignore"):',
            f"        return {body}",
        ]
    )
    filename = f"<symxent.lambdify {name} {next(_COUNTER)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = dict(_NAMESPACE)
    # The source is printed by StablePrinter from a SymPy tree, never taken from user text.
    exec(compile(source, filename, "exec"), namespace)
    fn = namespace[name]
    fn.source = source
    return fn


_COUNTER = itertools.count()

_CONVENTIONS = """
Vectors have their classes on the last axis (leading axes are batch axes); class labels
are 0-based integers (maths class y is label y - 1); 0*log(0) = 0; p > 0 = q gives +inf.
"""


def require_one_class_count(counts: set, vectors: list) -> None:
    """The number of classes must be one symbol, read off a vector argument's last axis."""
    if len(counts) > 1 or (counts and not vectors):
        names = ", ".join(sorted(map(str, counts)))  # sorted: messages end up in docs/
        raise NotSupported(f"the number of classes must come from a vector argument: {names}")


def lambdify(
    expr: object,
    args: Sequence[object] | None = None,
    *,
    validate: bool = True,
    probabilities: Iterable[object] | None = None,
    name: str = "f",
) -> Callable[..., np.ndarray]:
    r"""A vectorised, numerically stable NumPy function of a SymPy formula.

    Args:
        expr: a SymPy expression, or an object with ``.numeric_expr`` or ``.final``
            (e.g. a ``Derivation``).
        args: the parameter order, as symbols, ``IndexedBase`` objects or their names.
            Default: vectors, then plain symbols, then class labels, each alphabetical.
        validate: check the inputs and raise ``InvalidInput`` naming the argument and
            the batch row: probability vectors must be ≥ 0, not NaN, and sum to 1 within
            1e-6 (float32) or 1e-9 (float64); labels must be integers in 0..K-1.
            ``validate=False`` is the fast path and checks nothing.
        probabilities: the vectors to check as probabilities. Default: those inside
            ``xlogy``-type terms (p and q of p·log q) and weights of a log-softmax.
        name: the function's ``__name__``.

    Returns:
        A function with a real signature, ``__doc__`` holding the formula's LaTeX, and
        attributes ``expr`` (the formula), ``stable_expr`` and ``source``.

    >>> from sympy import IndexedBase, Idx, Symbol, Sum, log
    >>> K = Symbol("K", integer=True, positive=True)
    >>> k, p = Idx("k", (1, K)), IndexedBase("p")
    >>> entropy = lambdify(-Sum(p[k] * log(p[k]), (k, 1, K)), name="entropy")
    >>> entropy([0.5, 0.5, 0.0])
    np.float64(0.6931471805599453)
    """
    formula = _as_expr(expr)
    stable = stabilize_numpy(formula)
    vectors, symbols, labels = _classify(stable)
    counts = _counts(stable)
    require_one_class_count(counts, vectors)
    params = _ordered(args, vectors + symbols + labels)
    names = {**_identifiers(params), **dict.fromkeys(counts, "K")}
    checks = _probability_vectors(stable) if probabilities is None else set(probabilities)
    checks = [p for p in vectors if p in checks or str(p) in map(str, checks)]
    printer = StablePrinter(names, labels, batch=params)
    body = printer.doprint(stable)
    prologue = _prologue(params, names, vectors, labels, checks if validate else [], counts)
    if not validate:
        prologue = [line for line in prologue if not line.startswith("_check")]
    if any(line.startswith("_out = ") for line in prologue):
        floats = ", ".join(names[p] for p in params)
        body = f"_blockwise(lambda {floats}: {body}, _out, {floats})"
    fn = _compile(name, [names[p] for p in params], prologue, body)
    call = f"{name}({', '.join(names[p] for p in params)})"
    fn.__doc__ = f"{call} = {_DocLatex().doprint(formula)}\n{_CONVENTIONS}"
    fn.expr, fn.stable_expr = formula, stable
    fn.__signature__ = inspect.signature(fn)
    return fn
