"""Display-only notation: named quantities, braces, sums over a finite set.

These objects let a derivation be *written* the way a textbook writes it (``KL(P‖Q)``,
``Σ_{i∈{H,T}}``, ``\\underbrace{…}_{Term 1}``) while the checker sees plain SymPy:
``unfold(expr)`` replaces each of them by its definition.

>>> from sympy import Symbol, log
>>> p = Symbol("p", positive=True)
>>> H = Named("H(P)", -p * log(p), latex="H(P)")
>>> unfold(2 * H)
-2*p*log(p)
"""

from __future__ import annotations

from collections.abc import Iterable

from sympy import Add, Basic, Expr, Mul, Tuple
from sympy.core.symbol import Str

from ._expr import as_expr


def _unfoldable(e: Basic) -> bool:
    return callable(getattr(type(e), "unfold", None))


def unfold(expr: Basic, keep: tuple[type, ...] = ()) -> Expr:
    """Replace every symxent notation object by its definition, until none is left.

    Objects of the types in ``keep`` stay folded (e.g. softmax, for provers that treat it
    as an opaque value).
    """
    expr = as_expr(expr, "the expression")

    def unfoldable(e: Basic) -> bool:
        return _unfoldable(e) and not isinstance(e, keep)

    for _ in range(32):
        new = expr.replace(unfoldable, lambda e: e.unfold())
        if new == expr:
            return new
        expr = new
    return expr


class Named(Expr):
    """A quantity with a name, shown as the name and checked as its definition.

    ``Named("KL(P‖Q)", kl_expr, latex=r"\\mathrm{KL}(P \\Vert Q)")``.
    """

    is_commutative = True

    def __new__(cls, text: str | Str, definition: Expr, latex: str | Str | None = None) -> Named:
        # args keep the constructor's order, so SymPy's rebuilding as func(*args) round-trips.
        text = text if isinstance(text, Str) else Str(text)
        latex = latex if isinstance(latex, Str) else Str(latex or text.name)
        return Expr.__new__(cls, text, as_expr(definition, "the definition"), latex)

    @property
    def text(self) -> str:
        return self.args[0].name

    @property
    def latex(self) -> str:
        return self.args[2].name

    @property
    def definition(self) -> Expr:
        return self.args[1]

    def unfold(self) -> Expr:
        return self.definition

    def _eval_is_real(self) -> bool | None:
        return self.definition.is_real

    def _latex(self, printer: object) -> str:
        return self.latex

    def _sympystr(self, printer: object) -> str:
        return self.text


class Brace(Expr):
    """A bracketed group with a label underneath: ``\\underbrace{[…]}_{label}``."""

    is_commutative = True

    def __new__(cls, expr: Expr, label: str = "") -> Brace:
        return Expr.__new__(cls, as_expr(expr, "the braced expression"), Str(label))

    def unfold(self) -> Expr:
        return self.args[0]

    def _latex(self, printer: object) -> str:
        inner = rf"\left[ {printer._print(self.args[0])} \right]"
        label = self.args[1].name
        return rf"\underbrace{{{inner}}}_{{\text{{{label}}}}}" if label else inner

    def _sympystr(self, printer: object) -> str:
        label = self.args[1].name
        inner = f"[{printer._print(self.args[0])}]"
        return f"{inner}_({label})" if label else inner


class FiniteSum(Expr):
    """Σ over an explicit finite set of outcomes, e.g. ``i ∈ {H, T}``."""

    is_commutative = True

    def __new__(cls, summand: Expr, var: Basic, values: Iterable[Basic]) -> FiniteSum:
        return Expr.__new__(cls, as_expr(summand, "the summand"), var, Tuple(*values))

    def unfold(self) -> Expr:
        summand, var, values = self.args
        return Add(*(summand.xreplace({var: v}) for v in values))

    def _latex(self, printer: object) -> str:
        summand, var, values = self.args
        outcomes = ", ".join(printer._print(v) for v in values)
        body = printer._print(summand)
        return rf"\sum_{{{printer._print(var)} \in \{{{outcomes}\}}}} {body}"

    def _sympystr(self, printer: object) -> str:
        summand, var, values = self.args
        outcomes = ", ".join(printer._print(v) for v in values)
        return f"Σ_{{{printer._print(var)} ∈ {{{outcomes}}}}} {printer._print(summand)}"


def written(*terms: Expr) -> Expr:
    """A sum kept in the order the author wrote it (display only; checking is unaffected)."""
    return Add(*terms, evaluate=False)


def product(*factors: Expr) -> Expr:
    """A product kept as written, e.g. ``product(-1, 1 - p, log(1 - q))`` → −(1 − p) log(1 − q)."""
    return Mul(*factors, evaluate=False)
