"""Turning values into SymPy expressions without ever parsing a string.

``sympify`` on a string runs SymPy's parser, which evaluates Python; symxent never does that
with text it is given (text goes through :func:`symxent.parse`).

>>> as_expr(3, "K")
3
>>> as_expr("x + 1", "the left-hand side")
Traceback (most recent call last):
...
symxent.errors.InvalidInput: the left-hand side is the string 'x + 1'; give a number or ...
"""

from __future__ import annotations

from sympy import Basic, sympify

from .errors import InvalidInput


def as_expr(value: object, where: str) -> Basic:
    """``value`` as a SymPy object; strings and unconvertible values raise ``InvalidInput``."""
    if isinstance(value, str):
        raise InvalidInput(
            f"{where} is the string {value!r}; give a number or a SymPy expression "
            "(symxent.parse reads formulas safely)"
        )
    try:
        return sympify(value, strict=True)
    except Exception as exc:  # SymPy raises several unrelated types here
        raise InvalidInput(f"{where} is not a number or a SymPy expression: {value!r}") from exc
