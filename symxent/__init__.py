"""symxent: derive, check, render and compile the mathematics of cross-entropy.

>>> import symxent
>>> cert = symxent.get("kl-ce-bernoulli").verify(samples=4)
>>> cert.ok
True
"""

import importlib
from importlib.metadata import PackageNotFoundError, version

from .accuracy import AccuracyReport, accuracy
from .certificate import Certificate, StepCheck
from .codegen import codegen
from .continuous import Exponential, Laplace, Normal
from .derivation import Derivation, Step, chain
from .errors import InvalidInput, NotSupported, SymxentError, VerificationFailed
from .gradient import gradient
from .losses import (
    bce_with_logits,
    bce_with_logits_grad,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
)
from .measures import cross_entropy, entropy, kl_divergence
from .models import Bernoulli, Categorical
from .numeric import lambdify
from .parse import parse
from .reference import Reference, reference
from .registry import derivations, get, register

# Imported on first use: they need the test extra (Hypothesis) or pull in heavy modules.
_LAZY_MODULES = ("strategies", "testing")


def __getattr__(name: str) -> object:
    if name in _LAZY_MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


try:
    __version__ = version("symxent")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = [
    "AccuracyReport",
    "Bernoulli",
    "Categorical",
    "Certificate",
    "Derivation",
    "Exponential",
    "InvalidInput",
    "Laplace",
    "Normal",
    "NotSupported",
    "Reference",
    "Step",
    "StepCheck",
    "SymxentError",
    "VerificationFailed",
    "__version__",
    "accuracy",
    "bce_with_logits",
    "bce_with_logits_grad",
    "chain",
    "codegen",
    "cross_entropy",
    "derivations",
    "entropy",
    "get",
    "gradient",
    "kl_divergence",
    "lambdify",
    "parse",
    "reference",
    "register",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
    "strategies",
    "testing",
]
