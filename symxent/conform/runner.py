"""Run one case family through a target and judge it against the 50-digit reference."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from symxent.reference import round_to

from .adapters import Target
from .report import FamilyResult, ulps_of_output, ulps_of_scale
from .specs import Batch, LossSpec, scale, truth
from .suites import Family

__all__ = ["Judging", "error_measure", "run_family"]

_DEEP_DPS = 400


@dataclass(frozen=True)
class Judging:
    """How outputs are judged: the dtype, the tolerance in ULPs, and which ULPs."""

    dtype: np.dtype
    tolerance: float
    strict: bool = False


def error_measure(spec: LossSpec, strict: bool) -> str:
    """The verdict's basis: ULPs of the cancelling scale where the spec names one."""
    return "ulp_of_output" if strict or spec.scale is None else "ulp_of_cancelling_scale"


@dataclass
class _Outcome:
    """Per-batch outputs, references and errors, flattened across the family."""

    errors: list[np.ndarray] = field(default_factory=list)
    plain: list[np.ndarray] = field(default_factory=list)
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


def _exact(spec: LossSpec, b: Batch) -> tuple[object, object]:
    """The truth of ``b`` and its cancelling scale (None if the spec names none).

    A truth more than 30 digits below its scale has lost too many of the reference's
    digits to the cancellation to be judged in ULPs of itself; it is computed again at
    max(8·dps, 400) digits, enough for any float64 result next to terms up to ~1e70.
    """
    exact, size = truth(spec, b), scale(spec, b)
    if size is None:
        return exact, None
    magnitude = np.abs(np.asarray(exact, dtype=object).astype(np.float64))
    size = np.asarray(size, dtype=np.float64)
    if np.any(magnitude < size * 1e-30):
        exact = truth(spec, b, dps=max(8 * spec.dps, _DEEP_DPS))
    return exact, size


def _errors(spec: LossSpec, b: Batch, out: np.ndarray, how: Judging):
    """(errors in the verdict's measure, errors in ULPs of the output, rounded truth)."""
    exact, size = _exact(spec, b)
    ref = _rounded(exact, how.dtype)
    plain = np.atleast_1d(ulps_of_output(out, exact, how.dtype))
    if error_measure(spec, how.strict) == "ulp_of_output":
        return plain, plain, ref
    return np.atleast_1d(ulps_of_scale(out, ref, size)), plain, ref


def _judge(target: Target, spec: LossSpec, b: Batch, out: np.ndarray, how: Judging, acc) -> None:
    err, plain, ref = _errors(spec, b, out, how)
    for d in target.differences:
        mask = np.atleast_1d(np.broadcast_to(d.where(b), np.shape(out)))
        hit = mask & (err > how.tolerance)
        if hit.any():
            acc.noted[d.note] = acc.noted.get(d.note, 0) + int(hit.sum())
            err, plain = np.where(hit, np.nan, err), np.where(hit, np.nan, plain)  # not judged
    acc.errors.append(err.ravel())
    acc.plain.append(plain.ravel())
    acc.non_finite.append(
        (np.atleast_1d(np.isfinite(ref) & ~np.isfinite(out)) & ~np.isnan(err)).ravel()
    )
    acc.calls.append((b, out, ref))


def run_family(target: Target, spec: LossSpec, family: Family, how: Judging) -> FamilyResult:
    """Call ``target`` on every batch of ``family`` (cast to the dtype) and judge the outputs."""
    batches = [b.cast(how.dtype) for b in family.batches]
    missing = next(filter(None, (_missing_option(target.fn, b) for b in batches)), None)
    if missing:
        why = f"the target takes no {missing!r} keyword"
        return FamilyResult(family.name, verdict="not run", worst=why)
    acc = _Outcome()
    try:
        for b in batches:
            _judge(target, spec, b, _call(target, spec, b, how.dtype), how, acc)
    except _TargetError as exc:
        return FamilyResult(
            family.name, verdict="FAIL", worst=_row(spec, b, (0,)), messages=[str(exc)]
        )
    result = _summarise(spec, family.name, acc, how)
    if result.failed:
        result.messages += _diagnose(spec, acc, how)
    return result


def _summarise(spec: LossSpec, name: str, acc: _Outcome, how: Judging) -> FamilyResult:
    err, plain = np.concatenate(acc.errors), np.concatenate(acc.plain)
    judged = ~np.isnan(err)
    r = FamilyResult(name, outputs=int(err.size), noted=int((~judged).sum()))
    r.non_finite = int(np.concatenate(acc.non_finite).sum())
    r.messages = [
        f"{n} outputs differ where {note} (documented, not judged)" for note, n in acc.noted.items()
    ]
    if judged.any():
        r.max_ulp, r.median_ulp = float(err[judged].max()), float(np.median(err[judged]))
        r.max_output_ulp = float(plain[judged].max())
        r.median_output_ulp = float(np.median(plain[judged]))
        r.worst = _describe(spec, acc, _argmax(err))
    if r.max_ulp > how.tolerance or r.non_finite:
        r.verdict = "FAIL"
    elif r.max_output_ulp > how.tolerance:
        r.messages.append(_plain_warning(spec, acc, plain, how.tolerance))
    return r


def _argmax(err: np.ndarray) -> int:
    return int(np.argmax(np.where(np.isnan(err), -1.0, err)))


def _plain_warning(spec: LossSpec, acc: _Outcome, plain: np.ndarray, tolerance: float) -> str:
    """Say where the loss itself is inaccurate although the verdict (by scale) passes."""
    n = int(np.sum(plain > tolerance))
    return (
        f"{n} outputs are more than {tolerance:g} ULP off the loss itself (passed by the "
        f"cancelling scale; --strict fails them), worst: {_describe(spec, acc, _argmax(plain))}"
    )


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


def _diagnose(spec: LossSpec, acc: _Outcome, how: Judging) -> list[str]:
    """Name a known other convention the failing outputs follow, if one fits."""
    found = []
    for alt in spec.alternatives:
        errs = []
        for b, out, _ in acc.calls:
            other = alt.transform(b)
            if other is not None:
                errs.append(_errors(spec, other, out, how)[0])
        if errs and np.mean(np.concatenate(errs) <= how.tolerance) >= 0.9:
            found.append(f"the outputs {alt.message}")
    return found
