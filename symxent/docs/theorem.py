"""Everything the docs show about one theorem, gathered once: derivation, certificate, code.

Verification is the slow part (seconds to minutes per theorem), so :func:`collect` can spread
it over a local process pool; each worker rebuilds the derivation from the registry by ID,
and only the (picklable) certificate travels back.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from ..certificate import Certificate, StepCheck
from ..derivation import Derivation
from ..errors import SymxentError
from ..registry import get
from .families import family

VERIFY_SETTINGS = {"dps": 50, "samples": 32, "seed": 0}  # the CLI's defaults, fixed for docs


@dataclass(frozen=True)
class Theorem:
    """One catalogue entry as the docs present it.

    Attributes:
        derivation: the registered derivation.
        certificate: the result of verifying it with :data:`VERIFY_SETTINGS`.
        family: the book chapter (see :mod:`symxent.docs.families`).
        code: NumPy source for the derivation's final formula, or ``None`` when it has none.
        code_origin: how ``code`` was made, shown to the reader.
    """

    derivation: Derivation
    certificate: Certificate
    family: str
    code: str | None
    code_origin: str

    @property
    def id(self) -> str:
        return self.derivation.id


def how_checked(c: StepCheck) -> str:
    """The certificate's account of one step, with N and D for a numeric one."""
    how = c.detail
    if c.method == "numeric" and c.samples:
        how += f" ({c.samples} points, {c.digits} digits)"
    if c.counterexample:
        how += "; counterexample " + ", ".join(f"{k} = {v}" for k, v in c.counterexample.items())
    return how


def numpy_code(d: Derivation) -> tuple[str | None, str]:
    """NumPy source for ``d.final`` and a note on how it was made.

    ``symxent.codegen`` is preferred (a standalone module); the stable ``lambdify``'s
    source is the fallback. A formula neither can compile is reported, not hidden.
    """
    if d.final is None:
        return None, "this derivation has no final formula to compile"
    try:
        from ..codegen import codegen
    except ImportError:
        codegen = None
    try:
        if codegen is not None:
            return codegen(d.id, "numpy").rstrip() + "\n", f"symxent codegen {d.id} --target numpy"
        from ..numeric import lambdify

        return lambdify(d.final).source.rstrip() + "\n", "symxent.numeric.lambdify(d.final)"
    except SymxentError as exc:
        return None, f"no NumPy code: {exc}"


def _verify(derivation_id: str) -> Certificate:
    return get(derivation_id).verify(**VERIFY_SETTINGS)


def collect(ids: Sequence[str], jobs: int = 1) -> list[Theorem]:
    """Build, verify and compile every theorem in ``ids`` (in that order).

    Args:
        ids: catalogue IDs.
        jobs: worker processes for verification; 1 verifies in this process.
    """
    if jobs > 1 and len(ids) > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(ids))) as pool:
            certificates = list(pool.map(_verify, ids))
    else:
        certificates = [_verify(i) for i in ids]
    out = []
    for i, cert in zip(ids, certificates, strict=True):
        d = get(i)
        code, origin = numpy_code(d)
        out.append(Theorem(d, cert, family(i), code, origin))
    return out
