"""NumPy-only stable forms and ``StablePrinter``, the NumPy printer of ``lambdify``.

``stabilize_numpy`` runs the shared rules of :mod:`symxent._rewrite` and then the rules
below, whose Functions only this printer (and :mod:`symxent._kernels`) knows: the code
generators for C, PyTorch and JAX keep to the shared set.

>>> from sympy import Symbol, log
>>> p, q = Symbol("p"), Symbol("q")
>>> stabilize_numpy(-p * log(q) - (1 - p) * log(1 - q))
xlog1py(p - 1, -q) - xlogy(p, q)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sympy import (
    Add,
    Basic,
    Expr,
    Function,
    Indexed,
    KroneckerDelta,
    Mul,
    S,
    Sum,
    Symbol,
    exp,
    expand,
    log,
    together,
)
from sympy.codegen.cfunctions import log1p
from sympy.codegen.rewriting import ReplaceOptim, optimize
from sympy.printing.numpy import NumPyPrinter

from symxent._rewrite import (
    _class_limits,
    _rule,
    rel_entr,
    softplus_pairs,
    softplus_shift,
    stabilize,
)
from symxent.errors import NotSupported
from symxent.functions import log_softmax, logsumexp, softmax, softplus, xlogy

__all__ = ["NUMPY_REWRITES", "StablePrinter", "stabilize_numpy"]


class kl_div(Function):
    """x·log(x/y) − x + y ≥ 0 (SciPy's ``kl_div``), printed as an accurate kernel."""

    nargs = 2

    def unfold(self) -> Expr:
        x, y = self.args
        return x * log(x / y) - x + y


class xlog1py(Function):
    """x·log(1 + u) with 0 at x = 0 (SciPy's ``xlog1py``): 1 + u would round a tiny u away."""

    nargs = 2

    def unfold(self) -> Expr:
        x, u = self.args
        return x * log(1 + u)


def _rel_entr_split(e: Expr) -> Expr | None:
    """Σ c·rel_entr(x, y) → Σ c·kl_div(x, y) + c·Σ (x − y): KL as a sum of terms ≥ 0.

    x·log(x/y) has both signs, and KL(p‖q) near p = q is a sum of such terms that cancel;
    kl_div(x, y) ≥ 0 never cancels, and Σ (p − q) is 0 for distributions up to the rounding
    of the inputs, which it keeps. The two sums are printed apart: added termwise they
    would be x·log(x/y) again.
    """
    body = e.function if isinstance(e, Sum) else e
    if not isinstance(e, (Sum, Add)) or not body.has(rel_entr):
        return None
    terms = Add.make_args(body)
    if isinstance(e, Add) and sum(t.has(rel_entr) for t in terms) < 2:
        return None
    split = [_kl_part(t) for t in terms]
    if any(parts is None for parts in split):
        return None
    kl, rest = Add(*(a for a, _ in split)), Add(*(b for _, b in split))
    if isinstance(e, Sum):
        return Sum(kl, *e.limits) + Sum(rest, *e.limits)
    return kl + rest


def _kl_part(term: Expr) -> tuple[Expr, Expr] | None:
    """(c·kl_div(x, y), c·(x − y)) for c·rel_entr(x, y); (term, 0) without rel_entr."""
    found = [f for f in Mul.make_args(term) if isinstance(f, rel_entr)]
    if not found:
        return (S.Zero, term) if not term.has(rel_entr) else None
    if len(found) > 1:
        return None
    c, (x, y) = term / found[0], found[0].args
    return c * kl_div(x, y), c * (x - y)


class softplus_mix(Function):
    """a·softplus(u) + b·softplus(−u): for a, b ≥ 0 two terms ≥ 0 (BCE with soft labels)."""

    nargs = 3

    def unfold(self) -> Expr:
        u, a, b = self.args
        return a * softplus(u) + b * softplus(-u)


class log1pmx(Function):
    """log(1 + d) − d ≤ 0, the cancelling core of x − 1 − log x (= −log1pmx(x − 1))."""

    nargs = 1

    def unfold(self) -> Expr:
        return log(1 + self.args[0]) - self.args[0]


class expm1mx(Function):
    """e^t − 1 − t ≥ 0, the cancelling core of (b₁/b₂)e^{−δ/b₁} − 1 + δ/b₂ (laplace-kl)."""

    nargs = 1

    def unfold(self) -> Expr:
        return exp(self.args[0]) - 1 - self.args[0]


def _xlog1py(e: Expr) -> Expr | None:
    """xlogy(x, 1 + u) → xlog1py(x, u): log(1 − q) for q ≈ 1e-38 needs log1p(−q)."""
    if isinstance(e, xlogy):
        one, u = e.args[1].as_coeff_Add()
        if one == 1 and not u.is_number:
            return xlog1py(e.args[0], u)
    return None


def _softplus_mix(e: Expr) -> Expr | None:
    """a·softplus(u) + b·softplus(−u) → softplus_mix(u, a, b); softplus_shift(u, b) too.

    softplus_shift prints max(u, 0) − b·u, which cancels for u ≫ 0 and b just below 1.
    """
    if isinstance(e, softplus_shift):
        u, b = e.args
        return softplus_mix(u, 1 - b, b)
    pair = next(softplus_pairs(e), None)
    if pair is None:
        return None
    (u, a, b), rest = pair
    return rest + softplus_mix(u, a, b)


def _log1pmx(e: Expr) -> Expr | None:
    """c·log1p(u) − c·u → c·log1pmx(u); c·log x − c·x + c → c·log1pmx(x − 1).

    Both vanish to second order at u = 0 (x = 1), where the terms cancel to their last bit.
    """
    if not e.is_Add:
        return None
    for term in e.args:
        c, f = term.as_coeff_Mul()
        if isinstance(f, log1p) and -c * f.args[0] in e.args:
            return e - term + c * f.args[0] + c * log1pmx(f.args[0])
        if isinstance(f, log) and -c * f.args[0] in e.args and c in e.args:
            x = f.args[0]
            return e - term + c * x - c + c * log1pmx(together(x - 1))
    return None


def _expm1mx(e: Expr) -> Expr | None:
    """c·e^t − c − c·t → c·expm1mx(t): e^{−s} − 1 + s loses everything for a tiny s."""
    if not e.is_Add:
        return None
    for term in e.args:
        c, f = term.as_coeff_Mul()
        if isinstance(f, exp) and -c in e.args and -c * f.args[0] in e.args:
            return e - term + c + c * f.args[0] + c * expm1mx(f.args[0])
    return None


NUMPY_REWRITES: tuple[ReplaceOptim, ...] = tuple(
    _rule(f) for f in (_xlog1py, _rel_entr_split, _softplus_mix, _log1pmx, _expm1mx)
)


def stabilize_numpy(expr: Expr) -> Expr:
    """The shared stable rewrites, then the NumPy-only ones above."""
    return optimize(stabilize(expr), NUMPY_REWRITES)


class StablePrinter(NumPyPrinter):
    """NumPy code for stabilised formulas; ``Sum`` over a class index → ``sum(axis=-1)``.

    ``names`` maps symbols (and vector labels) to Python identifiers; ``labels`` are the
    free class indices, passed as 0-based integer arrays.
    """

    printmethod = "_symxent_numpy"

    def __init__(
        self, names: dict[Basic, str], labels: Iterable[Basic] = (), batch: Iterable[Basic] = ()
    ) -> None:
        super().__init__({"fully_qualified_modules": True})
        self._names, self._labels, self._bound = names, frozenset(labels), frozenset()
        self._batch = frozenset(batch) | self._labels

    @contextmanager
    def _binding(self, bound: frozenset) -> Iterator[None]:
        outer, self._bound = self._bound, bound
        try:
            yield
        finally:
            self._bound = outer

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if isinstance(expr, Expr) and expr.is_number and not expr.is_Integer:
            # Python floats are weak scalars for NumPy: float32 arrays stay float32.
            return repr(float(expr))
        if self._bound and isinstance(expr, Expr) and self._is_batch_constant(expr):
            with self._binding(frozenset()):
                return f"{super()._print(expr, **kwargs)}[..., None]"
        return super()._print(expr, **kwargs)

    def _is_batch_constant(self, expr: Expr) -> bool:
        """A per-row value inside a class sum: broadcast it along the class axis."""
        free = expr.free_symbols
        return not free & self._bound and bool(free & self._batch)

    def _print_Symbol(self, expr: Symbol) -> str:
        return self._names.get(expr, expr.name)

    _print_Idx = _print_Symbol

    def _print_Indexed(self, expr: Indexed) -> str:
        base, (index,) = self._names[expr.base.label], expr.indices
        if index in self._bound:
            return base
        if index in self._labels:
            return f"_take({base}, {self._print(index)})"
        if index.is_Integer:
            return f"{base}[..., {int(index) - 1}]"
        raise NotSupported(f"cannot index the vector {base} by {index}")

    def _print_Sum(self, expr: Sum) -> str:
        var, _, hi = _class_limits(expr.limits)
        if var not in expr.function.free_symbols:
            return f"({self._print(hi)} * ({self._print(expr.function)}))"
        with self._binding(frozenset({var})):
            return f"numpy.sum({self._print(expr.function)}, axis=-1)"

    def _print_KroneckerDelta(self, expr: KroneckerDelta) -> str:
        a, b = expr.args
        if b in self._bound:
            a, b = b, a
        if a in self._bound:
            other = f"{int(b) - 1}" if b.is_Integer else f"{self._print(b)}[..., None]"
            return f"(numpy.arange(K) == {other}).astype(numpy.int8)"
        # int8, not bool: it negates, and it never widens a float32 result.
        return f"({self._print(a)} == {self._print(b)}).astype(numpy.int8)"

    def _vector(self, f: Basic) -> str:
        """The array (..., K) of a reduction's components."""
        if f.is_explicit:
            return f"numpy.stack(({', '.join(self._print(t) for t in f.args[0])},), axis=-1)"
        var, _, _ = _class_limits([f.limits])
        with self._binding(frozenset({var})):
            return self._print(f.args[0])

    def _pick(self, kernel: str, f: Basic) -> str:
        """softmax-like kernels: the whole vector, one label per row, or a fixed class."""
        at, vector = f.at, self._vector(f)
        if at in self._bound:
            return f"{kernel}({vector})"
        if at in self._labels:
            return f"{kernel}_at({vector}, {self._print(at)})"
        if at.is_Integer:
            return f"{kernel}({vector})[..., {int(at) - 1}]"
        raise NotSupported(f"cannot pick class {at} of {f}")

    def _print_Mul(self, expr: Mul) -> str:
        coeff, rest = expr.as_coeff_Mul()
        if coeff == -1 and isinstance(rest, log_softmax) and rest.at in self._labels:
            # −log softmax(z)_y as log Σ e^{z−m} − (z_y − m): +0.0, not −0.0, when it underflows.
            return f"_nll_at({self._vector(rest)}, {self._print(rest.at)})"
        if coeff == -1 and isinstance(rest, Sum):
            # −Σ of terms that are all 0 (a confident, correct prediction): +0.0, not −0.0.
            return f"(0.0 - {self._print(rest)})"
        logs = [f for f in Mul.make_args(rest) if isinstance(f, log_softmax)]
        x = rest / logs[0] if len(logs) == 1 else S.One
        if not x.is_number:
            # x·log softmax with xlogy's 0·log 0 = 0: a masked class (z_k = −inf) whose
            # target x_k is 0 adds nothing, where 0·(−inf) would make the sum NaN.
            call = f"_xlogy_from_log({self._print(x)}, {self._print(logs[0])})"
            return call if coeff == 1 else f"-{call}" if coeff == -1 else f"{coeff}*{call}"
        return super()._print_Mul(expr)

    def _print_logsumexp(self, f: logsumexp) -> str:
        return f"_logsumexp({self._vector(f)})"

    def _print_softmax(self, f: softmax) -> str:
        return self._pick("_softmax", f)

    def _print_log_softmax(self, f: log_softmax) -> str:
        return self._pick("_log_softmax", f)

    def _print_xlogy(self, f: xlogy) -> str:
        return f"scipy.special.xlogy({self._print(f.args[0])}, {self._print(f.args[1])})"

    def _print_rel_entr(self, f: rel_entr) -> str:
        return f"scipy.special.rel_entr({self._print(f.args[0])}, {self._print(f.args[1])})"

    def _print_kl_div(self, f: kl_div) -> str:
        return f"_kl_div({self._print(f.args[0])}, {self._print(f.args[1])})"

    def _print_xlog1py(self, f: xlog1py) -> str:
        return f"scipy.special.xlog1py({self._print(f.args[0])}, {self._print(f.args[1])})"

    def _print_sigmoid(self, f: Basic) -> str:
        return f"scipy.special.expit({self._print(f.args[0])})"

    def _print_softplus(self, f: Basic) -> str:
        return f"numpy.logaddexp(0, {self._print(f.args[0])})"

    def _print_softplus_mix(self, f: softplus_mix) -> str:
        return f"_softplus_mix({', '.join(self._print(a) for a in f.args)})"

    def _print_log1pmx(self, f: log1pmx) -> str:
        num, den = f.args[0].as_numer_denom()
        b = expand(num + den)
        if not (b.is_Add or b.is_number):
            # u = (b − a)/a: the kernel also needs b/a, which 1 + u has lost where b ≪ a.
            return f"_log1pmx_ratio({self._print(b)}, {self._print(den)})"
        return f"_log1pmx({self._print(f.args[0])})"

    def _print_expm1mx(self, f: expm1mx) -> str:
        return f"_expm1mx({self._print(f.args[0])})"
