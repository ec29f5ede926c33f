"""Source code from formulas: NumPy, C99, PyTorch and JAX, in the numeric layer's stable forms.

``codegen(expr_or_id, target)`` returns a standalone source file whose docstring (or
comment) gives the formula in LaTeX. A formula is rewritten by ``symxent._rewrite.stabilize``
(the rules ``symxent.lambdify`` uses) and then printed by one SymPy printer per target:
``symxent.codegen.numpy`` (``symxent.numeric.StablePrinter``, a ``NumPyPrinter``),
``symxent.codegen.c`` (``C99CodePrinter``), ``symxent.codegen.torch`` (``TorchPrinter``) and
``symxent.codegen.jax`` (``JaxPrinter``).

>>> source = codegen("ce-loss-one-hot", "c") if "ce-loss-one-hot" in catalogue() else "int"
>>> "int" in source
True
>>> codegen("no-such-id", "c")
Traceback (most recent call last):
  ...
symxent.errors.InvalidInput: unknown derivation ID 'no-such-id'; known IDs: ...
"""

from __future__ import annotations

import importlib

from sympy import Expr

from symxent.codegen._signature import signature
from symxent.errors import InvalidInput, NotSupported
from symxent.registry import derivations, get

TARGETS: dict[str, str] = {
    "numpy": "symxent.codegen.numpy",
    "c": "symxent.codegen.c",
    "torch": "symxent.codegen.torch",
    "jax": "symxent.codegen.jax",
}
"""Target name → module whose ``generate(Signature)`` writes the source file. Imported on
use: SymPy's PyTorch printer imports torch itself, which would slow every ``import symxent``."""


def catalogue() -> list[str]:
    """The registered derivation IDs with a numeric result (``.numeric_expr``), in order."""
    return [d.id for d in derivations() if d.numeric_expr is not None]


def _resolve(expr_or_id: object) -> tuple[Expr, str, str]:
    """(formula, function name, title) of an expression or a catalogue ID."""
    if isinstance(expr_or_id, str):
        derivation = get(expr_or_id)
        if derivation.numeric_expr is None:
            known = ", ".join(catalogue())
            raise NotSupported(f"{expr_or_id!r} has no numeric result; IDs with one: {known}")
        name = expr_or_id.replace("-", "_")
        return derivation.numeric_expr, name, f"{derivation.title} ({expr_or_id})"
    if isinstance(expr_or_id, Expr):
        return expr_or_id, "f", ""
    raise InvalidInput(
        f"codegen needs a SymPy expression or a derivation ID, not {type(expr_or_id).__name__}"
    )


def codegen(expr_or_id: object, target: str = "numpy", *, name: str | None = None) -> str:
    """Standalone source code computing a formula, stably, for ``target``.

    Args:
        expr_or_id: a SymPy expression (e.g. from ``symxent.parse``) or a catalogue ID
            with a numeric result (see :func:`catalogue`).
        target: ``"numpy"``, ``"c"``, ``"torch"`` or ``"jax"``.
        name: the generated function's name (default: the ID with ``_``, or ``f``).

    Returns:
        The source file as text.

    Raises:
        InvalidInput: unknown target, unknown ID or a bad name.
        NotSupported: the formula uses something the target cannot express.

    >>> from symxent.parse import parse
    >>> print(codegen(parse("logsumexp(z)"), "torch", name="lse").splitlines()[-1])
        return torch.logsumexp(z, dim=-1)
    """
    if target not in TARGETS:
        raise InvalidInput(f"unknown target {target!r} (expected one of: {', '.join(TARGETS)})")
    formula, default, title = _resolve(expr_or_id)
    generate = importlib.import_module(TARGETS[target]).generate
    return generate(signature(formula, name or default, title))


__all__ = ["TARGETS", "catalogue", "codegen"]
