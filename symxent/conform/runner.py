"""Run one case family through a target and judge it against the 50-digit reference."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from symxent.reference import round_to

from .adapters import Target
from .report import FamilyResult, ulps
from .specs import Batch, LossSpec, scale, truth
from .suites import Family

__all__ = ["run_family"]


@dataclass
class _Outcome:
    """Per-batch outputs, references and errors, flattened across the family."""

    errors: list[np.ndarray] = field(default_factory=list)
    finite_truth: list[np.ndarray] = field(default_factory=list)
    non_finite: list[np.ndarray] = field(default_factory=list)
    noted: dict[str, int] = field(default_factory=dict)
    calls: list[tuple[Batch, np.ndarray, np.ndarray]] = field(default_factory=list)


def _rounded(values: object, dtype: np.dtype) -> np.ndarray:
    flat = np.asarray(values, dtype=object).reshape(-1)
    return np.array([round_to(v, dtype) for v in flat], dtype=dtype).reshape(np.shape(values))


def _missing_option(fn: Callable[..., object], batch: Batch) -> str | None:
    """The first option of ``batch`` that ``fn`` does not declare, if any."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins without a signature: just try the call
        return None
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return None
    return next((o for o in batch.options if o not in params), None)


def _call(target: Target, spec: LossSpec, batch: Batch, dtype: np.dtype) -> np.ndarray:
    """The target's output for ``batch`` as an array of ``dtype`` with the expected shape."""
    try:
        raw = target.fn(*batch.inputs, **batch.options)
        out = np.asarray(raw)
    except Exception as exc:  # the target is foreign code; its failure is a finding
        raise _TargetError(f"raised {type(exc).__name__}: {exc}") from None
    expected = _expected_shape(spec, batch)
    if out.shape != expected:
        raise _TargetError(
            f"returned shape {out.shape}, the calling convention gives {expected} "
            f"(see symxent.conform.adapters)"
        )
    if out.dtype.kind not in "fc":
        raise _TargetError(f"returned dtype {out.dtype}, expected {dtype}")
    return out.real.astype(dtype)


def _expected_shape(spec: LossSpec, batch: Batch) -> tuple[int, ...]:
    if batch.options.get("reduction", "none") != "none":
        return ()
    first = np.shape(batch.inputs[0])
    return first if spec.elementwise else first[:-1]


class _TargetError(Exception):
    """The target raised or broke the calling convention: the family fails with this."""


def _judge(target: Target, spec: LossSpec, b: Batch, out: np.ndarray, dtype, acc) -> None:
    exact = truth(spec, b)
    ref = _rounded(exact, dtype)
    s = scale(spec, b)
    size = None if s is None else np.asarray(s, dtype=np.float64).astype(dtype)
    err = np.atleast_1d(ulps(out, ref, size))
    for d in target.differences:
        hit = np.atleast_1d(np.broadcast_to(d.where(b), np.shape(out))) & (err > 0)
        if hit.any():
            acc.noted[d.note] = acc.noted.get(d.note, 0) + int(hit.sum())
            err = np.where(hit, np.nan, err)  # documented: not judged
    acc.errors.append(err.ravel())
    acc.non_finite.append(
        (np.atleast_1d(np.isfinite(ref) & ~np.isfinite(out)) & ~np.isnan(err)).ravel()
    )
    acc.calls.append((b, out, ref))


def run_family(
    target: Target, spec: LossSpec, family: Family, dtype: np.dtype, tolerance: float
) -> FamilyResult:
    """Call ``target`` on every batch of ``family`` (cast to ``dtype``) and judge the outputs."""
    batches = [b.cast(dtype) for b in family.batches]
    missing = next(filter(None, (_missing_option(target.fn, b) for b in batches)), None)
    if missing:
        why = f"the target takes no {missing!r} keyword"
        return FamilyResult(family.name, verdict="not run", worst=why)
    acc = _Outcome()
    try:
        for b in batches:
            _judge(target, spec, b, _call(target, spec, b, dtype), dtype, acc)
    except _TargetError as exc:
        return FamilyResult(
            family.name, verdict="FAIL", worst=_row(spec, b, (0,)), messages=[str(exc)]
        )
    result = _summarise(spec, family.name, acc, tolerance)
    if result.failed:
        result.messages += _diagnose(spec, acc, dtype, tolerance)
    return result


def _summarise(spec: LossSpec, name: str, acc: _Outcome, tolerance: float) -> FamilyResult:
    err = np.concatenate(acc.errors)
    judged = ~np.isnan(err)
    r = FamilyResult(name, outputs=int(err.size), noted=int((~judged).sum()))
    r.non_finite = int(np.concatenate(acc.non_finite).sum())
    r.messages = [
        f"{n} outputs differ where {note} (documented, not judged)" for note, n in acc.noted.items()
    ]
    if judged.any():
        r.max_ulp, r.median_ulp = float(err[judged].max()), float(np.median(err[judged]))
        r.worst = _describe(spec, acc, int(np.argmax(np.where(judged, err, -1.0))))
    if r.max_ulp > tolerance or r.non_finite:
        r.verdict = "FAIL"
    return r


def _describe(spec: LossSpec, acc: _Outcome, flat: int) -> str:
    """The inputs of output number ``flat`` of the family, and what came out."""
    for b, out, ref in acc.calls:
        if flat < max(out.size, 1):
            where = np.unravel_index(flat, out.shape) if out.shape else ()
            got, want = np.ravel(out)[flat], np.ravel(ref)[flat]
            return f"{_row(spec, b, where)} -> got {got:.17g}, expected {want:.17g}"
        flat -= max(out.size, 1)
    return ""


def _short(a: object) -> str:
    arr = np.ravel(np.asarray(a))
    items = ", ".join(f"{x:.6g}" if arr.dtype.kind == "f" else str(x) for x in arr[:6])
    more = f", ... ({arr.size} values)" if arr.size > 6 else ""
    return f"[{items}{more}]" if np.ndim(a) else items


def _row(spec: LossSpec, b: Batch, where: tuple = ()) -> str:
    """The inputs at batch position ``where`` (the first row of a reduced batch)."""
    reduced = b.options.get("reduction", "none") != "none"
    at = (0,) if reduced else tuple(int(i) for i in where)
    parts = [f"{n}={_short(np.asarray(x)[at])}" for n, x in zip(spec.inputs, b.inputs, strict=True)]
    opts = [f"{k}={_short(v)}" for k, v in b.options.items() if k != "reduction"]
    if reduced:
        opts.append(f"reduction={b.options['reduction']} over {len(b.inputs[0])} rows, row 0:")
    return " ".join([*opts, *parts])


def _diagnose(spec: LossSpec, acc: _Outcome, dtype: np.dtype, tolerance: float) -> list[str]:
    """Name a known other convention the failing outputs follow, if one fits."""
    found = []
    for alt in spec.alternatives:
        errs = []
        for b, out, _ in acc.calls:
            other = alt.transform(b)
            if other is not None:
                errs.append(np.atleast_1d(ulps(out, _rounded(truth(spec, other), dtype))))
        if errs and np.mean(np.concatenate(errs) <= tolerance) >= 0.9:
            found.append(f"the outputs {alt.message}")
    return found
