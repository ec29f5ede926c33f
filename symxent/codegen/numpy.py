"""NumPy source: the function ``symxent.numeric.lambdify`` compiles, as a standalone module.

The body is printed by ``symxent.numeric.StablePrinter`` (a ``NumPyPrinter``), so the file
computes exactly what ``lambdify`` computes; the kernels it calls (``_logsumexp``,
``_softmax_at`` …) are copied in from ``symxent.numeric`` with everything they call.

>>> from sympy import Symbol, log
>>> from symxent.codegen._signature import signature
>>> source = generate(signature(-log(Symbol("q")), "nll"))
>>> "def nll(q):" in source, "import symxent" in source
(True, False)
"""

from __future__ import annotations

import inspect
import types

from symxent.codegen._signature import Signature
from symxent.numeric import lambdify


def _names(code: types.CodeType) -> set[str]:
    """Global names a function's code (and the code nested in it) refers to."""
    found = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found |= _names(const)
    return found


def _kernels(function: types.FunctionType) -> tuple[list[str], set[str]]:
    """Sources of the private helpers ``function`` calls (callees first), and the imports."""
    seen: set[str] = set()
    sources: list[str] = []
    imports: set[str] = set()

    def visit(helper: types.FunctionType) -> None:
        for name in sorted(_names(helper.__code__)):
            value = helper.__globals__.get(name)
            if isinstance(value, types.ModuleType):
                module = value.__name__
                imports.add(f"import {module}" + ("" if module == name else f" as {name}"))
            elif isinstance(value, types.FunctionType) and name[0] == "_" and name not in seen:
                seen.add(name)
                visit(value)
                sources.append(inspect.getsource(value).strip())

    visit(function)
    return sources, imports


def generate(sig: Signature) -> str:
    """A Python module defining ``sig.name`` with NumPy (and SciPy where needed)."""
    fn = lambdify(sig.formula, args=list(sig.params), validate=False, name=sig.name)
    kernels, imports = _kernels(fn)
    if "scipy.special." in fn.source:
        imports.add("import scipy.special")
    header = '"""{doc}"""'.format(doc=fn.__doc__.replace("\\", "\\\\").strip() + "\n")
    future = "from __future__ import annotations"
    parts = [header, future + "\n\n" + "\n".join(sorted(imports))]
    return "\n\n\n".join([*parts, *kernels, fn.source]) + "\n"
