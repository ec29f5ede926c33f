"""The catalogue: derivations registered by ID, built on first use.

>>> [d.id for d in derivations()][:2]
['kl-ce-bernoulli', 'kl-ce-categorical']
>>> get("kl-ce-bernoulli").source
'002'
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from .derivation import Derivation
from .errors import InvalidInput

# The order of DESIGN.md's catalogue; IDs registered but not listed here come after, sorted.
CATALOGUE_ORDER = (
    "kl-ce-bernoulli",
    "kl-ce-categorical",
    "categorical-likelihood",
    "categorical-mle",
    "gibbs-inequality",
    "cross-entropy-minimum",
    "cross-entropy-asymmetry",
    "zero-conventions",
    "log-base-change",
    "coding-interpretation",
    "ce-minimization-is-mle",
    "ce-loss-one-hot",
    "softmax-ce-gradient",
    "softmax-ce-hessian",
    "mse-vs-ce-gradient",
    "bce-logits",
    "label-smoothing",
    "gaussian-cross-entropy",
    "gaussian-kl",
    "exponential-kl",
    "laplace-kl",
)

_BUILDERS: dict[str, Callable[[], Derivation]] = {}
_BUILT: dict[str, Derivation] = {}
_LOADED = False


def register(derivation_id: str) -> Callable[[Callable[[], Derivation]], Callable[[], Derivation]]:
    """Decorator: register a zero-argument function that builds the derivation ``id``."""

    def decorate(build: Callable[[], Derivation]) -> Callable[[], Derivation]:
        if derivation_id in _BUILDERS and _BUILDERS[derivation_id] is not build:
            raise InvalidInput(f"derivation ID {derivation_id!r} is registered twice")
        _BUILDERS[derivation_id] = build
        return build

    return decorate


def _proofs_package() -> ModuleType:
    """``symxent.proofs``: installed from ``proofs/``, or that folder beside a source checkout."""
    try:
        return importlib.import_module("symxent.proofs")
    except ModuleNotFoundError:
        folder = Path(__file__).resolve().parent.parent / "proofs"
        spec = importlib.util.spec_from_file_location(
            "symxent.proofs", folder / "__init__.py", submodule_search_locations=[str(folder)]
        )
        if spec is None or not folder.is_dir():
            raise
        package = importlib.util.module_from_spec(spec)
        sys.modules["symxent.proofs"] = package
        spec.loader.exec_module(package)
        return package


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    package = _proofs_package()
    for module in pkgutil.iter_modules(package.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"symxent.proofs.{module.name}")
    _LOADED = True


def ids() -> list[str]:
    """Every registered ID, in catalogue order."""
    _load()
    known = [i for i in CATALOGUE_ORDER if i in _BUILDERS]
    return known + sorted(set(_BUILDERS) - set(CATALOGUE_ORDER))


def get(derivation_id: str) -> Derivation:
    """The registered derivation ``derivation_id``; ``InvalidInput`` names the known IDs."""
    _load()
    if derivation_id not in _BUILDERS:
        raise InvalidInput(
            f"unknown derivation ID {derivation_id!r}; known IDs: {', '.join(ids())}"
        )
    if derivation_id not in _BUILT:
        built = _BUILDERS[derivation_id]()
        if built.id != derivation_id:
            raise InvalidInput(f"builder for {derivation_id!r} returned {built.id!r}")
        _BUILT[derivation_id] = built
    return _BUILT[derivation_id]


def derivations() -> list[Derivation]:
    """All registered derivations, in catalogue order."""
    return [get(i) for i in ids()]
