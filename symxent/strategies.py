r"""Hypothesis strategies for the inputs of cross-entropy code, for your own test suites.

Each strategy draws NumPy arrays in symxent's numeric convention: classes on the last axis,
leading batch axes, 0-based integer labels, float32 or float64. They lean on the places
where loss implementations break:

* :func:`simplex` — probability vectors with exact zeros, entries near the bottom of the
  dtype's range (1e-300 in float64, subnormals in float32) and near-degenerate rows
  (one entry ≈ 1, the rest tiny), as well as ordinary ones;
* :func:`logits` — moderate values, huge ones (±1e4), huge spreads in one row
  ([1000, 0, −1000]), and with ``infinity=True`` also ±inf (a −inf logit is a masked class);
* :func:`labels`, :func:`one_hot` — class labels as integers or one-hot rows;
* :func:`unit_interval`, :func:`reals`, :func:`positives` — scalars for Bernoulli
  parameters, Gaussian means and scales;
* :func:`classification` — (logits, labels) with a shared batch shape and K;
* :func:`arguments` — argument tuples for any formula or catalogue derivation, in the
  parameter order of ``symxent.numeric.lambdify`` (drawn from the derivation's domains).

Use them with ``@given`` and compare against ``symxent.reference``:

>>> import numpy as np
>>> from hypothesis import given, settings
>>> from symxent import strategies as sx
>>> @settings(max_examples=20)
... @given(sx.classification(dtype=np.float64))
... def test_my_loss_is_finite(inputs):
...     z, y = inputs
...     m = z.max(axis=-1, keepdims=True)
...     loss = np.log(np.exp(z - m).sum(axis=-1)) + m[..., 0] - np.take_along_axis(
...         z, y[..., None], axis=-1)[..., 0]
...     assert np.all(np.isfinite(loss))
>>> test_my_loss_is_finite()
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from symxent.reference import reference

__all__ = [
    "FLOAT_DTYPES",
    "arguments",
    "batch_shapes",
    "class_counts",
    "classification",
    "dtypes",
    "labels",
    "logits",
    "one_hot",
    "positives",
    "reals",
    "simplex",
    "unit_interval",
]

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# Values near the bottom of each dtype's range, where x·log x and log x misbehave first.
_TINY = {
    np.dtype(np.float64): (5e-324, 1e-300, 1e-200, 1e-30, 1e-16),
    np.dtype(np.float32): (1e-45, 1e-40, 1e-38, 1e-30, 1e-8),
}
# Logit magnitudes where exp overflows (float32 past 88, float64 past 709) or rows spread.
_BIG_LOGITS = (0.0, 88.0, -88.0, 104.0, 710.0, -710.0, 1000.0, -1000.0, 1e4, -1e4)

Shape = tuple[int, ...]


def dtypes() -> st.SearchStrategy[np.dtype]:
    """float32 or float64.

    >>> from hypothesis import find
    >>> find(dtypes(), lambda d: d.itemsize == 8)
    dtype('float64')
    """
    return st.sampled_from(FLOAT_DTYPES)


def batch_shapes(max_dims: int = 2, max_side: int = 3) -> st.SearchStrategy[Shape]:
    """Batch shapes from ``()`` (one point) to ``max_dims`` leading axes.

    >>> from hypothesis import find
    >>> find(batch_shapes(), lambda s: len(s) == 2)
    (1, 1)
    """
    return hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=1, max_side=max_side)


def class_counts(min_k: int = 1, max_k: int = 8) -> st.SearchStrategy[int]:
    """Numbers of classes K.

    >>> from hypothesis import find
    >>> find(class_counts(2, 4), lambda k: k > 2)
    3
    """
    return st.integers(min_k, max_k)


def _cast(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    with np.errstate(over="ignore", under="ignore"):
        return values.astype(dtype)


def simplex(
    k: int, *, dtype: np.dtype | type = np.float64, batch_shape: Shape = ()
) -> st.SearchStrategy[np.ndarray]:
    """Probability vectors of length ``k`` (rows sum to 1), with zeros and tiny entries.

    >>> from hypothesis import find
    >>> p = find(simplex(3), lambda p: 0 < p.min() < 1e-300 and p.max() == 1)
    >>> p.shape, bool(p.sum() == 1)
    ((3,), True)
    """
    dtype = np.dtype(dtype)
    weight = st.one_of(
        st.just(0.0), st.floats(1e-3, 1.0), st.sampled_from(_TINY[dtype]), st.just(1.0)
    )

    def normalise(w: np.ndarray) -> np.ndarray:
        empty = w.sum(axis=-1) == 0
        w[empty, 0] = 1.0  # an all-zero row becomes the degenerate point e_1
        return _cast(w / w.sum(axis=-1, keepdims=True), dtype)

    weights = hnp.arrays(np.float64, (*batch_shape, k), elements=weight)
    return weights.map(normalise)


def logits(
    k: int,
    *,
    dtype: np.dtype | type = np.float64,
    batch_shape: Shape = (),
    infinity: bool = False,
    scale: float = 30.0,
) -> st.SearchStrategy[np.ndarray]:
    """Logit vectors: moderate (|z| ≤ ``scale``), huge (±1e4), huge spreads, optionally ±inf.

    >>> from hypothesis import find
    >>> z = find(logits(3, dtype=np.float32), lambda z: np.ptp(z) > 1e4)
    >>> z.dtype, bool(np.ptp(z) > 1e4)
    (dtype('float32'), True)
    """
    special = _BIG_LOGITS + ((np.inf, -np.inf) if infinity else ())
    value = st.one_of(
        st.floats(-scale, scale), st.sampled_from(special), st.floats(-1e4, 1e4, width=32)
    )
    arrays = hnp.arrays(np.float64, (*batch_shape, k), elements=value)
    return arrays.map(lambda z: _cast(z, np.dtype(dtype)))


def labels(k: int, *, batch_shape: Shape = ()) -> st.SearchStrategy[np.ndarray]:
    """0-based integer class labels in 0..k-1 (int64), one per batch point.

    >>> from hypothesis import find
    >>> y = find(labels(5, batch_shape=(4,)), lambda y: y.max() == 4)
    >>> y.shape, int(y.max()), bool(y.min() >= 0)
    ((4,), 4, True)
    """
    return hnp.arrays(np.int64, batch_shape, elements=st.integers(0, k - 1))


def one_hot(
    k: int, *, dtype: np.dtype | type = np.float64, batch_shape: Shape = ()
) -> st.SearchStrategy[np.ndarray]:
    """One-hot rows of length ``k``: the degenerate points of the simplex.

    >>> from hypothesis import find
    >>> p = find(one_hot(3, batch_shape=(2,)), lambda p: p[1, 2] == 1)
    >>> p.shape, p.sum(axis=-1).tolist()
    ((2, 3), [1.0, 1.0])
    """
    return labels(k, batch_shape=batch_shape).map(lambda y: np.eye(k, dtype=dtype)[y])


def unit_interval(
    *, dtype: np.dtype | type = np.float64, shape: Shape = ()
) -> st.SearchStrategy[np.ndarray]:
    """Values in [0, 1], including 0, 1, tiny values and values next to 1.

    >>> from hypothesis import find
    >>> u = find(unit_interval(dtype=np.float32), lambda u: 0.5 < u < 1)
    >>> u.dtype, bool(0.5 < u < 1)
    (dtype('float32'), True)
    """
    dtype = np.dtype(dtype)
    eps = float(np.finfo(dtype).eps)
    edges = (0.0, 1.0, 0.5, 1 - eps / 2, 1 - eps, *_TINY[dtype])
    value = st.one_of(st.floats(0.0, 1.0), st.sampled_from(edges))
    return hnp.arrays(np.float64, shape, elements=value).map(lambda u: _cast(u, dtype))


def reals(
    *, dtype: np.dtype | type = np.float64, shape: Shape = (), scale: float = 3.0
) -> st.SearchStrategy[np.ndarray]:
    """Real scalars: within ±``scale``, with occasional values 100 times larger and ±1000.

    >>> from hypothesis import find
    >>> bool(abs(find(reals(), lambda x: abs(x) > 500)) > 500)
    True
    """
    value = st.one_of(
        st.floats(-scale, scale),
        st.floats(-100 * scale, 100 * scale),
        st.sampled_from((0.0, 1000.0, -1000.0)),
    )
    return hnp.arrays(np.float64, shape, elements=value).map(lambda x: _cast(x, np.dtype(dtype)))


def positives(
    *, dtype: np.dtype | type = np.float64, shape: Shape = (), decades: float = 3.0
) -> st.SearchStrategy[np.ndarray]:
    """Positive scalars, log-uniform over ±``decades`` decades.

    >>> from hypothesis import find
    >>> bool(0 < find(positives(), lambda x: x < 0.01) < 0.01)
    True
    """
    exponent = hnp.arrays(np.float64, shape, elements=st.floats(-decades, decades))
    return exponent.map(lambda e: _cast(10.0**e, np.dtype(dtype)))


@st.composite
def classification(
    draw: st.DrawFn,
    *,
    dtype: np.dtype | type | None = None,
    max_k: int = 8,
    batch_shape: Shape | None = None,
    infinity: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """(logits, labels) for softmax cross-entropy with index targets; K ≥ 1 shared.

    Examples show properties, not the exact example ``find`` shrinks to: that can vary.

    >>> from hypothesis import find
    >>> z, y = find(classification(batch_shape=(4,)), lambda zy: zy[0].shape[-1] > 1)
    >>> z.shape[:-1], y.shape, z.shape[-1] > 1
    ((4,), (4,), True)
    """
    dtype = draw(dtypes()) if dtype is None else dtype
    shape = draw(batch_shapes()) if batch_shape is None else batch_shape
    k = draw(class_counts(1, max_k))
    z = draw(logits(k, dtype=dtype, batch_shape=shape, infinity=infinity))
    return z, draw(labels(k, batch_shape=shape))


def _domains_by_name(target: object) -> dict[str, object]:
    """The sampling domains of a derivation, keyed by the name of what they constrain."""
    found = {}
    for domain in getattr(target, "domains", ()):
        things = [getattr(domain, a) for a in ("base", "symbol", "index") if hasattr(domain, a)]
        if things:  # domains of whole data sets (labelled logits …) constrain no one input
            found[str(getattr(things[0], "label", things[0]))] = domain
    return found


def _strategy(role: str, domain: object, k: int, dtype: np.dtype, shape: Shape):
    """The strategy for one parameter, from its domain or else from its role."""
    kind = type(domain).__name__
    if role == "label":
        return labels(k, batch_shape=shape)
    if role == "vector":
        if kind == "Simplex":
            return simplex(k, dtype=dtype, batch_shape=shape)
        return logits(k, dtype=dtype, batch_shape=shape, scale=getattr(domain, "scale", 30.0))
    if kind == "Interval":
        lo, hi = float(domain.lo), float(domain.hi)
        return unit_interval(dtype=dtype, shape=shape).map(
            lambda u: _cast(lo + (hi - lo) * u, dtype)
        )
    if kind == "Positive":
        return positives(dtype=dtype, shape=shape, decades=domain.decades)
    return reals(dtype=dtype, shape=shape, scale=getattr(domain, "scale", 3.0))


def _fixed_size(domains: Sequence[object]) -> int | None:
    sizes = {int(d.size) for d in domains if getattr(getattr(d, "size", None), "is_Integer", 0)}
    return sizes.pop() if len(sizes) == 1 else None


@st.composite
def arguments(
    draw: st.DrawFn,
    target: object,
    *,
    dtype: np.dtype | type | None = None,
    max_k: int = 6,
    batch_shape: Shape | None = None,
) -> tuple[np.ndarray, ...]:
    """Arguments for ``lambdify(target)`` / ``reference(target)``, in their parameter order.

    ``target`` is a formula or a derivation; a derivation's domains choose each input's
    strategy (``Simplex`` → :func:`simplex`, ``RealVector`` → :func:`logits`, ``Interval``
    → a scaled :func:`unit_interval` that includes both ends, ``Positive`` →
    :func:`positives`, ``ClassIndex`` → :func:`labels`); other inputs go by role.

    >>> import symxent
    >>> from hypothesis import find
    >>> find(arguments(symxent.get("kl-ce-categorical"), batch_shape=()), lambda pq: True)
    (array([1.], dtype=float32), array([1.], dtype=float32))
    """
    ref = reference(target)
    domains = _domains_by_name(target)
    dtype = np.dtype(draw(dtypes()) if dtype is None else dtype)
    shape = draw(batch_shapes(max_dims=1)) if batch_shape is None else batch_shape
    k = _fixed_size(list(domains.values())) or draw(class_counts(1, max_k))
    roles = ref.roles
    return tuple(
        draw(_strategy(roles[name], domains.get(name), k, dtype, shape)) for name in ref.params
    )
