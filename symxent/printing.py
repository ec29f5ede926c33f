r"""symxent's SymPy printers: LaTeX and Unicode text, keeping the author's term order.

Both subclass SymPy's printers (``order="none"`` keeps the written order of terms) and print
symxent's notation; they sit low in the layers so certificates can use them too.

>>> from sympy import IndexedBase, Sum
>>> from symxent.sums import K, k
>>> p = IndexedBase("p")
>>> print(latex(Sum(p[k], (k, 1, K))))
\sum_{k=1}^{K} {p}_{k}
>>> print(text(Sum(p[k], (k, 1, K))))
Σ_{k=1..K} p[k]
"""

from __future__ import annotations

from sympy import Expr
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from .functions import _Reduction

LATEX_RELATIONS = {"=": "=", "<=": r"\le", ">=": r"\ge", "<": "<", ">": ">"}
TEXT_RELATIONS = {"=": "=", "<=": "≤", ">=": "≥", "<": "<", ">": ">"}


class SymxentLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer, keeping the written order of terms."""

    _default_settings = {**LatexPrinter._default_settings, "order": "none"}

    def _print_KroneckerDelta(self, expr: Expr, exp: object = None) -> str:
        i, j = (self._print(a) for a in expr.args[:2])
        return rf"\delta_{{{i} {j}}}"

    def _print_Idx(self, expr: Expr) -> str:
        # SymPy prints an index with its range (k_{1..K}); the range belongs in the Σ bounds.
        return self._print(expr.label)


class SymxentTextPrinter(StrPrinter):
    """SymPy's str printer with Unicode for logs, sums and deltas."""

    _default_settings = {**StrPrinter._default_settings, "order": "none"}

    def _print_Sum(self, expr: Expr) -> str:
        body = self.parenthesize(expr.function, 45)  # keep Add summands in brackets
        for var, lo, hi in reversed(expr.limits):
            body = f"Σ_{{{self._print(var)}={self._print(lo)}..{self._print(hi)}}} {body}"
        return body

    def _print(self, expr: object, **kwargs: object) -> str:
        # Reductions over a plain vector read as the formula language writes them.
        if isinstance(expr, _Reduction) and not expr.is_explicit:
            body, (var, lo, _hi) = expr.args[0], expr.limits
            if getattr(body, "indices", None) == (var,) and lo == 1:
                at = f"[{super()._print(expr.at)}]" if expr._picks else ""
                return f"{expr.func.__name__}({super()._print(body.base)}){at}"
        return super()._print(expr, **kwargs)

    def _print_KroneckerDelta(self, expr: Expr) -> str:
        return "δ({}, {})".format(*(self._print(a) for a in expr.args[:2]))

    def _print_Infinity(self, expr: Expr) -> str:
        return "∞"

    def _print_Limit(self, expr: Expr) -> str:
        e, z, z0, direction = expr.args
        side = {"+": "⁺", "-": "⁻"}.get(str(direction), "")
        return f"lim_{{{self._print(z)}→{self._print(z0)}{side}}} [{self._print(e)}]"

    def _print_Subs(self, expr: Expr) -> str:
        e, old, new = expr.args
        at = ", ".join(f"{self._print(o)}={self._print(n)}" for o, n in zip(old, new, strict=True))
        return f"[{self._print(e)}]_({at})"

    def _print_Derivative(self, expr: Expr) -> str:
        wrt = "".join(f"∂{self._print(v)}" for v, n in expr.variable_count for _ in range(n))
        return f"∂/{wrt} [{self._print(expr.expr)}]"


def latex(expr: Expr) -> str:
    """LaTeX of one expression as symxent prints it."""
    return SymxentLatexPrinter().doprint(expr)


def text(expr: Expr) -> str:
    """Unicode text of one expression as symxent prints it."""
    return SymxentTextPrinter().doprint(expr)
