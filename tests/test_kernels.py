"""The cancellation-free kernels of symxent._kernels against mpmath at 50 significant digits.

log(1 + u) − u and e^t − 1 − t lose as many digits as |u| (|t|) has below 1, so the
reference raises the working precision by those digits: 50 of them are left in the truth.
"""

import math
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from mpmath import mp

from symxent._kernels import _expm1mx, _log1pmx, _log1pmx_ratio
from symxent.accuracy import ulp_error

ULPS = 3.0  # measured: 2.2 (log1pmx), 2.9 (log1pmx_ratio), 1.9 (expm1mx) on 10⁴ points


def _truth(f, *args: float) -> mpmath.mpf:
    """f at the exact float arguments, with 50 digits left after f's own cancellation."""
    small = min((abs(a) for a in args if a), default=1.0)
    lost = max(0, -math.floor(math.log10(small))) if small < 1 else 0
    with mp.workdps(50 + lost):
        return f(*(mpmath.mpf(a) for a in args))


def _log1pmx_mp(u):
    return mpmath.log1p(u) - u


def _expm1mx_mp(t):
    return mpmath.expm1(t) - t


def _ratio_mp(b, a):
    return mpmath.log(b / a) - (b - a) / a


def _assert_close(computed, truth, dtype=np.float64) -> None:
    err = ulp_error(float(computed), truth, dtype)
    assert err <= ULPS, f"{computed!r} vs {mpmath.nstr(truth, 20)}: {err:.3g} ULP"


LOG1PMX_POINTS = [
    1e-300, -1e-300, 1e-160, 1e-17, -1e-17, 1e-8, 0.3, -0.3, -0.5, -0.6, -0.75, -0.9,
    -1 + 2**-52, -1 + 1e-10, 1.0, 1.5, 2.0, 2.5, 1e3, 1e300,
]  # fmt: skip


@pytest.mark.parametrize("u", LOG1PMX_POINTS)
def test_log1pmx_table(u):
    _assert_close(_log1pmx(np.float64(u)), _truth(_log1pmx_mp, u))


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.floats(-1.0, 1e6, exclude_min=True))
@example(-0.5000000000000001)
@example(-0.7500000000000001)
def test_log1pmx_property(u):
    _assert_close(_log1pmx(np.float64(u)), _truth(_log1pmx_mp, u))


RATIO_POINTS = [
    (1 + 2**-52, 1.0), (1.0, 1 + 2**-52), (0.0028841786119491604, 0.00288417861194916),
    (1.333521432163324, 1.0), (0.49, 1.0), (0.3, 1.0), (0.26, 1.0), (0.1, 1.0),
    (1e-3, 1e3), (1e-300, 1.0), (3.0, 1.0), (1e6, 1e-3),
]  # fmt: skip


@pytest.mark.parametrize(("b", "a"), RATIO_POINTS)
def test_log1pmx_ratio_table(b, a):
    _assert_close(_log1pmx_ratio(np.float64(b), np.float64(a)), _truth(_ratio_mp, b, a))


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.floats(-3, 3), st.floats(1e-3, 5.0))
def test_log1pmx_ratio_property(log_a, x):
    a = 10.0**log_a
    b = a * x
    _assert_close(_log1pmx_ratio(np.float64(b), np.float64(a)), _truth(_ratio_mp, b, a))


EXPM1MX_POINTS = [
    1e-300, -1e-300, 1e-17, -1e-17, 1e-5, -1e-5, 0.5, -0.5, 0.9, -1.0, 1.5, -3.0, 30.0,
    -700.0, 700.0, -1e300,
]  # fmt: skip


@pytest.mark.parametrize("t", EXPM1MX_POINTS)
def test_expm1mx_table(t):
    _assert_close(_expm1mx(np.float64(t)), _truth(_expm1mx_mp, t))


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.floats(-745.0, 709.0))
def test_expm1mx_property(t):
    _assert_close(_expm1mx(np.float64(t)), _truth(_expm1mx_mp, t))


def test_special_values():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the kernels silence their own edge cases
        u = _log1pmx(np.array([0.0, -1.0, np.inf, -2.0, np.nan]))
        t = _expm1mx(np.array([0.0, np.inf, -np.inf, np.nan]))
    np.testing.assert_array_equal(u, [0.0, -np.inf, -np.inf, np.nan, np.nan])
    np.testing.assert_array_equal(t, [0.0, np.inf, np.inf, np.nan])
    assert _log1pmx_ratio(0.0, 1.0) == -np.inf and _log1pmx_ratio(2.0, 2.0) == 0.0


@pytest.mark.parametrize("kernel", [_log1pmx, _expm1mx])
def test_float32_stays_float32(kernel):
    u = np.array([1e-30, 0.25, -0.6, 3.0], np.float32)
    out = kernel(u)
    assert out.dtype == np.float32
    for ui, oi in zip(u, out, strict=True):
        f = _log1pmx_mp if kernel is _log1pmx else _expm1mx_mp
        _assert_close(oi, _truth(f, float(ui)), np.float32)
