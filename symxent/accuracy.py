r"""Accuracy of a numeric implementation against the mpmath reference, in ULPs and bits.

``accuracy(fn, expr, points)`` calls ``fn(*points)`` once, evaluates ``reference(expr)`` at
every batch point, and reports the error of each output in units in the last place of the
output's dtype (float32 or float64):

* ``ulp``: |computed − truth| / ulp(truth), against the exact (mpmath) truth, so a correctly
  rounded result is within 0.5;
* ``bits``: as Herbie reports it, log2(1 + the number of floats between the computed value
  and the correctly rounded truth): 0 when exact, 64 (float64) or 32 (float32) for NaN;
* ``nonfinite``: outputs that are inf or NaN where the truth is finite;
* ``wrong_special``: outputs that differ where the truth is ±inf.

Points where the formula is undefined (the reference is NaN) are counted, not scored.
The truth is first computed at ``dps`` digits; points whose error exceeds 1 ULP, and points
whose truth is exactly 0 (where a sum may have absorbed a tiny true value), are evaluated
again at max(8·dps, 400) digits, so a cancellation inside the reference itself is not
charged to ``fn``. (A cancellation deeper than that, or one hidden in a point whose error
looked small, is not detected.)

Parallel sweeps: ``workers=n`` evaluates the reference on a local
``concurrent.futures.ProcessPoolExecutor`` over a list of chunks; ``workers`` may also be any
``concurrent.futures.Executor``, so the same task list runs unchanged on Dask
(``distributed.Client(...).get_executor()``) or on Ray (``ray.util.multiprocessing.Pool``
wrapped as an executor); see :func:`reference_tasks`.

>>> import numpy as np
>>> from sympy import Symbol, log
>>> p = Symbol("p")
>>> naive = lambda p: -p * np.log(p)
>>> with np.errstate(all="ignore"):
...     report = accuracy(naive, -p * log(p), (np.array([0.0, 0.25, 0.5]),))
>>> report.n, report.nonfinite, report.worst.index
(3, 1, (0,))
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache

import mpmath
import numpy as np
from sympy import Basic

from symxent.errors import InvalidInput
from symxent.reference import Reference, reference, round_to

__all__ = ["AccuracyReport", "Worst", "accuracy", "reference_tasks", "ulp_error"]

_CHUNK = 500  # points per task: large enough to amortise pickling, small enough to balance
_DEEP_DPS = 400


@dataclass(frozen=True)
class Worst:
    """The worst point: its batch index, the arguments there, the output and the truth."""

    index: tuple[int, ...]
    args: tuple[object, ...]
    computed: float
    truth: str
    ulp: float


@dataclass(frozen=True)
class AccuracyReport:
    """Errors of ``fn`` against the reference over ``n`` scored points (see the module)."""

    n: int
    dtype: str
    dps: int
    max_ulp: float
    median_ulp: float
    max_bits: float
    mean_bits: float
    nonfinite: int
    wrong_special: int
    undefined: int
    worst: Worst | None
    seconds: float
    ulps: np.ndarray = field(repr=False)
    truths: np.ndarray = field(repr=False)

    def __str__(self) -> str:
        return (
            f"{self.n} points ({self.dtype}, {self.dps} digits): max {self.max_ulp:.3g} ULP, "
            f"median {self.median_ulp:.3g} ULP, max {self.max_bits:.1f} bits, "
            f"mean {self.mean_bits:.2f} bits, {self.nonfinite} non-finite where finite, "
            f"{self.wrong_special} wrong at ±inf, {self.undefined} undefined"
        )


def ulp_error(computed: float, truth: mpmath.mpf, dtype: np.dtype | type) -> float:
    """|computed − truth| in ULPs of ``dtype`` at the truth (inf if computed is NaN or inf).

    >>> ulp_error(0.1, mpmath.mpf(1) / 10, np.float64) < 0.5
    True
    >>> ulp_error(np.float32(1.0), mpmath.mpf(1) + mpmath.mpf(2) ** -22, np.float32)
    2.0
    """
    info = np.finfo(dtype)
    if mpmath.isnan(truth):
        return math.nan
    if mpmath.isinf(truth) or not math.isfinite(computed):
        return 0.0 if computed == truth else math.inf
    mant, emin = info.nmant, int(np.log2(info.smallest_normal))
    # frexp's exponent is exact where log2 could round up just below a power of two.
    top = emin if truth == 0 else max(emin, mpmath.frexp(truth)[1] - 1)
    with mpmath.workdps(40):
        return float(abs(mpmath.mpf(float(computed)) - truth) / mpmath.ldexp(1, top - mant))


def _ordinal(x: float, dtype: np.dtype) -> int:
    """Position of x on the number line of ``dtype``'s floats (adjacent floats differ by 1)."""
    bits = np.array(x, dtype=dtype).view(np.int64 if dtype.itemsize == 8 else np.int32)
    i = int(bits)
    return i if i >= 0 else -(i & ((1 << (8 * dtype.itemsize - 1)) - 1))


def _bits(computed: float, truth: mpmath.mpf, dtype: np.dtype) -> float:
    if math.isnan(computed):
        return float(8 * dtype.itemsize)
    rounded = round_to(truth, dtype)
    if not math.isfinite(computed) or not np.isfinite(rounded):
        return 0.0 if computed == rounded else float(8 * dtype.itemsize)
    return math.log2(1 + abs(_ordinal(computed, dtype) - _ordinal(float(rounded), dtype)))


@lru_cache(maxsize=16)
def _cached_reference(expr: Basic, args: tuple[str, ...]) -> Reference:
    return reference(expr, args=args)


def _evaluate(expr: Basic, args: tuple[str, ...], dps: int, chunk: tuple) -> list:
    """One task: the reference at ``dps`` digits on a chunk of flattened points.

    The formula travels pickled (SymPy trees pickle, symxent's Functions included), and
    each worker process compiles its reference once.
    """
    values = _cached_reference(expr, args).mp(*chunk, dps=dps)
    return list(np.asarray(values, dtype=object).reshape(-1))


def reference_tasks(
    ref: Reference, points: Sequence[np.ndarray], dps: int, chunk: int = _CHUNK
) -> list[tuple[Callable, tuple]]:
    """The sweep as independent ``(function, arguments)`` tasks, for any executor.

    Each task evaluates the reference on ``chunk`` consecutive points of the flattened
    batch and returns their mpf values; concatenating the results in order gives the whole
    batch. Submit them with ``executor.submit(f, *a)`` (``concurrent.futures``, Dask's
    ``client.get_executor()``, or ``client.submit``/``ray.remote(f).remote`` directly).

    >>> from sympy import Symbol
    >>> x = Symbol("x")
    >>> tasks = reference_tasks(reference(x**2), (np.arange(1200.0),), dps=30)
    >>> len(tasks), [len(f(*a)) for f, a in tasks]
    (3, [500, 500, 200])
    """
    flat = _flatten(ref, points)
    n = len(flat[0]) if flat else 1
    key = (ref.expr, ref.params)
    return [
        (_evaluate, (*key, dps, tuple(a[i : i + chunk] for a in flat))) for i in range(0, n, chunk)
    ]


def _flatten(ref: Reference, points: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Every argument broadcast to the batch shape and flattened to one batch axis."""
    roles = [ref.roles[name] for name in ref.params]
    arrays = [np.asarray(a) for a in points]
    shape = _batch_shape(arrays, roles)
    k = next((a.shape[-1] for a, r in zip(arrays, roles, strict=True) if r == "vector"), 0)
    return [
        np.broadcast_to(a, (*shape, k)).reshape(-1, k)
        if r == "vector"
        else np.broadcast_to(a, shape).reshape(-1)
        for a, r in zip(arrays, roles, strict=True)
    ]


def _batch_shape(arrays: Sequence[np.ndarray], roles: Sequence[str]) -> tuple[int, ...]:
    shapes = [
        a.shape[:-1] if r == "vector" else a.shape for a, r in zip(arrays, roles, strict=True)
    ]
    return np.broadcast_shapes(*shapes)


def _truth(ref: Reference, points: Sequence[np.ndarray], dps: int, workers: object) -> list:
    tasks = reference_tasks(ref, points, dps)
    if workers is None or workers == 1 or len(tasks) == 1:
        return [v for f, a in tasks for v in f(*a)]
    if isinstance(workers, ThreadPoolExecutor):
        raise InvalidInput("workers: mpmath's precision is per process; use processes, not threads")
    if isinstance(workers, Executor):
        return [v for fut in [workers.submit(f, *a) for f, a in tasks] for v in fut.result()]
    with ProcessPoolExecutor(max_workers=int(workers)) as pool:
        return [v for fut in [pool.submit(f, *a) for f, a in tasks] for v in fut.result()]


def _needs_more_digits(ulp: float, truth: mpmath.mpf) -> bool:
    """Large errors are re-checked, and so are exact zeros: a sum may have absorbed the truth."""
    return not mpmath.isnan(truth) and (ulp > 1 or truth == 0)


def _escalate(ref, flat, truths, ulps, dps, workers) -> int:
    """Re-evaluate doubtful points at ``max(8·dps, 400)`` digits, enough to resolve the
    absorption of any float64 (down to 5e-324) next to values up to ~1e70."""
    todo = [
        i for i, (u, t) in enumerate(zip(ulps, truths, strict=True)) if _needs_more_digits(u, t)
    ]
    digits = max(8 * dps, _DEEP_DPS)
    if todo:
        new = _truth(ref, [a[todo] for a in flat], digits, workers)
        for i, value in zip(todo, new, strict=True):
            truths[i] = value
    return digits


def _as_arguments(points: object, params: Sequence[str]) -> tuple:
    if isinstance(points, Mapping):
        missing = set(params) - set(points)
        if missing:
            raise InvalidInput(f"points lacks the arguments {sorted(missing)} of {params}")
        return tuple(points[name] for name in params)
    points = tuple(points)
    if len(points) != len(params):
        raise InvalidInput(f"points must give the {len(params)} arguments {params}, one array each")
    return points


def _worst(ulps: np.ndarray, flat: list, out: np.ndarray, truths: list, shape) -> Worst | None:
    if not len(ulps):
        return None
    i = int(np.argmax(np.where(np.isnan(ulps), -1.0, ulps)))
    index = tuple(int(j) for j in np.unravel_index(i, shape)) if shape else ()
    args = tuple(a[i] for a in flat)
    return Worst(index, args, float(out[i]), mpmath.nstr(truths[i], 30), float(ulps[i]))


def accuracy(
    fn: Callable[..., object],
    expr: object,
    points: Sequence[object] | Mapping[str, object],
    dps: int = 50,
    workers: int | Executor | None = None,
    args: Sequence[object] | None = None,
) -> AccuracyReport:
    """How far ``fn(*points)`` is from the mathematics of ``expr``, point by point.

    Args:
        fn: the implementation under test, called once as ``fn(*points)``.
        expr: the formula (or a derivation), evaluated by ``reference(expr, dps, args)``;
            or a ready :class:`~symxent.reference.Reference`, reused as it is.
        points: the arguments in the reference's parameter order (``reference(expr).params``)
            or a mapping from parameter names to arrays; batch axes lead, classes last.
        dps: digits of the first reference evaluation (doubtful points get more).
        workers: None for this process, an int for a local process pool, or any
            ``concurrent.futures.Executor`` (e.g. Dask's ``client.get_executor()``).
        args: the parameter order, as for ``lambdify``.

    Returns:
        An :class:`AccuracyReport` (errors in ULPs and bits of ``fn``'s output dtype).

    >>> from sympy import Idx, IndexedBase, Symbol, Sum, exp, log
    >>> K = Symbol("K", integer=True, positive=True)
    >>> k, y, z = Idx("k", (1, K)), Idx("y", (1, K)), IndexedBase("z")
    >>> ce = -log(exp(z[y]) / Sum(exp(z[k]), (k, 1, K)))
    >>> naive = lambda z, y: -np.log(np.exp(z[..., y]) / np.exp(z).sum(axis=-1))
    >>> with np.errstate(all="ignore"):
    ...     r = accuracy(naive, ce, (np.array([1000.0, 0.0, -1000.0]), np.array(2)))
    >>> r.nonfinite, r.worst.truth
    (1, '2000.0')
    """
    start = time.perf_counter()
    ref = expr if isinstance(expr, Reference) else reference(expr, dps=dps, args=args)
    points = _as_arguments(points, ref.params)
    computed = np.asarray(fn(*points))
    dtype = computed.dtype if computed.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    flat = _flatten(ref, points)
    shape = _batch_shape([np.asarray(a) for a in points], [ref.roles[p] for p in ref.params])
    out = np.broadcast_to(computed, shape).reshape(-1).astype(dtype)
    truths = _truth(ref, flat, dps, workers)
    ulps = [ulp_error(c, t, dtype) for c, t in zip(out, truths, strict=True)]
    _escalate(ref, flat, truths, ulps, dps, workers)
    return _report(out, truths, flat, shape, dtype, dps, time.perf_counter() - start)


def _report(out, truths, flat, shape, dtype, dps, seconds) -> AccuracyReport:
    undefined = np.array([bool(mpmath.isnan(t)) for t in truths], dtype=bool)
    ulps = np.array(
        [
            math.nan if u else ulp_error(c, t, dtype)
            for c, t, u in zip(out, truths, undefined, strict=True)
        ]
    )
    bits = np.array(
        [_bits(c, t, dtype) for c, t, u in zip(out, truths, undefined, strict=True) if not u]
    )
    finite = np.array(
        [not u and not mpmath.isinf(t) for t, u in zip(truths, undefined, strict=True)]
    )
    special = ~undefined & ~finite
    scored = ulps[~undefined]
    return AccuracyReport(
        n=int(scored.size),
        dtype=str(np.dtype(dtype)),
        dps=dps,
        max_ulp=float(scored.max()) if scored.size else math.nan,
        median_ulp=float(np.median(scored)) if scored.size else math.nan,
        max_bits=float(bits.max()) if bits.size else math.nan,
        mean_bits=float(bits.mean()) if bits.size else math.nan,
        nonfinite=int(np.sum(finite & ~np.isfinite(out))),
        wrong_special=int(np.sum(special & (ulps != 0))),
        undefined=int(undefined.sum()),
        worst=_worst(ulps, flat, out, truths, shape),
        seconds=seconds,
        ulps=ulps.reshape(shape),
        truths=np.array(truths, dtype=object).reshape(shape),
    )
