"""PyTorch source: a function on tensors that autograd differentiates.

Reductions are PyTorch's own stable kernels (``torch.logsumexp``, ``torch.log_softmax``),
``xlogy`` is ``torch.special.xlogy`` and ``softplus`` ``torch.nn.functional.softplus``.

>>> from sympy import Symbol, log
>>> from symxent.codegen._signature import signature
>>> print(generate(signature(log(Symbol("q")), "f")).splitlines()[-1])
    return torch.log(q)
"""

from __future__ import annotations

from sympy.codegen.cfunctions import log1p
from sympy.printing.pytorch import TorchPrinter

from symxent.codegen._signature import Signature
from symxent.codegen._tensor import OP_NAMES, ClassAxisPrinter, tensor_source

TAKE = '''\
def _take(a, labels):
    """a[..., labels] row by row (0-based labels, broadcast against a's batch axes)."""
    shape = torch.broadcast_shapes(a.shape[:-1], labels.shape)
    index = labels.expand(shape).unsqueeze(-1)
    return torch.gather(a.expand(*shape, a.shape[-1]), -1, index).squeeze(-1)
'''


class CodePrinter(ClassAxisPrinter, TorchPrinter):
    """``TorchPrinter`` with symxent's functions and the class-axis conventions."""

    OPS = {
        "sum": "torch.sum({}, dim=-1)",
        "stack": "torch.stack(({},), dim=-1)",
        "logsumexp": "torch.logsumexp({}, dim=-1)",
        "softmax": "torch.softmax({}, dim=-1)",
        "log_softmax": "torch.log_softmax({}, dim=-1)",
        "arange": "torch.arange(K)",
        "xlogy": "torch.special.xlogy({}, {})",
        "sigmoid": "torch.sigmoid({})",
        "softplus": "torch.nn.functional.softplus({})",
        "log1p": "torch.log1p({})",
        "expm1": "torch.expm1({})",
        "relu": "torch.relu({})",
        "abs": "torch.abs({})",
        "exp": "torch.exp({})",
        "floats": "torch.as_tensor({0}, dtype=torch.get_default_dtype()) "
        "if not torch.is_tensor({0}) else {0}",
        "delta": "torch.where({} == {}, 1.0, 0.0)",
        "asarray": "torch.as_tensor({})",
    }
    TAKE = TAKE
    mapping = {**TorchPrinter.mapping, log1p: "torch.log1p"}


assert set(CodePrinter.OPS) == OP_NAMES


def generate(sig: Signature) -> str:
    """A Python module defining ``sig.name`` with PyTorch."""
    return tensor_source(sig, CodePrinter(), ["import torch", "import torch.nn.functional"])
