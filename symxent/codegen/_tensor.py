"""What the PyTorch and JAX printers share: classes on the last axis, labels gathered.

A backend is a table of call templates (``OPS``); the printing logic is written once. Only
differentiable library kernels are used, so autograd and ``jax.grad`` see through them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sympy import Basic, Expr, Indexed, KroneckerDelta, Sum, Symbol

from symxent.codegen._signature import Signature
from symxent.errors import NotSupported

OP_NAMES = frozenset(
    {"sum", "stack", "logsumexp", "softmax", "log_softmax", "arange", "xlogy", "sigmoid"}
    | {"softplus", "log1p", "expm1", "relu", "abs", "exp", "asarray", "floats", "delta"}
)


class ClassAxisPrinter:
    """Mixin for a SymPy Python-code printer; ``OPS`` maps each op in ``OP_NAMES`` to code."""

    OPS: dict[str, str] = {}
    TAKE: str = ""  # source of ``_take(a, labels)`` for the backend

    def setup(self, names: dict[Basic, str], labels: frozenset, count: Basic | None) -> None:
        self._names, self._labels, self._count = names, labels, count
        self._bound: frozenset = frozenset()
        self.uses_take = False

    def _op(self, name: str, *args: str) -> str:
        return self.OPS[name].format(*args)

    @contextmanager
    def _binding(self, bound: frozenset) -> Iterator[None]:
        outer, self._bound = self._bound, bound
        try:
            yield
        finally:
            self._bound = outer

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if isinstance(expr, Expr) and expr.is_number and not expr.is_Integer:
            return repr(float(expr))  # a Python float keeps the tensors' dtype
        if self._bound and isinstance(expr, Expr) and self._per_row(expr):
            with self._binding(frozenset()):
                return f"({super()._print(expr, **kwargs)})[..., None]"
        return super()._print(expr, **kwargs)

    def _per_row(self, expr: Expr) -> bool:
        """A value that varies by row only, inside a class reduction: broadcast it."""
        free = expr.free_symbols
        return not free & self._bound and bool(free - {self._count})

    def _print_Symbol(self, expr: Symbol) -> str:
        if expr == self._count:
            return "K"
        if expr in self._bound:
            raise NotSupported(f"the class index {expr} is used as a number")
        return self._names.get(expr, expr.name)

    _print_Idx = _print_Symbol

    def _print_Indexed(self, expr: Indexed) -> str:
        base, (index,) = self._names[expr.base.label], expr.indices
        if index in self._bound:
            return base
        if index in self._labels:
            self.uses_take = True
            return f"_take({base}, {self._names[index]})"
        if index.is_Integer:
            return f"{base}[..., {int(index) - 1}]"
        raise NotSupported(f"cannot index the vector {base} by {index}")

    def _print_Sum(self, expr: Sum) -> str:
        var, lo, hi = expr.limits[0]
        if len(expr.limits) != 1 or lo != 1 or hi != self._count:
            raise NotSupported(f"only sums over one class index 1..K are supported: {expr}")
        if var not in expr.function.free_symbols:
            return f"(K * ({self._print(expr.function)}))"
        with self._binding(frozenset({var})):
            return self._op("sum", self._print(expr.function))

    def _print_KroneckerDelta(self, expr: KroneckerDelta) -> str:
        a, b = expr.args
        if b in self._bound:
            a, b = b, a
        if a in self._bound:
            other = f"{int(b) - 1}" if b.is_Integer else f"{self._print(b)}[..., None]"
            return self._op("delta", self._op("arange"), other)
        return self._op("delta", self._print(a), self._print(b))

    def _vector(self, f: Basic) -> str:
        if f.is_explicit:
            return self._op("stack", ", ".join(self._print(t) for t in f.args[0]))
        with self._binding(frozenset({f.limits[0]})):
            return self._print(f.args[0])

    def _pick(self, op: str, f: Basic) -> str:
        at, whole = f.at, self._op(op, self._vector(f))
        if at in self._bound:
            return whole
        if at in self._labels:
            self.uses_take = True
            return f"_take({whole}, {self._names[at]})"
        if at.is_Integer:
            return f"{whole}[..., {int(at) - 1}]"
        raise NotSupported(f"cannot pick class {at} of {f}")

    def _print_logsumexp(self, f: Basic) -> str:
        return self._op("logsumexp", self._vector(f))

    def _print_softmax(self, f: Basic) -> str:
        return self._pick("softmax", f)

    def _print_log_softmax(self, f: Basic) -> str:
        return self._pick("log_softmax", f)

    def _call(self, op: str, f: Basic) -> str:
        return self._op(op, *(self._print(a) for a in f.args))

    def _print_xlogy(self, f: Basic) -> str:
        return self._call("xlogy", f)

    def _print_rel_entr(self, f: Basic) -> str:
        x, y = (self._print(a) for a in f.args)
        return f"({self._op('xlogy', x, x)} - {self._op('xlogy', x, y)})"

    def _print_sigmoid(self, f: Basic) -> str:
        return self._call("sigmoid", f)

    def _print_softplus(self, f: Basic) -> str:
        return self._call("softplus", f)

    def _print_log1p(self, f: Basic) -> str:
        return self._call("log1p", f)

    def _print_expm1(self, f: Basic) -> str:
        return self._call("expm1", f)

    def _print_softplus_shift(self, f: Basic) -> str:
        u, b = (self._print(a) for a in f.args)
        tail = self._op("log1p", self._op("exp", f"-{self._op('abs', u)}"))
        return f"(({self._op('relu', u)} - {b} * {u}) + {tail})"


def tensor_source(sig: Signature, printer: ClassAxisPrinter, imports: list[str]) -> str:
    """A Python module with one function on tensors, printed by ``printer``."""
    names = {p: _identifier(p) for p in sig.params}
    printer.setup(names, frozenset(sig.labels), sig.count)
    body = printer.doprint(sig.stable)
    prologue = [
        f"{names[p]} = {printer._op('floats', names[p])}" for p in sig.vectors + sig.scalars
    ]
    prologue += [f"{names[p]} = {printer._op('asarray', names[p])}" for p in sig.labels]
    if sig.count is not None:
        prologue.append(f"K = {names[sig.vectors[0]]}.shape[-1]")
    doc = "\n".join(["    " + line if line else "" for line in sig.header(CONVENTIONS)])
    take = [printer.TAKE.strip(), "", ""] if printer.uses_take else []
    lines = [
        f'"""{sig.name}: generated by symxent (see the function\'s docstring)."""',
        "",
        *imports,
        "",
        "",
        *take,
        f"def {sig.name}({', '.join(names[p] for p in sig.params)}):",
        f'    r"""{doc.strip()}\n    """',
        *(f"    {line}" for line in prologue),
        f"    return {body}",
    ]
    return "\n".join(lines) + "\n"


CONVENTIONS = """\
Vectors have their classes on the last axis (leading axes are batch axes); class labels
are 0-based integer tensors; scalars broadcast against the batch."""


def _identifier(symbol: Basic) -> str:
    name = str(getattr(symbol, "label", symbol))
    return name if name not in {"K", "_take"} else f"{name}_"
