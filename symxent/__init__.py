"""symxent: derive, check, render and compile the mathematics of cross-entropy.

>>> import symxent
>>> cert = symxent.get("kl-ce-bernoulli").verify(samples=4)
>>> cert.ok
True
"""

from importlib.metadata import PackageNotFoundError, version

from . import strategies, testing
from .accuracy import AccuracyReport, accuracy
from .certificate import Certificate, StepCheck
from .codegen import codegen
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
    "InvalidInput",
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
