"""The conformance report: per case family, error statistics, non-finite outputs, verdict.

Two error measures, both in units in the last place of the target's dtype:

* ``ulp_of_output``: |output − truth| in ULPs of the truth, the loss itself
  (:func:`symxent.accuracy.ulp_error`, against the exact 50-digit value; a correctly
  rounded output is within 0.5). This is what "the last bit" of a loss means.
* ``ulp_of_cancelling_scale``: |output − truth| in ULPs of the size of the terms the loss
  is a difference of (e.g. Σ_k c_k(|logsumexp(z)| + |z_k| + 1) for softmax cross-entropy).
  The standard algorithms (logsumexp(z) − z_y) can deliver no better: a loss of 4e-18
  next to terms of size 1 comes out as 0, a few ULPs of 1, like ``assert_allclose`` with
  an ``atol``.

The verdict uses the second where the loss's spec names a scale, unless ``strict``; the
report always shows both, so neither can be mistaken for the other.

>>> import mpmath
>>> tiny = mpmath.mpf(2) ** -100  # a loss of 8e-31, returned as 0: 2**52 ULPs of it
>>> ulps_of_output(np.array([0.0, 1.0]), [tiny, mpmath.mpf(1)], np.float64).tolist()
[4503599627370496.0, 0.0]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from symxent.accuracy import ulp_error

__all__ = ["MEASURES", "FamilyResult", "Report", "ulps_of_output", "ulps_of_scale"]

MEASURES = {
    "ulp_of_output": "ULPs of the output (the loss itself)",
    "ulp_of_cancelling_scale": "ULPs of the cancelling scale (the size of the terms the loss "
    "is a difference of)",
}


def ulps_of_output(out: np.ndarray, exact: object, dtype: np.dtype) -> np.ndarray:
    """|out − exact| in ULPs of ``dtype`` at the exact (mpf) value, per output.

    inf where ``out`` is NaN or misses an infinity; an undefined (NaN) truth is inf too,
    since it would mean a suite produced an input outside the loss's domain.
    """
    flat = np.ravel(np.asarray(exact, dtype=object))
    outs = np.ravel(out)
    err = np.array([ulp_error(o, t, dtype) for o, t in zip(outs, flat, strict=True)])
    return np.where(np.isnan(err), np.inf, err).reshape(np.shape(out))


def ulps_of_scale(out: np.ndarray, ref: np.ndarray, scale: object) -> np.ndarray:
    """|out − ref| in ULPs of ``scale`` (``ref`` is the truth rounded to out's dtype).

    inf where ``out`` is NaN or misses an infinity.
    """
    out = np.asarray(out)
    ref = np.asarray(ref, dtype=out.dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        spacing = np.spacing(np.abs(np.asarray(scale, dtype=np.float64).astype(out.dtype)))
        err = np.abs(out.astype(np.float64) - ref.astype(np.float64)) / spacing
        err = np.where(out == ref, 0.0, err)
    bad = np.isnan(out) | ((np.isinf(out) | np.isinf(ref)) & (out != ref))
    return np.where(bad, np.inf, err)


@dataclass
class FamilyResult:
    """The outcome of one case family; ``verdict`` is pass, FAIL or 'not run'.

    ``max_ulp``/``median_ulp`` are in the report's ``error_measure`` (the verdict's basis),
    ``max_output_ulp``/``median_output_ulp`` always in ULPs of the output.
    """

    family: str
    outputs: int = 0
    max_ulp: float = 0.0
    median_ulp: float = 0.0
    max_output_ulp: float = 0.0
    median_output_ulp: float = 0.0
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
    return f"{x:.3g}"


_ULP_KEYS = ("max_ulp", "median_ulp", "max_output_ulp", "median_output_ulp")


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
    error_measure: str = "ulp_of_output"

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
            for key in _ULP_KEYS:
                r[key] = "inf" if np.isinf(r[key]) else float(r[key])
        return {"ok": self.ok, "error_measure_meaning": MEASURES[self.error_measure], **data}

    def table(self) -> str:
        """The report as a fixed-width table, notes and a one-line result."""
        width = max([len("family"), *(len(r.family) for r in self.results)])
        scaled = self.error_measure != "ulp_of_output"
        head = f"{'family':<{width}}  outputs"
        head += "  scale max  scale median" if scaled else ""
        head += "  output max  output median  non-finite  verdict  worst input"
        basis = f"verdict on {self.error_measure}: {MEASURES[self.error_measure]}"
        if scaled:
            basis += "; 'output' columns: ULPs of the loss itself (--strict judges those)"
        lines = [
            f"{self.target} vs {self.reference} ({self.title}); {self.dtype}, "
            f"tolerance {_fmt_ulp(self.tolerance)} ULP",
            basis,
            head,
        ]
        lines += [self._row(r, width, scaled) for r in self.results]
        lines += self._messages()
        lines.append(self._summary())
        return "\n".join(lines)

    @staticmethod
    def _row(r: FamilyResult, width: int, scaled: bool) -> str:
        ran = r.outputs > 0  # a family not run (or that raised) has no errors to show
        cell = _fmt_ulp if ran else (lambda _: "-")
        cells = f"{r.family:<{width}}  {r.outputs:>7}"
        if scaled:
            cells += f"  {cell(r.max_ulp):>9}  {cell(r.median_ulp):>12}"
        cells += f"  {cell(r.max_output_ulp):>10}  {cell(r.median_output_ulp):>13}"
        return cells + f"  {r.non_finite if ran else '-':>10}  {r.verdict:<7}  {r.worst}"

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
        unit = "ULP" if self.error_measure == "ulp_of_output" else "ULP of the cancelling scale"
        return f"PASS: {ran} families within {_fmt_ulp(self.tolerance)} {unit}"
