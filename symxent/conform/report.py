"""The conformance report: per case family, ULP statistics, non-finite outputs, verdict.

Errors are distances in units in the last place of the target's dtype between the output
and the reference correctly rounded to that dtype (``symxent.reference.round_to``): for
float32 that is the float32-rounded 50-digit value. A loss whose spec names a term scale
(KL) is measured in ULPs of that scale instead.

>>> ulps(np.array([1.0, np.nextafter(1.0, 2.0), np.nan]), np.array([1.0, 1.0, 1.0]))
array([ 0.,  1., inf])
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

__all__ = ["FamilyResult", "Report", "ulps"]

_INT = {4: np.int32, 8: np.int64}


def _ordered(a: np.ndarray) -> np.ndarray:
    """Floats → integers in the same order, one apart per ULP (±0 both map to 0)."""
    i = a.view(_INT[a.dtype.itemsize]).astype(np.int64)
    low = np.int64(np.iinfo(_INT[a.dtype.itemsize]).min)
    return np.where(i < 0, low - i, i)


def ulps(out: np.ndarray, ref: np.ndarray, scale: np.ndarray | None = None) -> np.ndarray:
    """|out − ref| in ULPs of ``ref`` (or of ``scale``); inf where out is NaN or misses an inf.

    ``out`` and ``ref`` have the same float dtype; the result is float64.
    """
    out, ref = np.asarray(out), np.asarray(ref, dtype=np.asarray(out).dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        if scale is not None:
            spacing = np.spacing(np.abs(np.asarray(scale, out.dtype)))
            err = np.abs(out.astype(np.float64) - ref.astype(np.float64)) / spacing
            err = np.where(out == ref, 0.0, err)
        else:
            a, b = _ordered(out), _ordered(ref)
            same_sign = (a >= 0) == (b >= 0)
            err = np.where(
                same_sign,
                np.abs(a - np.where(same_sign, b, 0)).astype(np.float64),
                np.abs(a.astype(np.float64)) + np.abs(b.astype(np.float64)),
            )
    bad = np.isnan(out) | ((np.isinf(out) | np.isinf(ref)) & (out != ref))
    return np.where(bad, np.inf, err)


@dataclass
class FamilyResult:
    """The outcome of one case family; ``verdict`` is pass, FAIL or 'not run'."""

    family: str
    outputs: int = 0
    max_ulp: float = 0.0
    median_ulp: float = 0.0
    non_finite: int = 0
    noted: int = 0
    worst: str = ""
    verdict: str = "pass"
    messages: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.verdict == "FAIL"


def _fmt_ulp(x: float) -> str:
    if np.isinf(x):
        return "inf"
    return f"{x:.3g}" if x >= 1e5 or x != int(x) else f"{int(x)}"


@dataclass
class Report:
    """All families of one target and loss, with the settings they were judged by."""

    target: str
    loss: str
    title: str
    reference: str
    dtype: str
    tolerance: float
    results: list[FamilyResult]
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no family failed (families not run and notes do not fail)."""
        return not any(r.failed for r in self.results) and any(
            r.verdict == "pass" for r in self.results
        )

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary (infinite ULPs as the string 'inf')."""
        data = asdict(self)
        for r in data["results"]:
            for key in ("max_ulp", "median_ulp"):
                r[key] = "inf" if np.isinf(r[key]) else float(r[key])
        return {"ok": self.ok, **data}

    def table(self) -> str:
        """The report as a fixed-width table, notes and a one-line result."""
        width = max([len("family"), *(len(r.family) for r in self.results)])
        lines = [
            f"{self.target} vs {self.reference} ({self.title}); {self.dtype}, "
            f"tolerance {_fmt_ulp(self.tolerance)} ULP",
            f"{'family':<{width}}  outputs  max ULP  median ULP  non-finite  verdict  worst input",
        ]
        for r in self.results:
            lines.append(
                f"{r.family:<{width}}  {r.outputs:>7}  {_fmt_ulp(r.max_ulp):>7}  "
                f"{_fmt_ulp(r.median_ulp):>10}  {r.non_finite:>10}  {r.verdict:<7}  {r.worst}"
            )
        lines += self._messages()
        lines.append(self._summary())
        return "\n".join(lines)

    def _messages(self) -> list[str]:
        """Notes, then each message once, after the families it concerns."""
        by_message: dict[str, list[str]] = {}
        for r in self.results:
            for m in r.messages:
                by_message.setdefault(m, []).append(r.family)
        return [f"note: {n}" for n in self.notes] + [
            f"{', '.join(families)}: {m}" for m, families in by_message.items()
        ]

    def _summary(self) -> str:
        failed = [r.family for r in self.results if r.failed]
        ran = sum(r.verdict != "not run" for r in self.results)
        if failed:
            return f"FAIL: {len(failed)} of {ran} families fail: {', '.join(failed)}"
        if not self.ok:
            return "FAIL: no family could be run"
        return f"PASS: {ran} families within {_fmt_ulp(self.tolerance)} ULP"
