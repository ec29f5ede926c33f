r"""SymPy Functions for the numerically delicate primitives of cross-entropy.

``xlogy``, ``softplus``, ``sigmoid``, ``logsumexp``, ``softmax`` and ``log_softmax`` stay
unevaluated, so that differentiation is exact, printers can emit stable code for them and
LaTeX reads like the mathematics. Each has ``unfold()`` giving its definition in elementary
SymPy (the checker relies on it). The reductions take a vector either as a summand with
limits, ``logsumexp(z[k], (k, 1, K))``, or as explicit terms, ``logsumexp([a, b, c])``;
``softmax`` and ``log_softmax`` take the class they pick last (1-based, as in the maths).

>>> from sympy import Idx, IndexedBase, Symbol, diff
>>> K = Symbol("K", integer=True, positive=True)
>>> k, j, z = Idx("k", (1, K)), Idx("j", (1, K)), IndexedBase("z")
>>> diff(logsumexp(z[k], (k, 1, K)), z[j])
softmax(z[k], (k, 1, K), j)
"""

from __future__ import annotations

from sympy import (
    Add,
    Basic,
    Expr,
    Function,
    S,
    Sum,
    Tuple,
    exp,
    log,
)
from sympy.core.evalf import prec_to_dps
from sympy.core.function import ArgumentIndexError
from sympy.core.logic import fuzzy_and
from sympy.printing.precedence import PRECEDENCE

from symxent.errors import InvalidInput
from symxent.sums import resolve_deltas

__all__ = [
    "log_softmax",
    "logsumexp",
    "resolve_deltas",
    "sigmoid",
    "softmax",
    "softplus",
    "xlogy",
]


def _power(tex: str, exp: str | None) -> str:
    """The LaTeX printer asks a function for ``f^{n}`` by passing ``exp``."""
    return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"


class _Primitive(Function):
    """Shared behaviour: evalf and rewrites go through ``unfold()``."""

    def unfold(self) -> Expr:
        raise NotImplementedError

    def _eval_evalf(self, prec: int) -> Expr:
        return self.unfold().doit().evalf(prec_to_dps(prec))

    def _eval_rewrite_as_exp(self, *args: Expr, **hints: object) -> Expr:
        return self.unfold()

    _eval_rewrite_as_log = _eval_rewrite_as_exp


class xlogy(_Primitive):
    r"""x·log(y) with the information-theory convention 0·log 0 = 0.

    >>> from sympy import Symbol
    >>> xlogy(0, 0), xlogy(2, 3), xlogy(Symbol("p"), Symbol("q")).unfold()
    (0, 2*log(3), p*log(q))
    """

    nargs = 2

    @classmethod
    def eval(cls, x: Expr, y: Expr) -> Expr | None:
        if x.is_zero or y == S.One:
            return S.Zero
        if x.is_Number and y.is_Number:
            if y.is_zero:
                return S.NegativeInfinity if x.is_positive else S.Infinity
            return x * log(y)
        return None

    def fdiff(self, argindex: int = 1) -> Expr:
        x, y = self.args
        if argindex == 1:
            return log(y)
        if argindex == 2:
            return x / y
        raise ArgumentIndexError(self, argindex)

    def unfold(self) -> Expr:
        x, y = self.args
        return x * log(y)

    def _latex(self, printer, exp: str | None = None) -> str:
        x, y = printer.parenthesize(self.args[0], PRECEDENCE["Mul"]), printer._print(self.args[1])
        return _power(rf"{x} \log{{\left({y} \right)}}", exp)

    def _sympystr(self, printer) -> str:
        return f"xlogy({printer._print(self.args[0])}, {printer._print(self.args[1])})"


class sigmoid(_Primitive):
    r"""The logistic function σ(x) = 1/(1 + e^{−x}).

    >>> from sympy import Symbol, oo
    >>> x = Symbol("x")
    >>> sigmoid(0), sigmoid(oo), sigmoid(x).diff(x)
    (1/2, 1, (1 - sigmoid(x))*sigmoid(x))
    """

    nargs = 1

    @classmethod
    def eval(cls, x: Expr) -> Expr | None:
        if x.is_zero:
            return S.Half
        if x is S.Infinity:
            return S.One
        if x is S.NegativeInfinity:
            return S.Zero
        if x.is_Float:
            return 1 / (1 + exp(-x))
        return None

    def fdiff(self, argindex: int = 1) -> Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return self * (1 - self)

    def unfold(self) -> Expr:
        return 1 / (1 + exp(-self.args[0]))

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_positive(self) -> bool | None:
        return self.args[0].is_real

    def _latex(self, printer, exp: str | None = None) -> str:
        return _power(rf"\sigma\left({printer._print(self.args[0])}\right)", exp)


class softplus(_Primitive):
    r"""softplus(x) = log(1 + e^x), whose derivative is σ(x).

    >>> from sympy import Symbol
    >>> x = Symbol("x")
    >>> softplus(0), softplus(x).diff(x), softplus(x).unfold()
    (log(2), sigmoid(x), log(exp(x) + 1))
    """

    nargs = 1

    @classmethod
    def eval(cls, x: Expr) -> Expr | None:
        if x.is_zero:
            return log(2)
        if x is S.Infinity:
            return S.Infinity
        if x is S.NegativeInfinity:
            return S.Zero
        if x.is_Float:
            return log(1 + exp(x))
        return None

    def fdiff(self, argindex: int = 1) -> Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return sigmoid(self.args[0])

    def unfold(self) -> Expr:
        return log(1 + exp(self.args[0]))

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_positive(self) -> bool | None:
        return self.args[0].is_real

    def _latex(self, printer, exp: str | None = None) -> str:
        x = printer._print(self.args[0])
        return _power(rf"\operatorname{{softplus}}\left({x}\right)", exp)


def _bound_free(expr: Expr, var: Basic) -> set[Basic]:
    """Free symbols of ``expr`` once ``var`` is bound (``z[k]`` counts as bound too)."""
    return {s for s in expr.free_symbols if s != var and var not in s.free_symbols}


def _single(vector: tuple[Basic, ...]) -> bool:
    """Whether the vector has exactly one component."""
    return len(vector[0]) == 1 if len(vector) == 1 else bool((vector[1][2] - vector[1][1]).is_zero)


class _Reduction(_Primitive):
    """A function of a vector: ``(summand, (k, lo, hi))`` or ``(Tuple(terms),)``.

    ``softmax`` and ``log_softmax`` add the picked class ``at`` as a last argument.
    """

    _picks = False  # whether the last argument is the picked class

    def __new__(cls, *args: object, **options: object) -> Expr:
        args = [Tuple(*a) if isinstance(a, (list, tuple)) else a for a in args]
        n_vector = len(args) - cls._picks
        if n_vector == 1 and not isinstance(args[0], Tuple):
            raise InvalidInput(f"{cls.__name__}: give a list of terms or (summand, (k, lo, hi))")
        if n_vector == 2 and (not isinstance(args[1], Tuple) or len(args[1]) != 3):
            raise InvalidInput(f"{cls.__name__}: limits must be (k, lo, hi), got {args[1]}")
        return super().__new__(cls, *args, **options)

    @property
    def vector(self) -> tuple[Basic, ...]:
        """The arguments that define the vector, e.g. ``(z[k], (k, 1, K))``."""
        return self.args[:-1] if self._picks else self.args

    @property
    def is_explicit(self) -> bool:
        return len(self.vector) == 1

    @property
    def limits(self) -> Tuple:
        return self.args[1]

    @property
    def at(self) -> Expr:
        return self.args[-1]

    @property
    def free_symbols(self) -> set[Basic]:
        if self.is_explicit:
            return super().free_symbols
        var, lo, hi = self.limits
        rest = [lo, hi, self.at] if self._picks else [lo, hi]
        return _bound_free(self.args[0], var).union(*(e.free_symbols for e in rest))

    def _eval_is_commutative(self) -> bool:
        return True

    def _eval_subs(self, old: Basic, new: Basic) -> Expr | None:
        # The summation index is bound: substituting it only touches the limits and ``at``.
        if self.is_explicit or old != self.limits[0]:
            return None
        var, lo, hi = self.limits
        args = [self.args[0], Tuple(var, lo.subs(old, new), hi.subs(old, new))]
        return self.func(*args, *([self.at.subs(old, new)] if self._picks else []))

    def _exps(self) -> Expr:
        """Σ e^{z_k}, as a Sum or an explicit Add."""
        if self.is_explicit:
            return Add(*(exp(t) for t in self.args[0]))
        return Sum(exp(self.args[0]), tuple(self.limits))

    def _picked(self) -> Expr:
        """z_at: the summand at the picked class."""
        if self.is_explicit:
            terms, at = self.args
            if at.is_Integer and 1 <= at <= len(terms):
                return terms[int(at) - 1]
            raise InvalidInput(f"{self.func.__name__}: class {at} is not in 1..{len(terms)}")
        return self.args[0].subs(self.limits[0], self.at)

    def _vector_text(self, printer) -> str:
        if self.is_explicit:
            return printer._print(list(self.args[0]))
        return f"{printer._print(self.args[0])}, {printer._print(self.limits)}"

    def _sympystr(self, printer) -> str:
        at = f", {printer._print(self.at)}" if self._picks else ""
        return f"{self.func.__name__}({self._vector_text(printer)}{at})"

    def _latex_vector(self, printer) -> str:
        """``(z)`` for a plain vector z_k, else ``_{k=1}^{K}\\left(expr\\right)``."""
        if self.is_explicit:
            return rf"\left({', '.join(printer._print(t) for t in self.args[0])}\right)"
        body = self.args[0]
        if getattr(body, "indices", None) == (self.limits[0],):
            return f"({printer._print(body.base)})"
        return rf"{self._latex_limits(printer)}\left({printer._print(body)}\right)"

    def _latex_limits(self, printer) -> str:
        var, lo, hi = (printer._print(e) for e in self.limits)
        return f"_{{{var}={lo}}}^{{{hi}}}"


class logsumexp(_Reduction):
    r"""log Σ_k e^{z_k}: ``logsumexp(z[k], (k, lo, hi))`` or ``logsumexp([a, b, c])``.

    >>> from sympy import symbols
    >>> a, b = symbols("a b")
    >>> logsumexp([a, b]).unfold(), logsumexp([a, b]).diff(a)
    (log(exp(a) + exp(b)), softmax([a, b], 1))
    """

    nargs = (1, 2)

    @classmethod
    def eval(cls, *args: Basic) -> Expr | None:
        if len(args) == 1:
            terms = [t for t in args[0] if t is not S.NegativeInfinity]
            if len(terms) <= 1:
                return terms[0] if terms else S.NegativeInfinity
            return cls(Tuple(*terms)) if len(terms) < len(args[0]) else None
        body, (var, lo, hi) = args
        if (hi - lo).is_negative:
            return S.NegativeInfinity
        return body.subs(var, lo) if (hi - lo).is_zero else None

    def unfold(self) -> Expr:
        return log(self._exps())

    def _eval_derivative(self, s: Basic) -> Expr | None:
        # d/ds log Σ e^{z_k} = Σ_k softmax_k · dz_k/ds, derived from the summand.
        if self.is_explicit:
            terms = self.args[0]
            return Add(*(softmax(terms, i + 1) * t.diff(s) for i, t in enumerate(terms)))
        var, lo, hi = self.limits
        if s in lo.free_symbols | hi.free_symbols:
            return None
        dz = self.args[0].diff(s)
        if var not in dz.free_symbols:
            return dz  # the softmax weights sum to one
        return resolve_deltas(Sum(softmax(*self.args, var) * dz, tuple(self.limits)))

    def _eval_is_real(self) -> bool | None:
        if self.is_explicit:
            return fuzzy_and(t.is_real for t in self.args[0])
        return self.args[0].is_real

    def _latex(self, printer, exp: str | None = None) -> str:
        if self.is_explicit:
            return _power(r"\operatorname{logsumexp}" + self._latex_vector(printer), exp)
        body = printer.parenthesize(self.args[0], PRECEDENCE["Mul"])
        return _power(rf"\operatorname{{logsumexp}}{self._latex_limits(printer)} {body}", exp)


class log_softmax(_Reduction):
    r"""log softmax(z)_at = z_at − logsumexp(z).

    >>> from sympy import symbols
    >>> a, b = symbols("a b")
    >>> log_softmax([a, b], 2).unfold()
    b - log(exp(a) + exp(b))
    """

    nargs = (2, 3)
    _picks = True

    @classmethod
    def eval(cls, *args: Basic) -> Expr | None:
        return S.Zero if _single(args[:-1]) else None

    def unfold(self) -> Expr:
        return self._picked() - log(self._exps())

    def _eval_derivative(self, s: Basic) -> Expr | None:
        d_lse = logsumexp(*self.vector)._eval_derivative(s)
        return None if d_lse is None else self._picked().diff(s) - d_lse

    def _eval_is_real(self) -> bool | None:
        return logsumexp(*self.vector).is_real

    def _latex(self, printer, exp: str | None = None) -> str:
        return _power(r"\log " + softmax(*self.args)._latex(printer), exp)


class softmax(_Reduction):
    r"""softmax(z)_at = e^{z_at} / Σ_k e^{z_k}.

    >>> from sympy import symbols
    >>> a, b = symbols("a b")
    >>> softmax([a, b], 1).unfold()
    exp(a)/(exp(a) + exp(b))
    >>> softmax([a, b], 1).diff(b)
    -softmax([a, b], 1)*softmax([a, b], 2)
    """

    nargs = (2, 3)
    _picks = True

    @classmethod
    def eval(cls, *args: Basic) -> Expr | None:
        return S.One if _single(args[:-1]) else None

    def unfold(self) -> Expr:
        return exp(self._picked()) / self._exps()

    def _eval_derivative(self, s: Basic) -> Expr | None:
        # softmax = exp(log_softmax): d softmax = softmax · d log_softmax.
        d_log = log_softmax(*self.args)._eval_derivative(s)
        return None if d_log is None else self * d_log

    def _eval_is_positive(self) -> bool | None:
        return logsumexp(*self.vector).is_real

    _eval_is_real = _eval_is_positive

    def _latex(self, printer, exp: str | None = None) -> str:
        at = printer._print(self.at)
        return _power(rf"\operatorname{{softmax}}{self._latex_vector(printer)}_{{{at}}}", exp)
