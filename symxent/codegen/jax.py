"""JAX source: a function on arrays that ``jax.grad`` differentiates.

Reductions are ``jax.nn.logsumexp`` / ``jax.nn.log_softmax``; ``xlogy`` is
``jax.scipy.special.xlogy``; ``softplus`` is ``jax.nn.softplus``.

>>> from sympy import Symbol, log
>>> from symxent.codegen._signature import signature
>>> print(generate(signature(log(Symbol("q")), "f")).splitlines()[-1])
    return jax.numpy.log(q)
"""

from __future__ import annotations

from sympy.printing.numpy import JaxPrinter

from symxent.codegen._signature import Signature
from symxent.codegen._tensor import OP_NAMES, ClassAxisPrinter, tensor_source

TAKE = '''\
def _take(a, labels):
    """a[..., labels] row by row (0-based labels, broadcast against a's batch axes)."""
    shape = jax.numpy.broadcast_shapes(a.shape[:-1], labels.shape)
    index = jax.numpy.broadcast_to(labels, shape)[..., None]
    whole = jax.numpy.broadcast_to(a, (*shape, a.shape[-1]))
    return jax.numpy.take_along_axis(whole, index, axis=-1)[..., 0]
'''


class CodePrinter(ClassAxisPrinter, JaxPrinter):
    """SymPy's ``JaxPrinter`` with symxent's functions and the class-axis conventions."""

    OPS = {
        "sum": "jax.numpy.sum({}, axis=-1)",
        "stack": "jax.numpy.stack(({},), axis=-1)",
        "logsumexp": "jax.nn.logsumexp({}, axis=-1)",
        "softmax": "jax.nn.softmax({}, axis=-1)",
        "log_softmax": "jax.nn.log_softmax({}, axis=-1)",
        "arange": "jax.numpy.arange(K)",
        "xlogy": "jax.scipy.special.xlogy({}, {})",
        "sigmoid": "jax.nn.sigmoid({})",
        "softplus": "jax.nn.softplus({})",
        "log1p": "jax.numpy.log1p({})",
        "expm1": "jax.numpy.expm1({})",
        "relu": "jax.nn.relu({})",
        "abs": "jax.numpy.abs({})",
        "exp": "jax.numpy.exp({})",
        "floats": "jax.numpy.asarray({}, dtype=float)",
        "delta": "jax.numpy.where({} == {}, 1.0, 0.0)",
        "asarray": "jax.numpy.asarray({})",
    }
    TAKE = TAKE

    def __init__(self) -> None:
        super().__init__({"fully_qualified_modules": True})


assert set(CodePrinter.OPS) == OP_NAMES


def generate(sig: Signature) -> str:
    """A Python module defining ``sig.name`` with JAX."""
    return tensor_source(
        sig, CodePrinter(), ["import jax", "import jax.numpy", "import jax.scipy.special"]
    )
