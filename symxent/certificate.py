"""What a verification established, step by step, and nothing more.

A step is ``symbolic`` when SymPy proved it (the prover is named); ``numeric`` when SymPy
could not decide and the relation held at ``samples`` admissible points evaluated at
``digits`` digits — evidence, not proof; ``failed`` with a counterexample otherwise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .errors import VerificationFailed
from .printing import TEXT_RELATIONS

SYMBOLS = TEXT_RELATIONS


@dataclass(frozen=True)
class StepCheck:
    """How one step was checked."""

    number: int
    relation: str
    justification: str
    method: str
    ok: bool
    detail: str
    digits: int | None = None
    samples: int | None = None
    counterexample: dict[str, str] | None = None

    @property
    def status(self) -> str:
        return "holds" if self.ok else "FAILS"


@dataclass(frozen=True)
class ChainCheck:
    """What a chain of steps proves end to end (step numbers are 1-based)."""

    first: int
    last: int
    statement: str
    ok: bool
    latex: str = ""


@dataclass(frozen=True)
class Certificate:
    """The result of :meth:`Derivation.verify`."""

    id: str
    title: str
    steps: tuple[StepCheck, ...]
    chains: tuple[ChainCheck, ...]
    assumptions: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)

    @property
    def failures(self) -> list[StepCheck]:
        return [s for s in self.steps if not s.ok]

    def to_dict(self) -> dict:
        out = asdict(self)
        out["ok"] = self.ok
        return out

    def raise_for_failure(self) -> Certificate:
        """Return self when every step holds; raise ``VerificationFailed`` naming the step else."""
        if self.ok:
            return self
        bad = self.failures[0]
        raise VerificationFailed(
            f"{self.id}: step {bad.number} ({bad.justification}) fails: {bad.detail}", self
        )

    def summary(self) -> str:
        """One line per step: number, relation, method, status and how."""
        lines = [f"{self.id}: {'verified' if self.ok else 'FAILED'}"]
        for s in self.steps:
            how = s.detail
            lines.append(
                f"  step {s.number:>2}  {SYMBOLS[s.relation]}  {s.method:<8}  {s.status}  {how}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()
